"""Training options: instances and hours per accelerator shape, charges per pricing.

A shape is an (accelerator, accelerators per instance) pair. Its sizing is computed
once and shared by every offer of that shape:

- instances: the fewest whole instances whose accelerators hold the job
  (sizing.min_accelerator_count), in steps that keep the accelerator count a
  multiple of the model-parallel degree; more while the deadline needs them, up to
  max_instances, max_accelerators, the data-parallel ranks the global batch allows,
  and defaults.MAX_ACCELERATORS_SEARCHED; when no count meets the deadline, the
  fastest reachable count, flagged as missing it. search.py chooses the count for
  every shape at once; this module builds the plan at the chosen count.
- hours: FLOPs / (accelerators x dense peak x MFU x scaling efficiency) / 3600,
  i.e. the estimate's ideal accelerator-hours / (accelerators x efficiency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from service.domain.catalog import Accelerator, PricedOffer, PricingModel
from service.domain.planner.charges import (
    Charge,
    on_demand_charge,
    reserved_charge,
    reserved_terms,
    spot_charge,
)
from service.domain.planner.defaults import QuoteSettings
from service.domain.planner.inputs import Constraints
from service.domain.planner.options import (
    Exclusion,
    TrainingOption,
    breakdown,
    memory,
    option_offer,
)
from service.domain.planner.scaling import scaling_efficiency
from service.domain.sharding import max_data_parallel
from service.domain.sizing import AcceleratorFit, Estimate
from service.domain.spot import SpotAssumptions, expected_spot_run
from service.domain.workload import Workload


@dataclass(slots=True)
class TrainingShape:
    """The instance counts a job can use on one shape, and its hours on each.

    Candidate i is first + i * step instances, i < candidates.
    """

    per_instance: int
    fit: AcceleratorFit
    ideal_accelerator_hours: float
    overhead: float
    first: int
    step: int
    candidates: int

    def instances(self, index: int) -> int:
        """Return the instance count of a candidate index."""
        return self.first + index * self.step

    def work_hours(self, instances: int) -> float:
        """Return uninterrupted wall-clock hours on a number of instances."""
        return work_hours(
            self.ideal_accelerator_hours, self.per_instance, self.overhead, instances
        )


def work_hours(
    ideal_accelerator_hours: float, per_instance: int, overhead: float, instances: int
) -> float:
    """Return ideal accelerator-hours / (accelerators x scaling efficiency)."""
    efficiency = scaling_efficiency(instances, overhead)
    return ideal_accelerator_hours / (instances * per_instance * efficiency)


@dataclass(slots=True)
class TrainingPlan:
    """A shape run under one pricing model: instances, hours and the charge.

    Built per shape and pricing model, thousands a quote: not frozen (see Charge).
    """

    shape: TrainingShape
    instances: int
    work_hours: float
    wall_clock_hours: float
    billed_instance_hours: float
    charge: Charge
    expected_interruptions: float | None = None
    reserved_terms: int | None = None

    def rank_time(self) -> float:
        """Return the time the ranking compares: wall-clock hours."""
        return self.wall_clock_hours

    def rank_cost(self, price_per_hour: Decimal, unit: Decimal) -> Decimal:
        """Return the cost the ranking compares: the rounded total."""
        return self.charge.cost(price_per_hour, unit)


def size_training(
    workload: Workload,
    estimate: Estimate,
    fit: AcceleratorFit,
    accelerator: Accelerator,
    per_instance: int,
    constraints: Constraints,
    settings: QuoteSettings,
) -> TrainingShape | Exclusion:
    """Return the counts a shape can use for the job, or why it cannot run it."""
    if fit.accelerator_hours is None:
        return Exclusion.NO_PEAK_FOR_PRECISION
    fewest = fit.min_count.count
    if fewest is None:
        return Exclusion.DOES_NOT_FIT_MEMORY
    degree = fit.model_parallel_degree or 1
    step = degree // math.gcd(per_instance, degree)
    first = math.ceil(math.ceil(fewest / per_instance) / step) * step
    batch_ranks = max_data_parallel(workload)
    most = settings.max_accelerators_searched
    if batch_ranks is not None:
        if first * per_instance > degree * batch_ranks:
            return Exclusion.BATCH_TOO_SMALL_FOR_INSTANCE
        most = min(most, degree * batch_ranks)
    if constraints.max_instances is not None and first > constraints.max_instances:
        return Exclusion.OVER_MAX_INSTANCES
    if constraints.max_accelerators is not None:
        if first * per_instance > constraints.max_accelerators:
            return Exclusion.OVER_MAX_ACCELERATORS
        most = min(most, constraints.max_accelerators)
    last = most // per_instance
    if constraints.max_instances is not None:
        last = min(last, constraints.max_instances)
    overhead = settings.scaling_overhead(accelerator, per_instance)
    candidates = max(0, last - first) // step + 1
    return TrainingShape(
        per_instance, fit, fit.accelerator_hours, overhead, first, step, candidates
    )


def plan_training(
    shape: TrainingShape,
    pricing_model: str,
    spot: SpotAssumptions | None,
    index: int,
    reserved_utilization_elsewhere: float,
) -> TrainingPlan | Exclusion:
    """Return what a pricing model charges on a shape's candidate `index`.

    On demand and reserved run the uninterrupted count for the deadline, spot its
    own (search.spot_indexes): expected hours are never below the uninterrupted.
    """
    n = shape.instances(index)
    if spot is not None:
        run = expected_spot_run(shape.work_hours(n), n, spot)
        if run.expected_wall_clock_hours is None or run.expected_interruptions is None:
            return Exclusion.SPOT_NEVER_FINISHES
        wall = run.expected_wall_clock_hours
        return TrainingPlan(
            shape=shape,
            instances=n,
            work_hours=run.work_hours,
            wall_clock_hours=wall,
            billed_instance_hours=wall,
            charge=spot_charge(n, run.work_hours, wall),
            expected_interruptions=run.expected_interruptions,
        )
    work = shape.work_hours(n)
    if pricing_model == PricingModel.ON_DEMAND:
        return TrainingPlan(shape, n, work, work, work, on_demand_charge(n, work))
    terms, term_hours = reserved_terms(pricing_model, work)
    charge = reserved_charge(n, work, terms, term_hours, reserved_utilization_elsewhere)
    billed = float(terms * term_hours)
    return TrainingPlan(shape, n, work, work, billed, charge, reserved_terms=terms)


def training_option(
    priced: PricedOffer,
    plan: TrainingPlan,
    held_bytes: int,
    constraints: Constraints,
    unit: Decimal,
) -> TrainingOption:
    """Describe a plan on one offer, holding some bytes per accelerator, costed."""
    shape = plan.shape
    accelerators = plan.instances * shape.per_instance
    count = shape.fit.min_count
    cost = breakdown(plan.charge, priced.price_per_hour, priced.currency, unit)
    deadline, budget = constraints.deadline_hours, constraints.budget
    return TrainingOption(
        offer=option_offer(priced, shape.per_instance, unit),
        instances=plan.instances,
        accelerators=accelerators,
        memory=memory(held_bytes, count.usable_memory_bytes, count.reason),
        peak_tflops=shape.fit.peak_tflops or 0.0,
        mfu=shape.fit.mfu,
        scaling_efficiency=scaling_efficiency(plan.instances, shape.overhead),
        work_hours=plan.work_hours,
        wall_clock_hours=plan.wall_clock_hours,
        accelerator_hours=accelerators * plan.wall_clock_hours,
        ideal_accelerator_hours=shape.ideal_accelerator_hours,
        billed_instance_hours=plan.billed_instance_hours,
        expected_interruptions=plan.expected_interruptions,
        reserved_terms=plan.reserved_terms,
        model_parallel_degree=shape.fit.model_parallel_degree or 1,
        zero_stage=shape.fit.zero_stage,
        cost=cost,
        meets_deadline=None if deadline is None else plan.wall_clock_hours <= deadline,
        within_budget=None if budget is None else cost.total <= budget.amount,
    )
