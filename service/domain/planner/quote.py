"""The planner's entry point: every priced offer turned into an option or a reason.

Sizing is computed once per (accelerator, accelerators per instance) shape and once
per pricing model (and spot rate); an offer then costs one Decimal multiplication
by its price and one rounding, and only while it can still make the list (see
sweep). Only the options returned are built in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from service.domain.catalog import Accelerator, PricedOffer
from service.domain.errors import InvalidWorkload
from service.domain.planner.defaults import settings_for
from service.domain.planner.index import OfferIndex, index_offers
from service.domain.planner.inputs import (
    Constraints,
    Objective,
    PricingAssumptions,
    validate_request,
)
from service.domain.planner.offers import OfferPlanner
from service.domain.planner.options import Exclusion, Option, Place, Quote
from service.domain.planner.sweep import sweep
from service.domain.sharding import Shardings
from service.domain.sizing import Estimate, estimate_workload
from service.domain.workload import AssumptionLog, Workload, WorkloadKind

DEFAULT_LIMIT = 10


def plan_quote(
    workload: Workload,
    priced_offers: Iterable[PricedOffer] | OfferIndex,
    accelerators: Mapping[str, Accelerator],
    *,
    constraints: Constraints | None = None,
    objective: Objective = Objective.COST,
    pricing: PricingAssumptions | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Quote:
    """Rank every priced offer for a workload and return the best options.

    `priced_offers` is every (offer, pricing model) with a price at the quote's
    instant, or their index_offers() built once per catalogue snapshot.
    Raises InvalidWorkload (naming the field) for inputs no quote can answer.
    """
    constraints = constraints or Constraints()
    pricing = pricing or PricingAssumptions()
    validate_request(constraints, pricing, limit)
    training = workload.kind != WorkloadKind.INFERENCE
    if not training and constraints.deadline_hours is not None:
        raise InvalidWorkload(
            "constraints.deadline_hours",
            "applies to training; a serving fleet runs continuously",
        )
    index = (
        priced_offers
        if isinstance(priced_offers, OfferIndex)
        else index_offers(priced_offers)
    )

    shardings = Shardings(workload)
    estimate = _estimate(workload, index, accelerators, constraints, shardings)
    log = AssumptionLog()
    log.used.update(estimate.assumptions)
    settings = settings_for(constraints, pricing, log, training)
    planner = OfferPlanner(
        workload, estimate, accelerators, constraints, settings, shardings
    )
    done = sweep(index, planner, constraints, objective, limit)

    # An option both ranked and on the Pareto front is built once, as one object.
    built: dict[int, Option] = {}
    for priced, plan in (*done.ranked, *done.pareto):
        if id(priced) not in built:
            places = tuple(
                Place(p.offer.id, p.offer.region, p.offer.zone)
                for p in done.twins.get(id(priced), ())
            )
            option = planner.option(priced, plan)
            built[id(priced)] = replace(option, also_available_in=places)
    return Quote(
        kind=workload.kind,
        objective=objective,
        currency=settings.currency,
        options=tuple(built[id(priced)] for priced, _ in done.ranked),
        pareto=tuple(built[id(priced)] for priced, _ in done.pareto),
        considered=done.considered,
        excluded={
            reason: done.excluded[reason]
            for reason in Exclusion
            if done.excluded[reason]
        },
        assumptions=dict(log.used),
        estimate=estimate,
    )


def _estimate(
    workload: Workload,
    index: OfferIndex,
    accelerators: Mapping[str, Accelerator],
    constraints: Constraints,
    shardings: Shardings,
) -> Estimate:
    """Estimate the workload on the accelerators that offers use and filters allow."""
    wanted = constraints.accelerators
    used = {group.accelerator_id for group in index.groups}
    chips = [
        accelerators[name]
        for name in sorted(used)
        if name in accelerators and (wanted is None or name in wanted)
    ]
    return estimate_workload(workload, chips, shardings)
