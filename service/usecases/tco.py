"""Compare buying an accelerator with renting it, at the catalogue's prices."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from service.api.schemas.estimates import AssumptionRead
from service.api.schemas.quotes import QuoteRequest
from service.api.schemas.tco import (
    MIN_HOURS_PER_MONTH,
    BreakEvenRead,
    BuyingIn,
    CostPartsRead,
    DemandIn,
    DemandRead,
    EdgeIn,
    OwnedUnitCostsRead,
    RentalOfferRead,
    SensitivityRead,
    SpotIn,
    StrategyRead,
    TcoRead,
    TcoRequest,
)
from service.api.schemas.workload import WorkloadIn
from service.domain.catalog import Accelerator, PricedOffer
from service.domain.errors import InvalidWorkload, UnknownAccelerator, UnknownName
from service.domain.sizing import estimate_workload
from service.domain.spot import SpotAssumptions, rate_from_monthly_fraction
from service.domain.tco import (
    BuyingAssumptions,
    Demand,
    EdgeInputs,
    RentalPrice,
    SpotInputs,
    StrategyResult,
    TcoComparison,
    TcoInputs,
    cheapest_rental_prices,
    compare_tco,
)
from service.domain.tco import defaults as tco_defaults
from service.domain.tco.inputs import dec
from service.domain.workload import (
    GIVEN,
    Assumption,
    AssumptionValue,
    find_accelerator,
)
from service.usecases.catalog_cache import CatalogData
from service.usecases.keys import Principal
from service.usecases.plans import find_plan
from service.usecases.workloads import bundled_presets, to_workload

SPOT_DEFAULTS: dict[str, Assumption[float]] = {
    "interruptions_per_instance_hour": tco_defaults.SPOT_RATE,
    "checkpoint_interval_hours": tco_defaults.SPOT_CHECKPOINT_HOURS,
    "restart_hours": tco_defaults.SPOT_RESTART_HOURS,
}


def compare_total_cost(
    session: Session,
    request: TcoRequest,
    *,
    principal: Principal,
    catalog: CatalogData,
    now: datetime,
) -> TcoRead:
    """Price buying, renting and a hybrid for a demand, at the prices of `as_of`."""
    accelerator = _accelerator(request.accelerator, catalog)
    _check_offers(request.rental.offer_ids, catalog, accelerator)
    as_of = request.rental.as_of or now
    demand = request.demand
    hours, demand_read = _demand(session, demand, principal, accelerator)
    priced = _priced(catalog, as_of, request.currency)
    rental = cheapest_rental_prices(priced, accelerator.id, request.rental.offer_ids)
    spot, spot_sources = _spot(request.spot)

    comparison = compare_tco(
        TcoInputs(
            accelerator=accelerator,
            demand=Demand(hours, demand.horizon_months, demand.utilisation),
            rental_prices=rental,
            buying=_buying(request.buying),
            spot=spot,
            edge=_edge(request.edge),
            currency=request.currency,
        )
    )

    used = comparison.assumptions
    assumptions = used | {
        name: Assumption(used[name].value, source)
        for name, source in spot_sources.items()
        if name in used
    }
    instance_prices = {(p.offer.id, p.pricing_model): p.price_per_hour for p in priced}
    offers = [_offer_read(price, catalog, instance_prices) for price in rental]
    return tco_read(
        comparison,
        demand=demand_read,
        offers=offers,
        catalog_version=catalog.version,
        as_of=as_of,
        assumptions=assumptions,
    )


def _accelerator(name: str, catalog: CatalogData) -> Accelerator:
    try:
        return find_accelerator(catalog.accelerators.values(), name)
    except UnknownAccelerator as error:
        raise UnknownName(
            "body.accelerator", "accelerator", name, error.nearest
        ) from error


def _demand(
    session: Session, demand: DemandIn, principal: Principal, accelerator: Accelerator
) -> tuple[Decimal | float | tuple[float, ...], DemandRead]:
    months = demand.horizon_months
    given = demand.accelerator_hours_per_month
    if given is not None:
        per_month = tuple(given) if isinstance(given, list) else given
        shown = list(given) if isinstance(given, list) else [given] * months
        read = DemandRead(
            source="accelerator_hours_per_month",
            plan_id=None,
            accelerator_hours_per_run=None,
            runs_per_month=None,
            accelerator_hours_per_month=shown,
        )
        return per_month, read
    if demand.workload is not None:
        per_run = _job_hours(
            demand.workload, accelerator, field="demand.workload", nested=True
        )
    else:
        assert demand.plan_id is not None
        plan = find_plan(session, principal, demand.plan_id)
        workload = QuoteRequest.model_validate(plan.request).workload
        per_run = _job_hours(
            workload, accelerator, field="demand.plan_id", nested=False
        )
    hours = per_run * dec(demand.runs_per_month)
    if 0 < hours < dec(MIN_HOURS_PER_MONTH):
        raise InvalidWorkload(
            "demand.runs_per_month",
            f"gives {hours:.3g} accelerator-hours a month; the least compared is "
            f"{MIN_HOURS_PER_MONTH}",
        )
    read = DemandRead(
        source="workload" if demand.workload is not None else "plan_id",
        plan_id=demand.plan_id,
        accelerator_hours_per_run=float(per_run),
        runs_per_month=demand.runs_per_month,
        accelerator_hours_per_month=[float(hours)] * months,
    )
    return hours, read


def _job_hours(
    body: WorkloadIn, accelerator: Accelerator, *, field: str, nested: bool
) -> Decimal:
    """The accelerator-hours of one run of a job, as `POST /v1/estimates` gives them.

    Errors name `field`, or the field inside it when the job is in the request.
    """
    try:
        workload, _ = to_workload(body, bundled_presets())
        fit = estimate_workload(workload, [accelerator]).accelerators[0]
    except InvalidWorkload as error:
        if nested:
            raise InvalidWorkload(f"{field}.{error.field}", error.reason) from error
        raise InvalidWorkload(field, f"its workload: {error}") from error
    if fit.accelerator_hours is None:
        raise InvalidWorkload(
            field,
            f"has no accelerator-hours on {accelerator.id}: "
            f"{fit.accelerator_hours_reason}",
        )
    return dec(fit.accelerator_hours)


def _priced(
    catalog: CatalogData, as_of: datetime, currency: str
) -> tuple[PricedOffer, ...]:
    """Every offer priced at `as_of` in the comparison's currency, above zero."""
    return tuple(
        p
        for p in catalog.priced_offers_at(as_of)
        if p.currency == currency and p.price_per_hour > 0
    )


def _check_offers(
    offer_ids: list[int] | None, catalog: CatalogData, accelerator: Accelerator
) -> None:
    for offer_id in offer_ids or ():
        offer = catalog.offers.get(offer_id)
        if offer is None or offer.accelerator_id != accelerator.id:
            raise UnknownName(
                "body.rental.offer_ids", f"{accelerator.id} offer", str(offer_id), []
            )


def _buying(given: BuyingIn) -> BuyingAssumptions:
    return BuyingAssumptions(**given.model_dump())


def _edge(given: EdgeIn | None) -> EdgeInputs | None:
    return EdgeInputs(**given.model_dump()) if given is not None else None


def _spot(given: SpotIn) -> tuple[SpotInputs, dict[str, str]]:
    """The domain's spot inputs, and the source of each value filled in here.

    The domain takes its three spot assumptions all given or all defaulted, so a
    request giving some is completed with the defaults, and their sources kept.
    """
    sources: dict[str, str] = {}
    rate = given.interruptions_per_instance_hour
    monthly = given.interruptions_per_month
    if rate is None and monthly is not None:
        rate = rate_from_monthly_fraction(monthly)
        sources["spot.interruptions_per_instance_hour"] = (
            f"-ln(1 - {monthly}) / 730 from spot.interruptions_per_month, {GIVEN}"
        )
    values = {
        "interruptions_per_instance_hour": rate,
        "checkpoint_interval_hours": given.checkpoint_interval_hours,
        "restart_hours": given.restart_hours,
    }
    if all(value is None for value in values.values()):
        return SpotInputs(job_instances=given.job_instances), sources
    filled: dict[str, float] = {}
    for name, value in values.items():
        default = SPOT_DEFAULTS[name]
        if value is None:
            sources[f"spot.{name}"] = default.source
        filled[name] = default.value if value is None else value
    return SpotInputs(SpotAssumptions(**filled), given.job_instances), sources


def tco_read(
    comparison: TcoComparison,
    *,
    demand: DemandRead,
    offers: list[RentalOfferRead],
    catalog_version: int,
    as_of: datetime,
    assumptions: dict[str, Assumption[AssumptionValue]],
) -> TcoRead:
    """The response body of a comparison."""
    units = comparison.owned_unit_costs
    return TcoRead(
        accelerator=comparison.accelerator_id,
        currency=comparison.currency,
        horizon_months=comparison.horizon_months,
        as_of=as_of,
        catalog_version=catalog_version,
        demand=demand,
        strategies=[strategy_read(s) for s in comparison.strategies],
        cheapest=comparison.cheapest,
        hybrid_owned_accelerators=comparison.hybrid_owned_accelerators,
        owned_unit_costs=OwnedUnitCostsRead(
            capital=units.capital,
            owned_months=units.owned_months,
            depreciation_per_month=units.depreciation_per_month,
            residual_value=units.residual_value,
            monthly_capital_rate=float(units.monthly_capital_rate),
            cost_of_capital=units.cost_of_capital,
            colocation_per_month=units.colocation_per_month,
            operations_per_month=units.operations_per_month,
            idle_power_per_hour=units.idle_power_per_hour,
            busy_power_per_hour=units.busy_power_per_hour,
            fixed_per_owned_hour=units.fixed_per_owned_hour,
            variable_per_used_hour=units.variable_per_used_hour,
        ),
        break_even=[
            BreakEvenRead(
                pricing_model=row.pricing_model,
                rental_price_per_accelerator_hour=(
                    row.rental_price_per_accelerator_hour.amount
                ),
                utilisation=(
                    float(row.utilisation) if row.utilisation is not None else None
                ),
                reason=row.reason,
            )
            for row in comparison.break_even
        ],
        sensitivity=[
            SensitivityRead(
                name=case.name,
                factor=float(case.factor),
                totals={
                    strategy: total.amount if total else None
                    for strategy, total in case.totals.items()
                },
                cheapest=case.cheapest,
            )
            for case in comparison.sensitivity
        ],
        rental_offers=offers,
        assumptions={
            name: AssumptionRead(value=a.value, source=a.source)
            for name, a in assumptions.items()
        },
    )


def strategy_read(result: StrategyResult) -> StrategyRead:
    """The response body of one strategy."""
    parts = result.parts
    return StrategyRead(
        strategy=result.strategy,
        available=result.available,
        reason=result.reason,
        total=result.total.amount if result.total else None,
        parts=CostPartsRead(**asdict(parts)) if parts else None,
        cash_flow_per_month=list(result.cash_flow_per_month),
        amortised_cost_per_month=list(result.amortised_cost_per_month),
        owned_accelerators=result.owned_accelerators,
        reserved_accelerators=result.reserved_accelerators,
        accelerator_hours_delivered=float(result.accelerator_hours_delivered),
        owned_accelerator_hours=float(result.owned_accelerator_hours),
        rented_accelerator_hours=float(result.rented_accelerator_hours),
        effective_price_per_accelerator_hour=(
            result.effective_price_per_accelerator_hour.amount
            if result.effective_price_per_accelerator_hour
            else None
        ),
        note=result.note,
    )


def _offer_read(
    price: RentalPrice,
    catalog: CatalogData,
    instance_prices: dict[tuple[int, str], Decimal],
) -> RentalOfferRead:
    assert price.offer_id is not None
    offer = catalog.offers[price.offer_id]
    return RentalOfferRead(
        pricing_model=price.pricing_model,
        offer_id=offer.id,
        provider=offer.provider,
        region=offer.region,
        instance_type=offer.instance_type,
        accelerators_per_instance=price.accelerators_per_instance,
        price_per_hour=instance_prices[offer.id, price.pricing_model],
        price_per_accelerator_hour=price.price_per_accelerator_hour,
    )
