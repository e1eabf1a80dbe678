"""Request and response bodies of quotes and saved plans."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import Instant, Int, MoneyAmount, Real, StrictModel
from service.api.schemas.estimates import AssumptionRead
from service.api.schemas.workload import WorkloadIn

Name = Annotated[str, Field(min_length=1, max_length=64)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"])]


class BudgetIn(StrictModel):
    """The most the job may cost."""

    amount: Decimal = Field(gt=0, le=10**12, max_digits=20, decimal_places=6)
    currency: Currency = "USD"


class ConstraintsIn(StrictModel):
    """Limits on the options; anything left out is free."""

    deadline_hours: Real | None = Field(
        default=None, gt=0, le=1_000_000, description="Training must end within."
    )
    budget: BudgetIn | None = None
    providers: list[Name] | None = Field(default=None, max_length=50)
    regions: list[Name] | None = Field(default=None, max_length=500)
    accelerators: list[Name] | None = Field(
        default=None, max_length=100, description="Ids or aliases, e.g. `H100`."
    )
    pricing_models: list[Name] | None = Field(
        default=None, max_length=20, examples=[["on_demand", "spot"]]
    )
    max_accelerators: Int | None = Field(default=None, ge=1, le=10_000_000)
    max_instances: Int | None = Field(default=None, ge=1, le=1_000_000)


Share = Annotated[Real, Field(ge=0, lt=1)]


class PricingIn(StrictModel):
    """Overrides of the pricing assumptions; the defaults are echoed with sources."""

    spot_monthly_interruption_fraction: dict[Name, Share] = Field(
        default_factory=dict,
        max_length=50,
        description="Per provider: share of spot instances interrupted a month.",
        examples=[{"aws": 0.1}],
    )
    spot_interruptions_per_instance_hour: dict[
        Name, Annotated[Real, Field(ge=0, le=100)]
    ] = Field(
        default_factory=dict,
        max_length=50,
        description="Per provider: interruptions per instance-hour (wins over the "
        "monthly share).",
    )
    checkpoint_interval_hours: Real | None = Field(default=None, gt=0, le=10_000)
    restart_hours: Real | None = Field(default=None, ge=0, le=10_000)
    reserved_utilization_elsewhere: Real | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of a reservation's idle hours that other work uses; the "
        "rest is charged to this job.",
    )
    scaling_overhead_fast_interconnect: Real | None = Field(default=None, ge=0, le=0.5)
    scaling_overhead_slow_interconnect: Real | None = Field(default=None, ge=0, le=0.5)


class QuoteRequest(StrictModel):
    """A workload and how to rank the ways to run it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workload": {
                        "kind": "pretraining",
                        "model": {"preset": "llama-2-7b"},
                        "training": {
                            "tokens": 2_000_000_000_000,
                            "sequence_length": 4096,
                        },
                    },
                    "constraints": {"deadline_hours": 720},
                    "objective": "cost",
                    "limit": 10,
                }
            ]
        }
    )

    workload: WorkloadIn
    constraints: ConstraintsIn = Field(default_factory=ConstraintsIn)
    objective: Literal["cost", "time"] = "cost"
    pricing: PricingIn = Field(default_factory=PricingIn)
    as_of: Instant | None = Field(
        default=None, description="Price at this instant (ISO 8601); default now."
    )
    limit: Int = Field(default=10, ge=1, le=200, description="Options to return.")


class CostRead(BaseModel):
    """An amount in named parts that add up exactly to the total."""

    parts: dict[str, MoneyAmount]
    total: MoneyAmount
    currency: str


class PlaceRead(BaseModel):
    """Another offer giving the same option (same price and instance type)."""

    offer_id: int
    region: str
    zone: str | None


class OfferPart(BaseModel):
    """The offer and price an option runs on."""

    offer_id: int
    provider: str
    region: str
    zone: str | None
    instance_type: str
    accelerator: str
    accelerators_per_instance: int
    pricing_model: str
    price_per_hour: MoneyAmount = Field(description="Per instance-hour.")
    price_per_accelerator_hour: MoneyAmount
    currency: str
    also_available_in: list[PlaceRead] = Field(
        description="Offers in other places (regions, zones) that give this same "
        "option at the same price."
    )


class TrainingOptionRead(OfferPart):
    """One way to run a training job."""

    type: Literal["training_run"] = "training_run"
    instances: int
    accelerators: int
    memory_per_accelerator_gib: float
    usable_memory_per_accelerator_gib: float
    fits: bool
    memory_note: str | None
    peak_tflops: float
    mfu: float
    scaling_efficiency: float
    work_hours: float = Field(description="Uninterrupted wall-clock hours.")
    wall_clock_hours: float = Field(description="Expected wall-clock hours.")
    accelerator_hours: float = Field(description="Accelerators x wall-clock hours.")
    ideal_accelerator_hours: float = Field(description="FLOPs / (peak x MFU).")
    billed_instance_hours: float
    expected_interruptions: float | None
    reserved_terms: int | None
    model_parallel_degree: int = Field(
        description="Tensor-parallel degree this option assumes (within an instance)."
    )
    zero_stage: int | None = Field(description="ZeRO stage this option assumes.")
    cost: CostRead
    meets_deadline: bool | None
    within_budget: bool | None


class InferenceOptionRead(OfferPart):
    """One serving fleet, running continuously."""

    type: Literal["serving_fleet"] = "serving_fleet"
    replica_accelerators: int
    replicas_per_instance: int
    replicas: int
    instances: int
    accelerators: int
    memory_per_accelerator_gib: float
    usable_memory_per_accelerator_gib: float
    fits: bool
    memory_note: str | None
    ttft_seconds: float
    tpot_seconds: float
    decode_bound: str
    replica_requests_per_second: float
    served_requests_per_second: float
    output_tokens_per_hour: float
    cost_per_hour: CostRead
    cost_per_month: CostRead = Field(description="30 days, 720 hours.")
    cost_per_million_tokens: MoneyAmount
    meets_ttft_target: bool | None
    meets_tpot_target: bool | None
    within_budget: bool | None


OptionRead = Annotated[
    TrainingOptionRead | InferenceOptionRead, Field(discriminator="type")
]


class QuoteRead(BaseModel):
    """Options ranked by the objective, the Pareto set, and what was left out."""

    kind: str
    objective: str
    as_of: datetime = Field(description="The instant whose prices were used.")
    catalog_version: int
    currency: str
    options: list[OptionRead]
    pareto: list[OptionRead] = Field(
        description="Options no other beats on both cost and time, cheapest first."
    )
    considered: int = Field(description="Feasible options before `limit`.")
    excluded: dict[str, int] = Field(
        description="(offer, pricing model) pairs left out, by reason."
    )
    assumptions: dict[str, AssumptionRead]


class PlanCreate(QuoteRequest):
    """A quote request to save under a name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "llama 2 7b within 30 days",
                    "workload": {
                        "kind": "pretraining",
                        "model": {"preset": "llama-2-7b"},
                        "training": {
                            "tokens": 2_000_000_000_000,
                            "sequence_length": 4096,
                        },
                    },
                    "constraints": {"deadline_hours": 720},
                    "limit": 5,
                }
            ]
        }
    )

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
        description="Printable text, not only spaces.",
    )


class PlanRead(BaseModel):
    """A saved quote: its request, its answer and the instant of its prices."""

    id: str
    name: str
    as_of: datetime
    catalog_version: int
    created_at: datetime
    request: dict[str, object]
    quote: QuoteRead


class PlanSummary(BaseModel):
    """A saved plan in a list."""

    id: str
    name: str
    as_of: datetime
    created_at: datetime
    best_total: MoneyAmount | None = Field(description="The first option's total.")
    currency: str


class RepriceRequest(StrictModel):
    """The instant to price a saved plan at."""

    as_of: Instant | None = Field(default=None, description="Default now.")


class OptionChange(BaseModel):
    """How one option of the saved answer fares at the new instant."""

    offer_id: int
    provider: str
    region: str
    instance_type: str
    pricing_model: str
    change: Literal["price_up", "price_down", "unchanged", "offer_gone", "new_offer"]
    price_per_hour_before: MoneyAmount | None
    price_per_hour_after: MoneyAmount | None
    total_before: MoneyAmount | None
    total_after: MoneyAmount | None


class RepriceRead(BaseModel):
    """A saved plan priced again at another instant, and what changed."""

    plan_id: str
    as_of_before: datetime
    as_of_after: datetime
    currency: str
    best_total_before: MoneyAmount | None
    best_total_after: MoneyAmount | None
    changes: list[OptionChange]
    new_cheaper_options: list[OptionRead] = Field(
        description="Options now cheaper than the saved best that it did not list."
    )
    quote: QuoteRead
