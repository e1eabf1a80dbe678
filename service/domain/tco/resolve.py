"""Turn TCO inputs into exact Decimal settings, recording every default used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from service.domain.catalog import PricingModel
from service.domain.errors import InvalidWorkload
from service.domain.money import minor_unit
from service.domain.spot import HOURS_PER_MONTH, SpotAssumptions
from service.domain.tco import defaults
from service.domain.tco.inputs import (
    EdgeInputs,
    RentalPrice,
    TcoInputs,
    ceil,
    checked,
    checked_edge,
    dec,
    monthly_demand,
    rentals_by_model,
)
from service.domain.workload import GIVEN, Assumption, AssumptionLog


@dataclass(frozen=True, slots=True)
class Settings:
    """The values a comparison computes with, exact, after defaults."""

    currency: str
    demand_hours: tuple[Decimal, ...]
    central_hours: tuple[Decimal, ...]
    utilisation: Decimal
    owned_count: int | None
    price: Decimal
    overhead_fraction: Decimal
    overhead_amount: Decimal | None
    amortisation_months: int
    residual_fraction: Decimal
    cost_of_capital_per_year: Decimal
    busy_watts: Decimal
    idle_watts: Decimal
    pue: Decimal
    price_per_kwh: Decimal
    colocation_per_kw_month: Decimal
    operations_fraction_per_year: Decimal
    lead_time_months: int
    rental: Mapping[str, RentalPrice]
    spot: SpotAssumptions
    spot_job_instances: int | None
    edge: EdgeInputs | None

    @property
    def horizon_months(self) -> int:
        """Months compared."""
        return len(self.demand_hours)

    @property
    def capital_per_accelerator(self) -> Decimal:
        """Price plus server, network and storage overhead of one accelerator."""
        if self.overhead_amount is not None:
            return self.price + self.overhead_amount
        return self.price * (1 + self.overhead_fraction)


def resolve(inputs: TcoInputs) -> tuple[Settings, AssumptionLog]:
    """Validate the inputs and fill every None with its documented default."""
    log = AssumptionLog()
    currency = inputs.currency
    minor_unit(currency)
    buying, chip = inputs.buying, inputs.accelerator
    log.note("hours_per_month", HOURS_PER_MONTH, defaults.HOURS_SOURCE)

    demand_hours = monthly_demand(inputs.demand)
    utilisation = _fraction(
        log, "demand.utilisation", inputs.demand.utilisation, defaults.UTILISATION
    )
    edge = checked_edge(inputs.edge)
    share = dec(edge.work_share) if edge else Decimal(0)
    central = tuple(hours * (1 - share) for hours in demand_hours)

    price = _price(inputs, log)
    from_catalogue = buying.price_per_accelerator is None
    overhead_amount, overhead_fraction = None, 0.0
    if buying.overhead_per_accelerator is not None:
        overhead_amount = checked(
            "buying.overhead_per_accelerator", buying.overhead_per_accelerator
        )
        log.note("buying.overhead_per_accelerator", str(overhead_amount), GIVEN)
    else:
        overhead = defaults.default_overhead_fraction(chip, from_catalogue)
        overhead_fraction = log.use(
            "buying.overhead_fraction", buying.overhead_fraction, overhead
        )
    amortisation = log.use(
        "buying.amortisation_months",
        buying.amortisation_months,
        defaults.AMORTISATION_MONTHS,
    )
    checked("buying.amortisation_months", amortisation, 1)
    residual = _fraction(
        log,
        "buying.residual_fraction",
        buying.residual_fraction,
        defaults.RESIDUAL_FRACTION,
        zero_ok=True,
    )
    capital_rate = log.use(
        "buying.cost_of_capital_per_year",
        buying.cost_of_capital_per_year,
        defaults.COST_OF_CAPITAL,
    )
    busy_watts, idle_watts = _power(inputs, log)
    pue = log.use("buying.pue", buying.pue, defaults.PUE)
    kwh = _money_default(
        log,
        currency,
        "buying.price_per_kwh",
        buying.price_per_kwh,
        defaults.PRICE_PER_KWH_USD,
    )
    colocation = _money_default(
        log,
        currency,
        "buying.colocation_per_kw_month",
        buying.colocation_per_kw_month,
        defaults.COLOCATION_PER_KW_MONTH_USD,
    )
    operations = log.use(
        "buying.operations_fraction_per_year",
        buying.operations_fraction_per_year,
        defaults.OPERATIONS_FRACTION,
    )
    lead = log.use(
        "buying.lead_time_months", buying.lead_time_months, defaults.LEAD_TIME_MONTHS
    )
    count = buying.accelerator_count
    if count is not None:
        checked("buying.accelerator_count", count)
        log.note("buying.accelerator_count", count, GIVEN)
    rental = rentals_by_model(inputs.rental_prices, currency)
    for model, rent in rental.items():
        source = f"offer {rent.offer}" if rent.offer else GIVEN
        log.note(f"rental.{model}", str(rent.price_per_accelerator_hour), source)
    spot = _spot(inputs, log)
    job_instances = _spot_job(inputs, rental, central, log)

    return Settings(
        currency=currency,
        demand_hours=demand_hours,
        central_hours=central,
        utilisation=utilisation,
        owned_count=count,
        price=price,
        overhead_fraction=checked("buying.overhead_fraction", overhead_fraction),
        overhead_amount=overhead_amount,
        amortisation_months=amortisation,
        residual_fraction=residual,
        cost_of_capital_per_year=checked(
            "buying.cost_of_capital_per_year", capital_rate
        ),
        busy_watts=busy_watts,
        idle_watts=idle_watts,
        pue=checked("buying.pue", pue, 1),
        price_per_kwh=kwh,
        colocation_per_kw_month=colocation,
        operations_fraction_per_year=checked(
            "buying.operations_fraction_per_year", operations
        ),
        lead_time_months=int(checked("buying.lead_time_months", lead)),
        rental=rental,
        spot=spot,
        spot_job_instances=job_instances,
        edge=edge,
    ), log


def _fraction(
    log: AssumptionLog,
    name: str,
    given: float | None,
    default: Assumption[float],
    *,
    zero_ok: bool = False,
) -> Decimal:
    value = dec(log.use(name, given, default))
    return checked(name, value, 0, 1, above_minimum=not zero_ok)


def _price(inputs: TcoInputs, log: AssumptionLog) -> Decimal:
    chip, given = inputs.accelerator, inputs.buying.price_per_accelerator
    if given is not None:
        log.note("buying.price_per_accelerator", str(given), GIVEN)
        return checked("buying.price_per_accelerator", given, above_minimum=True)
    if chip.list_price is None:
        raise InvalidWorkload(
            "buying.price_per_accelerator",
            f"is required: the catalogue has no list price for {chip.id}",
        )
    if chip.list_price_currency != inputs.currency:
        raise InvalidWorkload(
            "buying.price_per_accelerator",
            f"is required: the list price of {chip.id} is in "
            f"{chip.list_price_currency}, the comparison in {inputs.currency}",
        )
    source = f"catalogue list price of {chip.id}: {chip.list_price_source or ''}"
    log.note("buying.price_per_accelerator", str(chip.list_price), source.strip())
    return chip.list_price


def _power(inputs: TcoInputs, log: AssumptionLog) -> tuple[Decimal, Decimal]:
    buying, chip = inputs.buying, inputs.accelerator
    chip_watts = buying.accelerator_power_watts
    if chip_watts is None:
        if chip.tdp_watts is None:
            raise InvalidWorkload(
                "buying.accelerator_power_watts",
                f"is required: the catalogue has no TDP for {chip.id}",
            )
        chip_watts = chip.tdp_watts
        log.note("buying.accelerator_power_watts", chip_watts, f"TDP of {chip.id}")
    else:
        log.note("buying.accelerator_power_watts", chip_watts, GIVEN)
    watts = checked("buying.accelerator_power_watts", chip_watts)
    host_default = defaults.default_host_power_watts(chip, chip_watts)
    host = log.use("buying.host_power_watts", buying.host_power_watts, host_default)
    busy = watts + checked("buying.host_power_watts", host)
    idle = _fraction(
        log,
        "buying.idle_power_fraction",
        buying.idle_power_fraction,
        defaults.IDLE_POWER_FRACTION,
        zero_ok=True,
    )
    return busy, busy * idle


def _money_default(
    log: AssumptionLog,
    currency: str,
    name: str,
    given: Decimal | None,
    default_usd: Assumption[str],
) -> Decimal:
    if given is None and currency != "USD":
        raise InvalidWorkload(
            name, f"is required: its default is in USD, not {currency}"
        )
    value = given if given is not None else Decimal(default_usd.value)
    log.note(name, str(value), GIVEN if given is not None else default_usd.source)
    return checked(name, value)


def _spot(inputs: TcoInputs, log: AssumptionLog) -> SpotAssumptions:
    given = inputs.spot.assumptions
    rate = log.use(
        "spot.interruptions_per_instance_hour",
        given.interruptions_per_instance_hour if given else None,
        defaults.SPOT_RATE,
    )
    checkpoint = log.use(
        "spot.checkpoint_interval_hours",
        given.checkpoint_interval_hours if given else None,
        defaults.SPOT_CHECKPOINT_HOURS,
    )
    restart = log.use(
        "spot.restart_hours",
        given.restart_hours if given else None,
        defaults.SPOT_RESTART_HOURS,
    )
    checked("spot.interruptions_per_instance_hour", rate)
    checked("spot.checkpoint_interval_hours", checkpoint)
    checked("spot.restart_hours", restart)
    return SpotAssumptions(rate, checkpoint, restart)


def _spot_job(
    inputs: TcoInputs,
    rental: Mapping[str, RentalPrice],
    central_hours: tuple[Decimal, ...],
    log: AssumptionLog,
) -> int | None:
    given = inputs.spot.job_instances
    if given is not None:
        checked("spot.job_instances", given, 1)
        log.note("spot.job_instances", given, GIVEN)
        return given
    price = rental.get(PricingModel.SPOT)
    if price is None:
        return None
    peak_accelerators = ceil(max(central_hours) / defaults.HOURS)
    instances = max(
        1, ceil(Decimal(peak_accelerators) / price.accelerators_per_instance)
    )
    log.note("spot.job_instances", instances, defaults.SPOT_JOB_INSTANCES_SOURCE)
    return instances
