"""Plans shared by the offers of a shape: sized once, priced per pricing model.

An offer group whose accelerator is unknown, fractional, lacks a peak, or cannot
hold the job gets the reason instead of a plan (see options.Exclusion).
"""

from __future__ import annotations

from collections.abc import Mapping

from service.domain.catalog import Accelerator, PricedOffer, PricingModel
from service.domain.inference import InferencePerformance, inference_performance
from service.domain.money import minor_unit
from service.domain.planner.defaults import QuoteSettings
from service.domain.planner.fleet import (
    FleetPlan,
    FleetShape,
    fleet_option,
    plan_fleet,
    size_fleet,
)
from service.domain.planner.index import OfferGroup
from service.domain.planner.inputs import Constraints
from service.domain.planner.options import Exclusion, Option
from service.domain.planner.training import (
    TrainingPlan,
    TrainingShape,
    plan_training,
    size_training,
    training_option,
)
from service.domain.sizing import (
    AcceleratorFit,
    Estimate,
    Sizing,
    fit_accelerator,
    memory_per_accelerator_bytes,
    sizings,
)
from service.domain.workload import AssumptionLog, Workload, WorkloadKind

Plan = TrainingPlan | FleetPlan
Shape = TrainingShape | FleetShape
# (accelerator, per instance, pricing model, provider): spot rates are set per
# provider, so only spot plans are keyed by it ("" otherwise).
PlanKey = tuple[str, float, str, str]


class OfferPlanner:
    """Plans offers for one quote, caching per shape and per pricing model."""

    def __init__(
        self,
        workload: Workload,
        estimate: Estimate,
        accelerators: Mapping[str, Accelerator],
        constraints: Constraints,
        settings: QuoteSettings,
    ) -> None:
        self.workload = workload
        self.estimate = estimate
        self.accelerators = accelerators
        self.constraints = constraints
        self.settings = settings
        self.training = workload.kind != WorkloadKind.INFERENCE
        self.unit = minor_unit(settings.currency)
        self._fits = {fit.accelerator_id: fit for fit in estimate.accelerators}
        self._shapes: dict[tuple[str, float], Shape | Exclusion] = {}
        self._plans: dict[PlanKey, Plan | Exclusion] = {}
        self._held: dict[tuple[int, int], int] = {}
        self._sizings: dict[int, list[Sizing]] = {}
        self._performances: dict[tuple[str, int], InferencePerformance] = {}

    def plan(self, group: OfferGroup) -> Plan | Exclusion:
        """Return the plan every offer of a group shares, or why there is none."""
        model = group.pricing_model
        provider = group.provider if model == PricingModel.SPOT else ""
        key = (group.accelerator_id, group.accelerator_count, model, provider)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(key)
        return plan

    def option(self, priced: PricedOffer, plan: Plan) -> Option:
        """Build an option in full."""
        if isinstance(plan, TrainingPlan):
            held = self._held_bytes(
                plan.shape.fit, plan.instances * plan.shape.per_instance
            )
            return training_option(priced, plan, held, self.constraints, self.unit)
        fleet_fit = self._fits[priced.offer.accelerator_id]
        held = self._held_bytes(fleet_fit, plan.shape.performance.replica_accelerators)
        return fleet_option(priced, plan, held, self.constraints, self.unit)

    def _refit(self, accelerator: Accelerator, max_tensor: int) -> AcceleratorFit:
        """Size the job on an accelerator with tensor parallelism capped (cached)."""
        tries = self._sizings.get(max_tensor)
        if tries is None:
            tries = self._sizings[max_tensor] = sizings(self.workload, max_tensor)
        return fit_accelerator(
            self.workload,
            accelerator,
            self.estimate.flops,
            AssumptionLog(),
            max_tensor=max_tensor,
            tries=tries,
        )

    def _held_bytes(self, fit: AcceleratorFit, accelerators: int) -> int:
        """Return the bytes each of some accelerators holds (cached per sizing)."""
        workload = fit.workload or self.workload
        key = (id(workload), accelerators)
        if key not in self._held:
            held = memory_per_accelerator_bytes(workload, accelerators)
            self._held[key] = held
        return self._held[key]

    def _performance(self, fit: AcceleratorFit, size: int) -> InferencePerformance:
        """Return a replica's performance on an accelerator (cached per size)."""
        key = (fit.accelerator_id, size)
        if key not in self._performances:
            accelerator = self.accelerators[fit.accelerator_id]
            performance, _ = inference_performance(
                self.workload, accelerator, size, fit.mfu, AssumptionLog()
            )
            assert performance is not None, "size_fleet checked peak and bandwidth"
            self._performances[key] = performance
        return self._performances[key]

    def _plan(self, key: PlanKey) -> Plan | Exclusion:
        accelerator_id, count, model, provider = key
        spot = self.settings.spot(provider) if provider else None
        shape = self._shapes.get((accelerator_id, count))
        if shape is None:
            shape = self._shapes[accelerator_id, count] = self._shape(
                accelerator_id, count
            )
        if isinstance(shape, Exclusion):
            return shape
        if isinstance(shape, TrainingShape):
            return plan_training(
                shape,
                model,
                spot,
                self.constraints.deadline_hours,
                self.settings.reserved_utilization_elsewhere,
            )
        return plan_fleet(shape, spot)

    def _shape(self, accelerator_id: str, count: float) -> Shape | Exclusion:
        accelerator = self.accelerators.get(accelerator_id)
        if accelerator is None:
            return Exclusion.UNKNOWN_ACCELERATOR
        if self.training and not accelerator.trains:
            return Exclusion.INFERENCE_ONLY_ACCELERATOR
        # Slices of a GPU (AWS g6f: 1/8 of an L4) share its memory and bandwidth
        # in ways the catalogue does not describe.
        if count < 1 or count != int(count):
            return Exclusion.FRACTIONAL_ACCELERATORS
        fit = self._fits[accelerator_id]
        if self.training:
            degree = fit.model_parallel_degree or 1
            if degree > count:
                # Tensor parallelism stays inside an instance: size again with no
                # more than its accelerators.
                fit = self._refit(accelerator, int(count))
            return size_training(
                fit.workload or self.workload,
                self.estimate,
                fit,
                accelerator,
                int(count),
                self.constraints,
                self.settings,
            )
        return size_fleet(
            self.workload,
            fit,
            accelerator,
            int(count),
            self.constraints,
            lambda size: self._performance(fit, size),
        )
