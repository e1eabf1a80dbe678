"""What a quote answers: ranked options, the Pareto set, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from service.domain.catalog import PricedOffer
from service.domain.money import round_rate, split_rounded
from service.domain.planner.charges import Charge
from service.domain.planner.inputs import Objective
from service.domain.sizing import Estimate
from service.domain.workload import Assumption, AssumptionValue, WorkloadKind

GIB = 2**30


class Exclusion(StrEnum):
    """Why a (offer, pricing model) gave no option; checked in this order."""

    PROVIDER_FILTERED = "provider_filtered"
    REGION_FILTERED = "region_filtered"
    ACCELERATOR_FILTERED = "accelerator_filtered"
    PRICING_MODEL_FILTERED = "pricing_model_filtered"
    UNKNOWN_PRICING_MODEL = "unknown_pricing_model"
    CURRENCY_MISMATCH = "currency_mismatch"
    NON_POSITIVE_PRICE = "non_positive_price"
    UNKNOWN_ACCELERATOR = "unknown_accelerator"
    INFERENCE_ONLY_ACCELERATOR = "inference_only_accelerator"
    FRACTIONAL_ACCELERATORS = "fractional_accelerators"
    NO_PEAK_FOR_PRECISION = "no_peak_for_precision"
    NO_MEMORY_BANDWIDTH = "no_memory_bandwidth"
    DOES_NOT_FIT_MEMORY = "does_not_fit_memory"
    REPLICA_LARGER_THAN_INSTANCE = "replica_larger_than_instance"
    BATCH_TOO_SMALL_FOR_INSTANCE = "batch_too_small_for_instance"
    OVER_MAX_INSTANCES = "over_max_instances"
    OVER_MAX_ACCELERATORS = "over_max_accelerators"
    SPOT_NEVER_FINISHES = "spot_never_finishes"


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """An amount in named parts that add up exactly to the total, all rounded once."""

    parts: dict[str, Decimal]
    total: Decimal
    currency: str


def breakdown(
    charge: Charge, price_per_hour: Decimal, currency: str, unit: Decimal
) -> CostBreakdown:
    """Price a charge and round it, the parts summing to the total."""
    total, parts = split_rounded(charge.amounts(price_per_hour), unit)
    return CostBreakdown(dict(zip(charge.names, parts, strict=True)), total, currency)


@dataclass(frozen=True, slots=True)
class OptionOffer:
    """The offer and price an option runs on; prices are per hour."""

    offer_id: int
    provider: str
    region: str
    zone: str | None
    instance_type: str
    accelerator_id: str
    accelerators_per_instance: int
    pricing_model: str
    price_per_hour: Decimal
    price_per_accelerator_hour: Decimal
    currency: str


def option_offer(priced: PricedOffer, per_instance: int, unit: Decimal) -> OptionOffer:
    """Describe a priced offer; the per-accelerator price is a rounded rate."""
    offer = priced.offer
    per_accelerator = round_rate(priced.price_per_hour / per_instance, unit)
    return OptionOffer(
        offer_id=offer.id,
        provider=offer.provider,
        region=offer.region,
        zone=offer.zone,
        instance_type=offer.instance_type,
        accelerator_id=offer.accelerator_id,
        accelerators_per_instance=per_instance,
        pricing_model=priced.pricing_model,
        price_per_hour=priced.price_per_hour,
        price_per_accelerator_hour=per_accelerator,
        currency=priced.currency,
    )


@dataclass(frozen=True, slots=True)
class Memory:
    """Memory each accelerator holds and has usable; `note` when a lower bound."""

    per_accelerator_gib: float
    usable_per_accelerator_gib: float
    fits: bool
    note: str | None


def memory(per_accelerator_bytes: int, usable_bytes: int, note: str | None) -> Memory:
    """Return the memory figures in GiB."""
    return Memory(
        per_accelerator_bytes / GIB,
        usable_bytes / GIB,
        per_accelerator_bytes <= usable_bytes,
        note,
    )


@dataclass(frozen=True, slots=True)
class Place:
    """Another offer that gives the same option: same price, elsewhere."""

    offer_id: int
    region: str
    zone: str | None


@dataclass(frozen=True, slots=True)
class TrainingOption:
    """A training run on one offer and pricing model.

    `wall_clock_hours` is the expected time on spot. `accelerator_hours` is what
    is billed in use, accelerators x wall-clock hours; `ideal_accelerator_hours`
    is FLOPs / (peak x MFU) alone, with no scaling or interruption loss.
    `billed_instance_hours` is per instance: a reservation bills whole terms.
    """

    offer: OptionOffer
    instances: int
    accelerators: int
    memory: Memory
    peak_tflops: float
    mfu: float
    scaling_efficiency: float
    work_hours: float
    wall_clock_hours: float
    accelerator_hours: float
    ideal_accelerator_hours: float
    billed_instance_hours: float
    expected_interruptions: float | None
    reserved_terms: int | None
    model_parallel_degree: int
    zero_stage: int | None
    cost: CostBreakdown
    meets_deadline: bool | None
    within_budget: bool | None
    also_available_in: tuple[Place, ...] = ()


@dataclass(frozen=True, slots=True)
class InferenceOption:
    """A serving fleet on one offer and pricing model, running continuously.

    `served_requests_per_second` is the target when one is given, else the fleet's
    capacity; cost per million tokens divides the hourly cost by the output tokens
    served in an hour. `within_budget` reads the budget as per 30-day month.
    """

    offer: OptionOffer
    replica_accelerators: int
    replicas_per_instance: int
    replicas: int
    instances: int
    accelerators: int
    memory: Memory
    ttft_seconds: float
    tpot_seconds: float
    decode_bound: str
    replica_requests_per_second: float
    served_requests_per_second: float
    output_tokens_per_hour: float
    cost_per_hour: CostBreakdown
    cost_per_month: CostBreakdown
    cost_per_million_tokens: Decimal
    meets_ttft_target: bool | None
    meets_tpot_target: bool | None
    within_budget: bool | None
    also_available_in: tuple[Place, ...] = ()


Option = TrainingOption | InferenceOption


@dataclass(frozen=True, slots=True)
class Quote:
    """Options ranked by the objective, the Pareto set, and what was left out.

    `considered` counts every feasible option before `limit` cut the list, so
    considered + sum(excluded.values()) == the number of priced offers given.
    `pareto` holds the options no other beats on both cost and time (training:
    total cost and wall-clock hours; inference: cost per million tokens and time
    per output token), cheapest first.
    """

    kind: WorkloadKind
    objective: Objective
    currency: str
    options: tuple[Option, ...]
    pareto: tuple[Option, ...]
    considered: int
    excluded: dict[str, int]
    assumptions: dict[str, Assumption[AssumptionValue]]
    estimate: Estimate
