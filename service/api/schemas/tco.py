"""Request and response bodies of POST /v1/tco: buying accelerators against renting."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from service.api.schemas.common import (
    MAX_ID,
    Instant,
    Int,
    MoneyAmount,
    NotBoolean,
    Real,
    StrictModel,
)
from service.api.schemas.estimates import AssumptionRead
from service.api.schemas.quotes import Currency, Name
from service.api.schemas.workload import WorkloadIn
from service.domain.tco import Strategy

# The domain's bound: a trillion accelerator-hours a month (1.4 billion accelerators).
MAX_HOURS_PER_MONTH = 10**12
# Less is no question of ownership, and dividing by it gives absurd hourly prices.
MIN_HOURS_PER_MONTH = 0.001
MAX_MONTHS = 600
DEMAND_SOURCES = ("accelerator_hours_per_month", "workload", "plan_id")

# The bounds come before NotBoolean so that OpenAPI shows them as minimum and
# maximum; after a validator pydantic can only check them, not publish them.
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS_PER_MONTH), NotBoolean]
Share = Annotated[float, Field(ge=0, le=1), NotBoolean]
Watts = Annotated[float, Field(ge=0, le=100_000), NotBoolean]
Months = Annotated[int, Field(ge=1, le=MAX_MONTHS), NotBoolean]
LeadMonths = Annotated[int, Field(ge=0, le=MAX_MONTHS), NotBoolean]
Count = Annotated[int, Field(ge=0, le=100_000_000), NotBoolean]
OfferId = Annotated[int, Field(ge=1, le=MAX_ID), NotBoolean]
Instances = Annotated[int, Field(ge=1, le=100_000_000), NotBoolean]
PerHour = Annotated[float, Field(ge=0, le=100), NotBoolean]
MonthlyShare = Annotated[float, Field(ge=0, lt=1), NotBoolean]
Interval = Annotated[float, Field(gt=0, le=10_000), NotBoolean]
Delay = Annotated[float, Field(ge=0, le=10_000), NotBoolean]
# Money bounds keep every amount of an answer far below 10^24.
Price = Annotated[Decimal, Field(gt=0, le=10**9, max_digits=20, decimal_places=6)]
Amount = Annotated[Decimal, Field(ge=0, le=10**9, max_digits=20, decimal_places=6)]
Rent = Annotated[Decimal, Field(ge=0, le=10**6, max_digits=20, decimal_places=6)]
Rate = Annotated[Decimal, Field(ge=0, le=1000, max_digits=20, decimal_places=6)]


def _check_hours(value: object) -> object:
    # One clear error at the field, instead of one per member of the union.
    values = value if isinstance(value, list) else [value]
    if not 1 <= len(values) <= MAX_MONTHS:
        raise ValueError(f"give 1 to {MAX_MONTHS} months, got {len(values)}")
    for month, hours in enumerate(values):
        where = f"month {month}: " if isinstance(value, list) else ""
        if isinstance(hours, bool) or not isinstance(hours, int | float):
            raise ValueError(f"{where}a number of accelerator-hours is expected")
        if not (hours == 0 or MIN_HOURS_PER_MONTH <= hours <= MAX_HOURS_PER_MONTH):
            raise ValueError(
                f"{where}must be 0 or {MIN_HOURS_PER_MONTH} to "
                f"{MAX_HOURS_PER_MONTH:.0e} accelerator-hours, got {hours}"
            )
    return value


MonthlyHours = Annotated[
    Hours | Annotated[list[Hours], Field(min_length=1, max_length=MAX_MONTHS)],
    BeforeValidator(_check_hours),
]


def _given(name: str) -> JsonDict:
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


class DemandIn(StrictModel):
    """The work to serve each month: hours given, or derived from a job or a plan."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                _given("accelerator_hours_per_month")
                | {"not": {"required": ["runs_per_month"]}},
                _given("workload"),
                _given("plan_id"),
            ]
        }
    )

    accelerator_hours_per_month: MonthlyHours | None = Field(
        default=None,
        description="Accelerator-hours of work a month: one figure for every month, "
        f"or a list with one per month of the horizon; each 0 or at least "
        f"{MIN_HOURS_PER_MONTH}.",
        examples=[299_008, [100_000, 200_000, 300_000]],
    )
    workload: WorkloadIn | None = Field(
        default=None,
        description="A job whose accelerator-hours on this accelerator "
        "(as `POST /v1/estimates` gives them) run `runs_per_month` times a month.",
    )
    plan_id: str | None = Field(
        default=None,
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-f-]{36}$",
        description="A saved plan of the key's team: its workload, as for `workload`.",
    )
    runs_per_month: Real = Field(
        default=1,
        gt=0,
        le=1_000_000,
        description="Runs of the workload or plan's job a month; not with "
        "`accelerator_hours_per_month`.",
        examples=[4],
    )
    horizon_months: Int = Field(ge=1, le=MAX_MONTHS, examples=[36])
    utilisation: Annotated[float, Field(ge=0.01, le=1), NotBoolean] | None = Field(
        default=None,
        description="Share of its hours an owned accelerator does work, 0.01 to 1; "
        "default 0.8 (echoed in `assumptions`).",
        examples=[0.8],
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [name for name in DEMAND_SOURCES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(DEMAND_SOURCES)}; got "
                f"{', '.join(given) or 'none'}"
            )
        if given[0] == DEMAND_SOURCES[0] and "runs_per_month" in self.model_fields_set:
            raise ValueError("runs_per_month applies to a workload or a plan only")
        return self


class BuyingIn(StrictModel):
    """What owning costs; anything left out takes its documented default."""

    accelerator_count: Count | None = Field(
        default=None,
        description="Own this many; default: the fewest that serve the peak month.",
        examples=[512],
    )
    price_per_accelerator: Price | None = Field(
        default=None,
        description="Purchase price of one accelerator; default the catalogue's list "
        "price.",
    )
    overhead_fraction: Annotated[float, Field(ge=0, le=10), NotBoolean] | None = Field(
        default=None,
        description="Server, network and storage on top of the price, as a share of "
        "it; default by what the list price covers.",
    )
    overhead_per_accelerator: Amount | None = Field(
        default=None, description="An amount instead of `overhead_fraction`."
    )
    amortisation_months: Months | None = Field(default=None, examples=[48])
    residual_fraction: Share | None = Field(
        default=None, description="Book value left at the end of amortisation."
    )
    cost_of_capital_per_year: Share | None = Field(
        default=None, description="0 for the cash view only.", examples=[0.08]
    )
    accelerator_power_watts: Watts | None = Field(
        default=None, description="Default the accelerator's TDP."
    )
    host_power_watts: Watts | None = Field(
        default=None, description="CPUs, switches and fans, per accelerator."
    )
    idle_power_fraction: Share | None = Field(
        default=None, description="Idle draw as a share of the busy draw."
    )
    pue: Annotated[float, Field(ge=1, le=5), NotBoolean] | None = Field(
        default=None, description="Power usage effectiveness.", examples=[1.3]
    )
    price_per_kwh: Rate | None = Field(default=None, examples=["0.08"])
    colocation_per_kw_month: Rent | None = Field(
        default=None, description="Per kW of IT load a month."
    )
    operations_fraction_per_year: Share | None = Field(
        default=None, description="Maintenance, as a share of capital a year."
    )
    lead_time_months: LeadMonths | None = Field(
        default=None,
        description="Months from order to use; their demand is rented on demand.",
    )


class RentalIn(StrictModel):
    """Which offers to rent from and at what instant's prices."""

    offer_ids: list[OfferId] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Only these offers (of the accelerator); default every one.",
    )
    as_of: Instant | None = Field(
        default=None, description="Price at this instant (ISO 8601); default now."
    )


class SpotIn(StrictModel):
    """Interruptions of spot capacity; each value left out takes its default."""

    interruptions_per_instance_hour: PerHour | None = Field(
        default=None, description="Wins over `interruptions_per_month`."
    )
    interruptions_per_month: MonthlyShare | None = Field(
        default=None,
        description="Share of instances interrupted in a month.",
        examples=[0.15],
    )
    checkpoint_interval_hours: Interval | None = None
    restart_hours: Delay | None = Field(
        default=None, description="Hours to get capacity back and reload."
    )
    job_instances: Instances | None = Field(
        default=None,
        description="Instances running as one synchronous job; default the peak "
        "month's whole fleet.",
    )


class EdgeIn(StrictModel):
    """Devices near the data doing a share of the work, and the data they move."""

    device_count: Count
    unit_cost: Amount
    power_watts: Watts
    lifetime_months: Months
    work_share: Share = Field(description="Share of the work done at the edge.")
    transfer_gb_per_month: Annotated[float, Field(ge=0, le=10**12), NotBoolean] = 0
    price_per_gb: Rate = Decimal(0)


class TcoRequest(StrictModel):
    """Buying an accelerator against renting it, for some demand over a horizon."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accelerator": "H100",
                    "demand": {
                        "accelerator_hours_per_month": 299_008,
                        "horizon_months": 36,
                        "utilisation": 0.8,
                    },
                    "buying": {"accelerator_count": 512},
                    "rental": {"as_of": "2026-06-01T00:00:00Z"},
                }
            ]
        }
    )

    accelerator: Name = Field(description="An id or alias.", examples=["H100"])
    demand: DemandIn
    buying: BuyingIn = Field(default_factory=BuyingIn)
    rental: RentalIn = Field(default_factory=RentalIn)
    spot: SpotIn = Field(default_factory=SpotIn)
    edge: EdgeIn | None = None
    currency: Currency = "USD"


class DemandRead(BaseModel):
    """The demand compared, and where it came from."""

    source: Literal["accelerator_hours_per_month", "workload", "plan_id"]
    plan_id: str | None
    accelerator_hours_per_run: float | None = Field(
        description="The job's accelerator-hours on this accelerator."
    )
    runs_per_month: float | None
    accelerator_hours_per_month: list[float] = Field(description="One per month.")


class CostPartsRead(BaseModel):
    """Parts of a total, each rounded on its own: their sum may differ by cents."""

    capital: MoneyAmount
    cost_of_capital: MoneyAmount = Field(description="An imputed charge.")
    power: MoneyAmount
    colocation: MoneyAmount
    operations: MoneyAmount
    cloud: MoneyAmount
    reserved_beyond_horizon: MoneyAmount = Field(
        description="Reserved terms charged for months after the horizon."
    )
    edge: MoneyAmount
    transfer: MoneyAmount
    residual_value: MoneyAmount = Field(description="Negative: money back at the end.")


class StrategyRead(BaseModel):
    """One strategy over the horizon, or why it cannot be priced."""

    strategy: Strategy
    available: bool
    reason: str | None
    total: MoneyAmount | None
    parts: CostPartsRead | None
    cash_flow_per_month: list[MoneyAmount] = Field(
        description="Capital when paid, residual value back in the last month."
    )
    amortised_cost_per_month: list[MoneyAmount] = Field(
        description="Capital less residual spread straight-line."
    )
    owned_accelerators: int
    reserved_accelerators: int
    accelerator_hours_delivered: float
    owned_accelerator_hours: float
    rented_accelerator_hours: float = Field(description="Hours paid for.")
    effective_price_per_accelerator_hour: MoneyAmount | None = Field(
        description="Total / accelerator-hours delivered."
    )
    note: str | None


class OwnedUnitCostsRead(BaseModel):
    """One owned accelerator over the months it is owned.

    fixed_per_owned_hour = (capital - residual + cost of capital + (colocation +
    operations + idle power per month) x owned months) / (730 x owned months).
    """

    capital: MoneyAmount
    owned_months: int
    depreciation_per_month: MoneyAmount
    residual_value: MoneyAmount
    monthly_capital_rate: float
    cost_of_capital: MoneyAmount
    colocation_per_month: MoneyAmount
    operations_per_month: MoneyAmount
    idle_power_per_hour: MoneyAmount
    busy_power_per_hour: MoneyAmount
    fixed_per_owned_hour: MoneyAmount | None = Field(
        description="Null when the lead time leaves no owned month."
    )
    variable_per_used_hour: MoneyAmount = Field(description="Power above idle.")


class BreakEvenRead(BaseModel):
    """The owned utilisation at which buying costs what renting does per used hour.

    u solves fixed_per_owned_hour / u + variable_per_used_hour = the rental price
    of an hour of work; null, with the reason, when no u in (0, 1] does.
    """

    pricing_model: str
    rental_price_per_accelerator_hour: MoneyAmount = Field(
        description="Spot: its price x paid hours per hour of work."
    )
    utilisation: float | None
    reason: str | None


class SensitivityRead(BaseModel):
    """Totals when one input moves by a factor, and the strategy then cheapest."""

    name: str
    factor: float
    totals: dict[Strategy, MoneyAmount | None]
    cheapest: Strategy | None


class RentalOfferRead(BaseModel):
    """The offer whose price a rental strategy uses."""

    pricing_model: str
    offer_id: int
    provider: str
    region: str
    instance_type: str
    accelerators_per_instance: int
    price_per_hour: MoneyAmount = Field(description="Per instance-hour.")
    price_per_accelerator_hour: MoneyAmount


class TcoRead(BaseModel):
    """Buying against renting against a hybrid, with every figure to check it by."""

    accelerator: str
    currency: str
    horizon_months: int
    as_of: datetime = Field(description="The instant whose prices were used.")
    catalog_version: int
    demand: DemandRead
    strategies: list[StrategyRead]
    cheapest: Strategy | None
    hybrid_owned_accelerators: int | None = Field(
        description="The owned count of the cheapest hybrid; the rest on demand."
    )
    owned_unit_costs: OwnedUnitCostsRead
    break_even: list[BreakEvenRead] = Field(description="Per rental pricing model.")
    sensitivity: list[SensitivityRead] = Field(
        description="Utilisation, rental prices and purchase price each x0.8, x1.2."
    )
    rental_offers: list[RentalOfferRead] = Field(
        description="The cheapest offer per pricing model at `as_of`."
    )
    assumptions: dict[str, AssumptionRead]
