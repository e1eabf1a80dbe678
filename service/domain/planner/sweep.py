"""Reading the offer index: every offer counted, the best ranked, the Pareto set.

Each group's offers share one plan, so an offer's cost is its price times the
plan's charge, rounded once. Filters, counts, costs and the ranking run over the
offer table as arrays. A cost is ranked as a whole number of rounding steps (cents
for training, a rate's 1/10,000 cent for fleets): price x rows.PlanRows.factor in
floats, rounded, is that number wherever the float lies clearly off a rounding
boundary; near one, the plan's exact Decimal cost decides. The keys are therefore
the exact ones up to 2**52 steps (45 trillion USD), past which floats hold them.

- Ranked list: the best option of each place (provider, accelerator, pricing
  model, region, zone), best first; other instance sizes of the same chip there
  are counted, and the Pareto set still shows what they trade for time.
- Rank key: (cost, time) or (time, cost) by the objective, then offer id, then
  pricing model, then the offer's row (which only duplicate offers reach).
- Pareto set: costs never fall along a group (cheapest first), so only a group's
  cheapest offers can be on the front, since the others take as long and cost more.
- Offers alike but for their place (a run: same price and instance type in a
  group) are one option, listed with the first of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from service.domain.catalog import PricedOffer
from service.domain.planner.charges import KNOWN_MODELS
from service.domain.planner.index import OfferIndex, OfferTable
from service.domain.planner.inputs import Constraints, Objective
from service.domain.planner.offers import OfferPlanner, Plan
from service.domain.planner.options import Exclusion
from service.domain.planner.rows import EXCLUSION_CODE, EXCLUSIONS, PLANNED

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
# A float cost is within ~1e-15 of its exact value, relatively; this is far above.
_RELATIVE_ERROR = 1e-12
# Past this many steps a float no longer holds every whole number of them.
_EXACT_STEPS = 2.0**52
ACCELERATOR_FILTERED = Exclusion.ACCELERATOR_FILTERED
PRICING_MODEL_FILTERED = Exclusion.PRICING_MODEL_FILTERED


@dataclass(slots=True)
class Sweep:
    """The best (offer, plan) pairs, the Pareto set, and what became of every offer."""

    ranked: list[tuple[PricedOffer, Plan]]
    pareto: list[tuple[PricedOffer, Plan]]
    considered: int
    excluded: Counter[str]
    twins: dict[int, list[PricedOffer]]


def sweep(
    index: OfferIndex,
    planner: OfferPlanner,
    constraints: Constraints,
    objective: Objective,
    limit: int,
) -> Sweep:
    """Rank the offers of an index, keeping the best `limit` and the Pareto set."""
    table = index.table
    counts = np.zeros(len(EXCLUSIONS), dtype=np.int64)
    considered = _filter(table, constraints, planner.settings.currency, counts)

    reaching = np.bincount(table.group[considered], minlength=len(index.groups)) > 0
    rows = planner.rows(index, reaching)
    reason = rows.reason[table.group]
    counts += _tally(reason[considered & (reason != PLANNED)])
    considered &= reason == PLANNED

    leads = _leads(table, considered)
    group = table.group[leads]
    time = rows.time[group]

    def exact(i: int) -> Decimal:
        priced = table.offers[leads[i]]
        plan = planner.plan(int(group[i]))
        return plan.rank_cost(priced.price_per_hour, planner.unit) / rows.granularity

    steps = rounded_steps(
        table.price[leads] * rows.factor[group] / float(rows.granularity),
        minimum=rows.minimum_steps,
        exact=exact,
    )
    ranked = leads[_ranked(table, leads, steps, time, objective, limit)]
    pareto = leads[_pareto(table, leads, group, steps, time)]

    def pair(row: int) -> tuple[PricedOffer, Plan]:
        return table.offers[row], planner.plan(int(table.group[row]))

    shown = {*ranked.tolist(), *pareto.tolist()}
    return Sweep(
        [pair(row) for row in ranked.tolist()],
        [pair(row) for row in pareto.tolist()],
        int(considered.sum()),
        Counter({EXCLUSIONS[c]: int(n) for c, n in enumerate(counts) if n}),
        {id(table.offers[row]): _twins(table, considered, row) for row in shown},
    )


def rounded_steps(
    steps: Floats, *, minimum: int, exact: Callable[[int], Decimal]
) -> Floats:
    """Round amounts, given in rounding steps, half to even to whole steps.

    At least `minimum` steps (money.round_cost shows no cost as free). Where an
    amount lies within its float error of a half step, or is too large for a float
    to hold every whole number, `exact(i)` gives the exact count of steps instead.
    """
    rounded = np.maximum(np.rint(steps), minimum)
    bound = _RELATIVE_ERROR * np.abs(steps) + _RELATIVE_ERROR
    doubt = (np.abs(steps - np.floor(steps) - 0.5) <= bound) | ~(
        np.abs(steps) < _EXACT_STEPS
    )
    for i in np.flatnonzero(doubt).tolist():
        rounded[i] = float(exact(i))
    return rounded


def _filter(
    table: OfferTable, constraints: Constraints, currency: str, counts: Ints
) -> Bools:
    """Return the offers left after the request's filters, counting the rest.

    Checks run in options.Exclusion order; non-positive prices lead a group.
    """
    group = table.group
    alive = table.provider.allowed(constraints.providers)[group]
    counts[EXCLUSION_CODE[Exclusion.PROVIDER_FILTERED]] += (~alive).sum()
    if constraints.regions is not None:
        in_region = table.region.allowed(constraints.regions)
        counts[EXCLUSION_CODE[Exclusion.REGION_FILTERED]] += (alive & ~in_region).sum()
        alive &= in_region

    reason = np.full(len(table.group_start) - 1, PLANNED, dtype=np.int64)
    models = table.pricing_model
    for allowed, exclusion in (
        (table.accelerator.allowed(constraints.accelerators), ACCELERATOR_FILTERED),
        (models.allowed(constraints.pricing_models), PRICING_MODEL_FILTERED),
        (models.allowed(KNOWN_MODELS), Exclusion.UNKNOWN_PRICING_MODEL),
        (table.currency.allowed(frozenset({currency})), Exclusion.CURRENCY_MISMATCH),
    ):
        reason[(reason == PLANNED) & ~allowed] = EXCLUSION_CODE[exclusion]
    offer_reason = reason[group]
    counts += _tally(offer_reason[alive & (offer_reason != PLANNED)])
    alive &= offer_reason == PLANNED

    counts[EXCLUSION_CODE[Exclusion.NON_POSITIVE_PRICE]] += (
        alive & ~table.positive
    ).sum()
    kept: Bools = alive & table.positive
    return kept


def _tally(codes: Ints) -> Ints:
    """Return how many times each exclusion code occurs."""
    tally: Ints = np.bincount(codes, minlength=len(EXCLUSIONS))
    return tally


def _leads(table: OfferTable, considered: Bools) -> Ints:
    """Return the rows that lead their run among the considered offers."""
    rows = np.flatnonzero(considered)
    runs = table.run[rows]
    first = np.ones(rows.shape, dtype=np.bool_)
    first[1:] = runs[1:] != runs[:-1]
    leads: Ints = rows[first]
    return leads


def _ranked(
    table: OfferTable,
    leads: Ints,
    steps: Floats,
    time: Floats,
    objective: Objective,
    limit: int,
) -> Ints:
    """Return the positions in `leads` of the best of the best `limit` places."""
    first, second = (steps, time) if objective == Objective.COST else (time, steps)
    return best_of_places(
        table.place[leads],
        first,
        (leads, table.model_rank[leads], table.offer_id[leads], second),
        limit,
    )


def best_of_places(
    place: Ints, first: Floats, then: tuple[npt.NDArray[Any], ...], limit: int
) -> Ints:
    """Return the positions of each place's best row, best first, `limit` at most.

    Rows compare by `first`, then by `then` read from last to first (np.lexsort's
    order). Only rows whose `first` is no worse than the `limit`-th best place's
    best are sorted: every place that makes the cut has its best row among them.
    """
    if not place.size:
        return np.zeros(0, dtype=np.int64)
    best_of_place = np.full(int(place.max()) + 1, np.inf)
    np.minimum.at(best_of_place, place, first)
    reached = best_of_place[np.isfinite(best_of_place)]
    if reached.size:
        k = min(limit, reached.size) - 1
        bound = np.partition(reached, k)[k]
        near = np.flatnonzero((first <= bound) | ~np.isfinite(first))
    else:
        near = np.arange(place.size)
    order = near[np.lexsort((*(key[near] for key in then), first[near]))]
    _, best = np.unique(place[order], return_index=True)
    chosen: Ints = order[np.sort(best)[:limit]]
    return chosen


def _pareto(
    table: OfferTable, leads: Ints, group: Ints, steps: Floats, time: Floats
) -> Ints:
    """Return the positions in `leads` of the non-dominated offers, cheapest first.

    Only the groups' cheapest offers can be on the front (see the module).
    """
    if not leads.size:
        return leads
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    cheapest = np.repeat(steps[starts], np.diff(np.r_[starts, leads.size]))
    candidates = np.flatnonzero(steps == cheapest)
    order = candidates[np.lexsort((steps[candidates], time[candidates]))]
    front = order[pareto_front(steps[order], time[order])]
    rows = leads[front]
    by: Ints = front[
        np.lexsort(
            (
                rows,
                table.model_rank[rows],
                table.offer_id[rows],
                time[front],
                steps[front],
            )
        )
    ]
    return by


def _twins(table: OfferTable, considered: Bools, lead: int) -> list[PricedOffer]:
    """Return the considered offers after a lead in its run."""
    twins = []
    row = lead + 1
    while row < len(table.offers) and table.run[row] == table.run[lead]:
        if considered[row]:
            twins.append(table.offers[row])
        row += 1
    return twins


def pareto_front(cost: Floats, time: Floats) -> Bools:
    """Say which (cost, time) points no other point dominates, sorted by time.

    The points must be sorted by time, then cost. A point is dominated when
    another costs no more and takes no longer, and is better on one of the two;
    equal points are all kept. So a point is on the front when it is the cheapest
    of its time and cheaper than everything faster.
    """
    if not time.size:
        return np.zeros(0, dtype=np.bool_)
    new_time = np.r_[True, time[1:] != time[:-1]]
    cheapest = cost[new_time]
    faster = np.r_[np.inf, np.minimum.accumulate(cheapest)[:-1]]
    run = np.cumsum(new_time) - 1
    on: Bools = (cost == cheapest[run]) & (cheapest < faster)[run]
    return on
