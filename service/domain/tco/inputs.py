"""Inputs of a TCO comparison: demand, buying, renting, spot and edge assumptions.

A field left None takes the documented default of `service/domain/tco/defaults.py`,
and the comparison echoes the value used, with its source, in `assumptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

from service.domain.catalog import Accelerator, PricingModel
from service.domain.errors import InvalidWorkload
from service.domain.spot import SpotAssumptions

Number = Decimal | float | int


class Strategy(StrEnum):
    """Ways to get the compute; on equal totals `cheapest` takes the first listed.

    The hybrid comes last: with 0 owned it is on-demand renting, with the whole
    fleet it is buying, and it is named cheapest only when it beats both.
    """

    BUY = "buy"
    RENT_ON_DEMAND = "rent_on_demand"
    RENT_SPOT = "rent_spot"
    RENT_RESERVED_1Y = "rent_reserved_1y"
    RENT_RESERVED_3Y = "rent_reserved_3y"
    HYBRID = "hybrid"


RENTAL_MODELS: tuple[str, ...] = (
    PricingModel.ON_DEMAND,
    PricingModel.SPOT,
    PricingModel.RESERVED_1Y,
    PricingModel.RESERVED_3Y,
)


@dataclass(frozen=True, slots=True)
class Demand:
    """Accelerator-hours of work each month, and the utilisation owned hardware reaches.

    `accelerator_hours_per_month` is one flat figure for every month of the horizon,
    or one figure per month (as many as `horizon_months`).
    """

    accelerator_hours_per_month: Number | tuple[Number, ...]
    horizon_months: int
    utilisation: float | None = None


@dataclass(frozen=True, slots=True)
class BuyingAssumptions:
    """What owning costs; None takes the documented default.

    `accelerator_count` owns that many instead of sizing the fleet to the peak month.
    `overhead_per_accelerator` (an amount) replaces `overhead_fraction` when given.
    """

    accelerator_count: int | None = None
    price_per_accelerator: Decimal | None = None
    overhead_fraction: float | None = None
    overhead_per_accelerator: Decimal | None = None
    amortisation_months: int | None = None
    residual_fraction: float | None = None
    cost_of_capital_per_year: float | None = None
    accelerator_power_watts: float | None = None
    host_power_watts: float | None = None
    idle_power_fraction: float | None = None
    pue: float | None = None
    price_per_kwh: Decimal | None = None
    colocation_per_kw_month: Decimal | None = None
    operations_fraction_per_year: float | None = None
    lead_time_months: int | None = None


@dataclass(frozen=True, slots=True)
class RentalPrice:
    """The price of one ACCELERATOR-hour under one pricing model, and its offer."""

    pricing_model: str
    price_per_accelerator_hour: Decimal
    currency: str
    offer: str = ""
    offer_id: int | None = None
    accelerators_per_instance: int = 1


@dataclass(frozen=True, slots=True)
class SpotInputs:
    """Interruptions of spot capacity; `job_instances` run as one synchronous job."""

    assumptions: SpotAssumptions | None = None
    job_instances: int | None = None


@dataclass(frozen=True, slots=True)
class EdgeInputs:
    """Devices near the data doing `work_share` of the work, and the data they move.

    Devices are charged straight-line over their lifetime for each month of the
    horizon (a lease view, no resale), their power at the data centre's price per
    kWh without PUE (judgement: edge rooms have no data-centre cooling plant).
    """

    device_count: int
    unit_cost: Decimal
    power_watts: float
    lifetime_months: int
    work_share: float
    transfer_gb_per_month: float = 0.0
    price_per_gb: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class TcoInputs:
    """Everything a comparison of buying, renting and a hybrid needs."""

    accelerator: Accelerator
    demand: Demand
    rental_prices: tuple[RentalPrice, ...] = ()
    buying: BuyingAssumptions = field(default_factory=BuyingAssumptions)
    spot: SpotInputs = field(default_factory=SpotInputs)
    edge: EdgeInputs | None = None
    currency: str = "USD"


def dec(value: Number) -> Decimal:
    """Convert a number to Decimal as written; floats go through repr, not binary."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))


def ceil(value: Decimal) -> int:
    """The smallest integer at or above a Decimal."""
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def floor(value: Decimal) -> int:
    """The largest integer at or below a Decimal."""
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def checked(
    field_name: str,
    value: Number,
    minimum: Decimal | int = 0,
    maximum: Decimal | int | None = None,
    *,
    above_minimum: bool = False,
) -> Decimal:
    """Return a value as Decimal, raising InvalidWorkload outside its range."""
    amount = dec(value)
    if not amount.is_finite():
        raise InvalidWorkload(field_name, f"must be a finite number, got {value}")
    low = amount <= minimum if above_minimum else amount < minimum
    if low:
        word = "above" if above_minimum else "at least"
        raise InvalidWorkload(field_name, f"must be {word} {minimum}, got {value}")
    if maximum is not None and amount > maximum:
        raise InvalidWorkload(field_name, f"must be at most {maximum}, got {value}")
    return amount


def monthly_demand(demand: Demand) -> tuple[Decimal, ...]:
    """Return the accelerator-hours of each month of the horizon, validated."""
    months = demand.horizon_months
    if not 1 <= months <= 600:
        raise InvalidWorkload(
            "demand.horizon_months", f"must be 1 to 600 months, got {months}"
        )
    given = demand.accelerator_hours_per_month
    if isinstance(given, tuple):
        if len(given) != months:
            raise InvalidWorkload(
                "demand.accelerator_hours_per_month",
                f"has {len(given)} months, the horizon {months}",
            )
        values = given
    else:
        values = (given,) * months
    # A trillion hours a month (1.4 billion accelerators) bounds the exact sums.
    return tuple(
        checked(f"demand.accelerator_hours_per_month[{i}]", v, 0, 10**12)
        for i, v in enumerate(values)
    )


def rentals_by_model(
    prices: tuple[RentalPrice, ...], currency: str
) -> dict[str, RentalPrice]:
    """Index rental prices by pricing model, rejecting duplicates and mixed money."""
    by_model: dict[str, RentalPrice] = {}
    for i, price in enumerate(prices):
        where = f"rental_prices[{i}]"
        if price.pricing_model not in RENTAL_MODELS:
            known = ", ".join(RENTAL_MODELS)
            raise InvalidWorkload(f"{where}.pricing_model", f"must be one of {known}")
        if price.pricing_model in by_model:
            raise InvalidWorkload(where, f"a second {price.pricing_model} price")
        if price.currency != currency:
            raise InvalidWorkload(
                f"{where}.currency", f"is {price.currency}, the comparison {currency}"
            )
        checked(
            f"{where}.price_per_accelerator_hour",
            price.price_per_accelerator_hour,
            above_minimum=True,
        )
        checked(
            f"{where}.accelerators_per_instance", price.accelerators_per_instance, 1
        )
        by_model[price.pricing_model] = price
    return by_model


def checked_edge(edge: EdgeInputs | None) -> EdgeInputs | None:
    """Return the edge inputs, raising InvalidWorkload for an impossible one."""
    if edge is None:
        return None
    checked("edge.device_count", edge.device_count)
    checked("edge.unit_cost", edge.unit_cost)
    checked("edge.power_watts", edge.power_watts)
    checked("edge.lifetime_months", edge.lifetime_months, 1)
    checked("edge.work_share", edge.work_share, 0, 1)
    checked("edge.transfer_gb_per_month", edge.transfer_gb_per_month)
    checked("edge.price_per_gb", edge.price_per_gb)
    return edge
