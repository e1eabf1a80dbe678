"""Reading the offer index: every offer counted, the best ranked, the Pareto set.

Each group's offers share one plan, so the group is filtered and planned once and
an offer's cost is its price times the plan's charge, rounded once. The ranked
list keeps the best option of each place (provider, accelerator, pricing model,
region, zone): other instance sizes of the same chip there are counted, and the
Pareto set still shows what they trade for time. Costs never
fall along a group (cheapest first), so a group is read only while its offers can
still enter the ranked list; only its cheapest can be on the Pareto front, since
the others take as long and cost more.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from service.domain.catalog import PricedOffer
from service.domain.planner.charges import KNOWN_MODELS
from service.domain.planner.index import OfferGroup, OfferIndex
from service.domain.planner.inputs import Constraints, Objective
from service.domain.planner.offers import OfferPlanner, Plan
from service.domain.planner.options import Exclusion


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
    excluded: Counter[str] = Counter()
    ranking = _Ranking(limit, objective == Objective.COST, planner.unit)
    considered = 0
    for group in index.groups:
        offers, plan = _group_plan(group, planner, constraints, excluded)
        if plan is not None:
            considered += len(offers)
            ranking.read(offers, plan)
    return Sweep(
        ranking.ranked(), ranking.pareto(), considered, excluded, ranking.twins
    )


def _group_plan(
    group: OfferGroup,
    planner: OfferPlanner,
    constraints: Constraints,
    excluded: Counter[str],
) -> tuple[tuple[PricedOffer, ...], Plan | None]:
    """Return a group's offers left after the checks and their plan, counting the rest.

    Checks run in options.Exclusion order; non-positive prices lead a group.
    """
    offers = group.offers
    if (
        constraints.providers is not None
        and group.provider not in constraints.providers
    ):
        excluded[Exclusion.PROVIDER_FILTERED] += len(offers)
        return (), None
    if constraints.regions is not None:
        kept = tuple(p for p in offers if p.offer.region in constraints.regions)
        if len(kept) < len(offers):
            excluded[Exclusion.REGION_FILTERED] += len(offers) - len(kept)
        offers = kept
    reason = _group_reason(group, constraints, planner.settings.currency)
    free = 0
    while reason is None and free < len(offers) and offers[free].price_per_hour <= 0:
        free += 1
    if free:
        excluded[Exclusion.NON_POSITIVE_PRICE] += free
        offers = offers[free:]
    if not offers:
        return (), None
    plan = reason or planner.plan(group)
    if isinstance(plan, Exclusion):
        excluded[plan] += len(offers)
        return (), None
    return offers, plan


def _group_reason(
    group: OfferGroup, constraints: Constraints, currency: str
) -> Exclusion | None:
    """Return the first reason shared by a whole group, if any."""
    chips, models = constraints.accelerators, constraints.pricing_models
    if chips is not None and group.accelerator_id not in chips:
        return Exclusion.ACCELERATOR_FILTERED
    if models is not None and group.pricing_model not in models:
        return Exclusion.PRICING_MODEL_FILTERED
    if group.pricing_model not in KNOWN_MODELS:
        return Exclusion.UNKNOWN_PRICING_MODEL
    if group.currency != currency:
        return Exclusion.CURRENCY_MISMATCH
    return None


@dataclass(slots=True)
class _Ranking:
    """The best `limit` rank keys so far, and every group's cheapest for the front.

    Rank key: (cost, time) or (time, cost) by the objective, then offer id, then
    pricing model, then the order read (which only duplicate offers reach).
    """

    limit: int
    by_cost: bool
    unit: Decimal
    top: list[tuple[Any, ...]] = field(default_factory=list)
    pool: list[tuple[PricedOffer, Plan]] = field(default_factory=list)
    front: list[tuple[Decimal, float, int]] = field(default_factory=list)
    # Offers alike but for their place (same price and instance type in a group,
    # hence the same option) are kept with the first of them, keyed by its id().
    twins: dict[int, list[PricedOffer]] = field(default_factory=dict)
    # The ranked list holds one option per place: the best key of each (provider,
    # accelerator, pricing model, region, zone) now in `top`.
    by_place: dict[tuple[str, ...], tuple[Any, ...]] = field(default_factory=dict)
    in_top: set[tuple[Any, ...]] = field(default_factory=set)

    def read(self, offers: tuple[PricedOffer, ...], plan: Plan) -> None:
        """Read a group's offers, cheapest first, while they can still rank."""
        top, limit, unit = self.top, self.limit, self.unit
        time = plan.rank_time()
        price = offers[0].price_per_hour
        cheapest = cost = plan.rank_cost(price, unit)
        lead: PricedOffer | None = None
        for priced in offers:
            if (
                lead is not None
                and priced.price_per_hour == lead.price_per_hour
                and priced.offer.instance_type == lead.offer.instance_type
            ):
                if id(lead) in self.twins:
                    self.twins[id(lead)].append(priced)
                continue
            lead = priced
            if priced.price_per_hour != price:
                price = priced.price_per_hour
                cost = plan.rank_cost(price, unit)
            first, second = (cost, time) if self.by_cost else (time, cost)
            key = (first, second, priced.offer.id, priced.pricing_model, len(self.pool))
            enters = len(top) < limit or key < top[-1]
            if cost == cheapest:
                self.front.append((cost, time, len(self.pool)))
            elif not enters:
                if (first, second) > top[-1][:2]:
                    break
                continue
            if enters and self._admit(_place(priced), key):
                insort(top, key)
                self.in_top.add(key)
                self.in_top.difference_update(top[limit:])
                del top[limit:]
            self.pool.append((priced, plan))
            self.twins[id(priced)] = []

    def _admit(self, place: tuple[str, ...], key: tuple[Any, ...]) -> bool:
        """Let a key into the list unless its place has a better one there."""
        held = self.by_place.get(place)
        if held is not None and held in self.in_top:
            if held <= key:
                return False
            self.top.remove(held)
            self.in_top.discard(held)
        self.by_place[place] = key
        return True

    def ranked(self) -> list[tuple[PricedOffer, Plan]]:
        """Return the best offers with their plans, best first."""
        return [self.pool[key[-1]] for key in self.top]

    def pareto(self) -> list[tuple[PricedOffer, Plan]]:
        """Return the non-dominated offers with their plans, cheapest first."""
        front = self.front
        chosen = [front[i] for i in pareto_indexes([(c, t) for c, t, _ in front])]
        chosen.sort(key=lambda f: (f[0], f[1], *_offer_order(self.pool[f[2]][0])))
        return [self.pool[i] for _, _, i in chosen]


def _place(priced: PricedOffer) -> tuple[str, ...]:
    offer = priced.offer
    zone = offer.zone or ""
    return (
        offer.provider,
        offer.accelerator_id,
        priced.pricing_model,
        offer.region,
        zone,
    )


def _offer_order(priced: PricedOffer) -> tuple[int, str]:
    return priced.offer.id, priced.pricing_model


def pareto_indexes(points: Sequence[tuple[Decimal, float]]) -> list[int]:
    """Return the indexes of the (cost, time) points that no other point dominates.

    A point is dominated when another costs no more and takes no longer, and is
    better on one of the two; equal points are all kept. The points are first
    reduced to the cheapest per time, then swept fastest first: a time's cheapest
    is in the set when it is cheaper than everything faster. Indexes come back
    fastest first.
    """
    cheapest_at: dict[float, tuple[Decimal, list[int]]] = {}
    for index, (cost, time) in enumerate(points):
        known = cheapest_at.get(time)
        if known is None or cost < known[0]:
            cheapest_at[time] = (cost, [index])
        elif cost == known[0]:
            known[1].append(index)
    front: list[int] = []
    cheapest_faster: Decimal | None = None
    for time in sorted(cheapest_at):
        cost, indexes = cheapest_at[time]
        if cheapest_faster is None or cost < cheapest_faster:
            front.extend(indexes)
            cheapest_faster = cost
    return front
