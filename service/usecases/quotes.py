"""Quote a workload over the catalogue held in memory, at an instant."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter

from service.api.schemas.estimates import AssumptionRead
from service.api.schemas.quotes import (
    ConstraintsIn,
    CostRead,
    InferenceOptionRead,
    OptionRead,
    PlaceRead,
    PricingIn,
    QuoteRead,
    QuoteRequest,
    TrainingOptionRead,
)
from service.domain.catalog import PricingModel
from service.domain.errors import UnknownName, nearest_names
from service.domain.money import Money
from service.domain.planner import (
    Constraints,
    CostBreakdown,
    InferenceOption,
    Objective,
    Option,
    OptionOffer,
    Place,
    PricingAssumptions,
    TrainingOption,
    plan_quote,
)
from service.domain.workload import find_accelerator
from service.usecases.catalog_cache import CatalogData
from service.usecases.workloads import bundled_presets, to_workload

NO_PRICE = "no_price_at_as_of"


def quote_workload(
    request: QuoteRequest, *, catalog: CatalogData, now: datetime
) -> QuoteRead:
    """Rank every priced offer of the catalogue for a workload at `as_of`.

    The same request in the same price interval of the same catalogue version
    has the same answer but for its `as_of`, so that answer is kept and reused.
    """
    as_of = request.as_of or now
    key = (
        "quote",
        catalog.interval_of(as_of),
        request.model_dump_json(exclude={"as_of"}),
    )
    answer = catalog.answers.get_or_compute(
        key, lambda: _quote(request, catalog, as_of)
    )
    return answer.model_copy(update={"as_of": as_of})


# The answer's JSON is kept with this instant in place of `as_of`, then each
# request's own instant is written in.
AS_OF_PLACEHOLDER = datetime(1, 1, 1, tzinfo=UTC)
_INSTANT = TypeAdapter(datetime)
_PLACEHOLDER_JSON = b'"as_of":' + _INSTANT.dump_json(AS_OF_PLACEHOLDER)


def _json_key(
    request: QuoteRequest, catalog: CatalogData, as_of: datetime
) -> tuple[object, ...]:
    return (
        "quote.json",
        catalog.interval_of(as_of),
        request.model_dump_json(exclude={"as_of"}),
    )


def _with_as_of(template: bytes, as_of: datetime) -> bytes:
    return template.replace(
        _PLACEHOLDER_JSON, b'"as_of":' + _INSTANT.dump_json(as_of), 1
    )


def kept_quote_json(
    request: QuoteRequest, *, catalog: CatalogData, now: datetime
) -> bytes | None:
    """The JSON answer of a quote when an identical request's is kept; else None."""
    as_of = request.as_of or now
    template = catalog.answers.kept(_json_key(request, catalog, as_of))
    return _with_as_of(template, as_of) if isinstance(template, bytes) else None


def quote_json(request: QuoteRequest, *, catalog: CatalogData, now: datetime) -> bytes:
    """The JSON answer of a quote, its encoding kept for identical requests."""
    as_of = request.as_of or now
    key = _json_key(request, catalog, as_of)

    def encode() -> bytes:
        answer = quote_workload(request, catalog=catalog, now=now)
        return (
            answer.model_copy(update={"as_of": AS_OF_PLACEHOLDER})
            .model_dump_json()
            .encode()
        )

    return _with_as_of(catalog.answers.get_or_compute(key, encode), as_of)


def _quote(request: QuoteRequest, catalog: CatalogData, as_of: datetime) -> QuoteRead:
    workload, _ = to_workload(request.workload, bundled_presets())
    priced = catalog.index_at(as_of)

    quote = plan_quote(
        workload,
        priced,
        catalog.accelerators,
        constraints=to_constraints(request.constraints, catalog),
        objective=Objective(request.objective),
        pricing=to_pricing(request.pricing, catalog),
        limit=request.limit,
    )

    excluded = dict(quote.excluded)
    unpriced = catalog.price_pairs - priced.size
    if unpriced:
        excluded[NO_PRICE] = unpriced
    return QuoteRead(
        kind=quote.kind,
        objective=quote.objective,
        as_of=as_of,
        catalog_version=catalog.version,
        currency=quote.currency,
        options=[option_read(o) for o in quote.options],
        pareto=[option_read(o) for o in quote.pareto],
        considered=quote.considered,
        excluded=excluded,
        assumptions={
            name: AssumptionRead(value=a.value, source=a.source)
            for name, a in quote.assumptions.items()
        },
    )


def to_constraints(given: ConstraintsIn, catalog: CatalogData) -> Constraints:
    """The planner's constraints, with every name checked against the catalogue."""
    accelerators = list(catalog.accelerators.values())
    return Constraints(
        deadline_hours=given.deadline_hours,
        budget=(
            Money(given.budget.amount, given.budget.currency) if given.budget else None
        ),
        providers=_known("providers", given.providers, catalog.providers),
        regions=_known("regions", given.regions, catalog.regions),
        accelerators=(
            frozenset(find_accelerator(accelerators, n).id for n in given.accelerators)
            if given.accelerators is not None
            else None
        ),
        pricing_models=_known(
            "pricing_models", given.pricing_models, frozenset(PricingModel)
        ),
        max_accelerators=given.max_accelerators,
        max_instances=given.max_instances,
    )


def to_pricing(given: PricingIn, catalog: CatalogData) -> PricingAssumptions:
    """The planner's pricing assumptions, with every provider named checked."""
    for field in (
        "spot_monthly_interruption_fraction",
        "spot_interruptions_per_instance_hour",
    ):
        for provider in getattr(given, field):
            if provider not in catalog.providers:
                raise UnknownName(
                    f"body.pricing.{field}",
                    "provider",
                    provider,
                    nearest_names(provider, catalog.providers),
                )
    return PricingAssumptions(**given.model_dump())


def _known(
    field: str, names: list[str] | None, known: frozenset[str]
) -> frozenset[str] | None:
    if names is None:
        return None
    for name in names:
        if name not in known:
            raise UnknownName(
                f"body.constraints.{field}",
                field.rstrip("s").replace("_", " "),
                name,
                nearest_names(name, known),
            )
    return frozenset(names)


def option_read(option: Option) -> OptionRead:
    """The response body of an option."""
    offer = _offer_fields(option.offer, option.also_available_in)
    memory = {
        "memory_per_accelerator_gib": round(option.memory.per_accelerator_gib, 3),
        "usable_memory_per_accelerator_gib": round(
            option.memory.usable_per_accelerator_gib, 3
        ),
        "fits": option.memory.fits,
        "memory_note": option.memory.note,
    }
    if isinstance(option, TrainingOption):
        return TrainingOptionRead(
            **offer,
            **memory,
            instances=option.instances,
            accelerators=option.accelerators,
            peak_tflops=option.peak_tflops,
            mfu=option.mfu,
            scaling_efficiency=option.scaling_efficiency,
            work_hours=option.work_hours,
            wall_clock_hours=option.wall_clock_hours,
            accelerator_hours=option.accelerator_hours,
            ideal_accelerator_hours=option.ideal_accelerator_hours,
            billed_instance_hours=option.billed_instance_hours,
            expected_interruptions=option.expected_interruptions,
            reserved_terms=option.reserved_terms,
            model_parallel_degree=option.model_parallel_degree,
            zero_stage=option.zero_stage,
            cost=cost_read(option.cost),
            meets_deadline=option.meets_deadline,
            within_budget=option.within_budget,
        )
    assert isinstance(option, InferenceOption)
    return InferenceOptionRead(
        **offer,
        **memory,
        replica_accelerators=option.replica_accelerators,
        replicas_per_instance=option.replicas_per_instance,
        replicas=option.replicas,
        instances=option.instances,
        accelerators=option.accelerators,
        ttft_seconds=option.ttft_seconds,
        tpot_seconds=option.tpot_seconds,
        decode_bound=option.decode_bound,
        replica_requests_per_second=option.replica_requests_per_second,
        served_requests_per_second=option.served_requests_per_second,
        output_tokens_per_hour=option.output_tokens_per_hour,
        cost_per_hour=cost_read(option.cost_per_hour),
        cost_per_month=cost_read(option.cost_per_month),
        cost_per_million_tokens=option.cost_per_million_tokens,
        meets_ttft_target=option.meets_ttft_target,
        meets_tpot_target=option.meets_tpot_target,
        within_budget=option.within_budget,
    )


def cost_read(cost: CostBreakdown) -> CostRead:
    """The response body of a cost breakdown."""
    return CostRead(parts=cost.parts, total=cost.total, currency=cost.currency)


def _offer_fields(offer: OptionOffer, places: tuple[Place, ...]) -> dict[str, object]:
    return {
        "offer_id": offer.offer_id,
        "provider": offer.provider,
        "region": offer.region,
        "zone": offer.zone,
        "instance_type": offer.instance_type,
        "accelerator": offer.accelerator_id,
        "accelerators_per_instance": offer.accelerators_per_instance,
        "pricing_model": offer.pricing_model,
        "price_per_hour": offer.price_per_hour,
        "price_per_accelerator_hour": offer.price_per_accelerator_hour,
        "currency": offer.currency,
        "also_available_in": [
            PlaceRead(offer_id=p.offer_id, region=p.region, zone=p.zone) for p in places
        ],
    }
