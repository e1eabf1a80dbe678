"""Serving fleets: replicas and instances per accelerator shape, charged per hour.

A replica runs inside one instance (tensor parallelism across instances is left
out). Its size starts at the fewest accelerators that hold the weights and KV cache
(sizing.min_accelerator_count) and doubles, within the instance and dividing the
attention heads, until the replica meets the TTFT and TPOT targets; when none
does, the fastest is taken and flagged. Replicas cover the target requests per
second (inference.inference_performance gives one replica's rate), or fill one
instance when no target is given. A fleet runs continuously: a reservation is
fully used, and spot adds the spare capacity of spot.fleet_spare_fraction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from service.domain.catalog import Accelerator, PricedOffer
from service.domain.inference import InferencePerformance
from service.domain.money import round_rate
from service.domain.planner.charges import Charge, fleet_charge, to_decimal
from service.domain.planner.defaults import HOURS_PER_SERVING_MONTH
from service.domain.planner.inputs import Constraints
from service.domain.planner.options import (
    Exclusion,
    InferenceOption,
    breakdown,
    memory,
    option_offer,
)
from service.domain.sizing import AcceleratorFit
from service.domain.spot import SpotAssumptions, fleet_spare_fraction
from service.domain.workload import Workload

SECONDS_PER_HOUR = 3600
TOKENS_PER_MILLION = Decimal(1_000_000)


@dataclass(slots=True)
class FleetShape:
    """The fleet one shape needs for the target load."""

    fit: AcceleratorFit
    per_instance: int
    performance: InferencePerformance
    replicas_per_instance: int
    replicas: int
    instances: int
    served_requests_per_second: float
    output_tokens_per_hour: float


@dataclass(slots=True)
class FleetPlan:
    """A fleet under one pricing model: its hourly charge and per million tokens."""

    shape: FleetShape
    charge: Charge
    per_million_tokens: Charge

    def cost_per_million_tokens(
        self, price_per_hour: Decimal, unit: Decimal
    ) -> Decimal:
        """Return the cost of a million output tokens at an hourly price, as a rate."""
        amounts = self.per_million_tokens.amounts(price_per_hour)
        return round_rate(sum(amounts, Decimal(0)), unit)

    def rank_time(self) -> float:
        """Return the time the ranking compares: seconds per output token."""
        return self.shape.performance.tpot_seconds

    def rank_cost(self, price_per_hour: Decimal, unit: Decimal) -> Decimal:
        """Return the cost the ranking compares: per million output tokens."""
        return self.cost_per_million_tokens(price_per_hour, unit)


def _replica_sizes(workload: Workload, fewest: int, per_instance: int) -> list[int]:
    """Return the replica sizes tried: the fewest, doubled while they fit and split."""
    if workload.assumptions.model_parallel_degree is not None:
        return [fewest] if fewest <= per_instance else []
    heads = workload.model.attention_heads
    sizes, size = [], fewest
    while size <= per_instance:
        if not heads or heads % size == 0:
            sizes.append(size)
        size *= 2
    return sizes


def _meets(performance: InferencePerformance) -> bool:
    return performance.meets_ttft_target is not False and (
        performance.meets_tpot_target is not False
    )


def size_fleet(
    workload: Workload,
    fit: AcceleratorFit,
    accelerator: Accelerator,
    per_instance: int,
    constraints: Constraints,
    performance_of: Callable[[int], InferencePerformance],
) -> FleetShape | Exclusion:
    """Return the fleet a shape needs for the target load, or why it cannot serve.

    `performance_of` gives a replica's performance on this accelerator by size.
    """
    if fit.peak_tflops is None:
        return Exclusion.NO_PEAK_FOR_PRECISION
    if accelerator.memory_bandwidth_gbps is None:
        return Exclusion.NO_MEMORY_BANDWIDTH
    fewest = fit.min_count.count
    if fewest is None:
        return Exclusion.DOES_NOT_FIT_MEMORY
    sizes = _replica_sizes(workload, fewest, per_instance)
    if not sizes:
        return Exclusion.REPLICA_LARGER_THAN_INSTANCE
    tried = []
    for size in sizes:
        tried.append(performance_of(size))
        if _meets(tried[-1]):
            break
    chosen = (
        tried[-1]
        if _meets(tried[-1])
        else min(tried, key=lambda p: (p.tpot_seconds, p.ttft_seconds))
    )
    size = chosen.replica_accelerators
    per_instance_replicas = per_instance // size
    spec = workload.inference
    assert spec is not None, "an inference workload has its spec"
    target = spec.requests_per_second
    replicas = chosen.replicas_for_target or per_instance_replicas
    instances = math.ceil(replicas / per_instance_replicas)
    if constraints.max_instances is not None and instances > constraints.max_instances:
        return Exclusion.OVER_MAX_INSTANCES
    most = constraints.max_accelerators
    if most is not None and instances * per_instance > most:
        return Exclusion.OVER_MAX_ACCELERATORS
    served = target or replicas * chosen.requests_per_second
    return FleetShape(
        fit=fit,
        per_instance=per_instance,
        performance=chosen,
        replicas_per_instance=per_instance_replicas,
        replicas=replicas,
        instances=instances,
        served_requests_per_second=served,
        output_tokens_per_hour=served * spec.output_tokens * SECONDS_PER_HOUR,
    )


def plan_fleet(shape: FleetShape, spot: SpotAssumptions | None) -> FleetPlan:
    """Return what a fleet costs an hour, with spot's spare capacity if on spot."""
    spare = 0.0 if spot is None else fleet_spare_fraction(spot)
    charge = fleet_charge(shape.instances, spare)
    millions_per_hour = to_decimal(shape.output_tokens_per_hour) / TOKENS_PER_MILLION
    return FleetPlan(shape, charge, charge.scaled(1 / millions_per_hour))


def fleet_option(
    priced: PricedOffer,
    plan: FleetPlan,
    held_bytes: int,
    constraints: Constraints,
    unit: Decimal,
) -> InferenceOption:
    """Describe a fleet on one offer, holding some bytes per accelerator, costed."""
    shape, performance = plan.shape, plan.shape.performance
    count = shape.fit.min_count
    price, currency = priced.price_per_hour, priced.currency
    month = plan.charge.scaled(Decimal(HOURS_PER_SERVING_MONTH))
    per_month = breakdown(month, price, currency, unit)
    budget = constraints.budget
    return InferenceOption(
        offer=option_offer(priced, shape.per_instance, unit),
        replica_accelerators=performance.replica_accelerators,
        replicas_per_instance=shape.replicas_per_instance,
        replicas=shape.replicas,
        instances=shape.instances,
        accelerators=shape.instances * shape.per_instance,
        memory=memory(held_bytes, count.usable_memory_bytes, count.reason),
        ttft_seconds=performance.ttft_seconds,
        tpot_seconds=performance.tpot_seconds,
        decode_bound=performance.decode_bound,
        replica_requests_per_second=performance.requests_per_second,
        served_requests_per_second=shape.served_requests_per_second,
        output_tokens_per_hour=shape.output_tokens_per_hour,
        cost_per_hour=breakdown(plan.charge, price, currency, unit),
        cost_per_month=per_month,
        cost_per_million_tokens=plan.cost_per_million_tokens(price, unit),
        meets_ttft_target=performance.meets_ttft_target,
        meets_tpot_target=performance.meets_tpot_target,
        within_budget=None if budget is None else per_month.total <= budget.amount,
    )
