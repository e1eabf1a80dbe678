"""Plans shared by the offers of a shape: sized once, priced per pricing model.

An offer group whose accelerator is unknown, fractional, lacks a peak, or cannot
hold the job gets the reason instead of a plan (see options.Exclusion).

Each shape is sized once, in Python; the instance counts, hours and charges of
every group are then computed together as arrays (search.py), and a plan is built
in full only for the groups whose offers a quote shows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from service.domain.catalog import Accelerator, PricedOffer, PricingModel
from service.domain.inference import InferencePerformance, inference_performance
from service.domain.money import RATE_EXTRA_DIGITS, minor_unit
from service.domain.planner.defaults import QuoteSettings
from service.domain.planner.fleet import (
    FleetPlan,
    FleetShape,
    fleet_option,
    plan_fleet,
    size_fleet,
)
from service.domain.planner.index import OfferGroup, OfferIndex, OfferTable
from service.domain.planner.inputs import Constraints
from service.domain.planner.options import Exclusion, Option
from service.domain.planner.rows import (
    EXCLUSION_CODE,
    PLANNED,
    PlanRows,
    TrainingGroups,
    empty_rows,
    plan_fleet_rows,
    plan_training_rows,
    term_hours_by_model,
)
from service.domain.planner.training import (
    TrainingPlan,
    TrainingShape,
    plan_training,
    size_training,
    training_option,
)
from service.domain.sharding import Shardings
from service.domain.sizing import (
    AcceleratorFit,
    Estimate,
    fit_accelerator,
    memory_per_accelerator_bytes,
)
from service.domain.workload import UNRECORDED, Workload, WorkloadKind

Plan = TrainingPlan | FleetPlan
Shape = TrainingShape | FleetShape
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class OfferPlanner:
    """Plans the groups of an index for one quote, sizing each shape once."""

    def __init__(
        self,
        workload: Workload,
        estimate: Estimate,
        accelerators: Mapping[str, Accelerator],
        constraints: Constraints,
        settings: QuoteSettings,
        shardings: Shardings,
    ) -> None:
        self.workload = workload
        self.estimate = estimate
        self.accelerators = accelerators
        self.constraints = constraints
        self.settings = settings
        self.shardings = shardings
        self.training = workload.kind != WorkloadKind.INFERENCE
        self.unit = minor_unit(settings.currency)
        self._fits = {fit.accelerator_id: fit for fit in estimate.accelerators}
        self._shapes: dict[tuple[str, float], Shape | Exclusion] = {}
        self._held: dict[tuple[int, int], int] = {}
        self._performances: dict[tuple[str, int], InferencePerformance] = {}
        self._groups: tuple[OfferGroup, ...] = ()
        self._rows = empty_rows(0, self.unit, 1)
        self._plans: dict[int, Plan] = {}

    def rows(self, index: OfferIndex, reaching: Bools) -> PlanRows:
        """Plan every group marked `reaching` (offers left after the filters)."""
        table = index.table
        # Training ranks money.round_cost totals, fleets money.round_rate rates.
        rows = empty_rows(
            len(index.groups),
            self.unit if self.training else self.unit.scaleb(-RATE_EXTRA_DIGITS),
            1 if self.training else 0,
        )
        self._groups, self._rows, self._plans = index.groups, rows, {}
        groups = np.flatnonzero(reaching)
        spot_rate = self._spot_rates(table, groups)

        codes = table.shape.code[groups]
        distinct = np.unique(codes)
        sized = [self._shape(table.shape.names[code]) for code in distinct.tolist()]
        reason = np.array(
            [EXCLUSION_CODE[s] if isinstance(s, Exclusion) else PLANNED for s in sized],
            dtype=np.int64,
        )
        kept = [s for s in sized if not isinstance(s, Exclusion)]
        position = np.cumsum(reason == PLANNED) - 1
        where = np.searchsorted(distinct, codes)
        rows.reason[groups] = reason[where]
        ok = rows.reason[groups] == PLANNED
        shape = position[where[ok]]

        if self.training:
            term_hours = term_hours_by_model(table.pricing_model.names)
            plan_training_rows(
                rows,
                TrainingGroups(
                    group=groups[ok],
                    shape=shape,
                    spot_rate=spot_rate[ok],
                    term_hours=term_hours[table.pricing_model.code[groups[ok]]],
                ),
                [s for s in kept if isinstance(s, TrainingShape)],
                deadline_hours=self.constraints.deadline_hours,
                lost_per_interruption=(
                    self.settings.checkpoint_interval_hours / 2
                    + self.settings.restart_hours
                ),
                reserved_share_charged=1 - self.settings.reserved_utilization_elsewhere,
            )
        else:
            spare = np.nan_to_num(spot_rate[ok]) * self.settings.restart_hours
            fleets = [s for s in kept if isinstance(s, FleetShape)]
            plan_fleet_rows(
                rows, groups[ok], [fleets[i] for i in shape.tolist()], spare
            )
        return rows

    def plan(self, group: int) -> Plan:
        """Return, built in full, the plan of a group that `rows` planned."""
        plan = self._plans.get(group)
        if plan is None:
            offers = self._groups[group]
            shape = self._shapes[offers.accelerator_id, offers.accelerator_count]
            model = offers.pricing_model
            spot = (
                self.settings.spot(offers.provider)
                if model == PricingModel.SPOT
                else None
            )
            built: Plan | Exclusion
            if isinstance(shape, TrainingShape):
                built = plan_training(
                    shape,
                    model,
                    spot,
                    int(self._rows.chosen[group]),
                    self.settings.reserved_utilization_elsewhere,
                )
            else:
                assert isinstance(shape, FleetShape), "rows() planned this group"
                built = plan_fleet(shape, spot)
            assert not isinstance(built, Exclusion), "rows() planned this group"
            plan = self._plans[group] = built
        return plan

    def _spot_rates(self, table: OfferTable, groups: Ints) -> Floats:
        """Return each group's spot interruption rate (NaN when not spot).

        Each provider's rate is looked up, and echoed, once: in the order its spot
        groups come.
        """
        rate = np.full(groups.shape, np.nan)
        names = table.pricing_model.names
        if PricingModel.SPOT not in names:
            return rate
        spot = table.pricing_model.code[groups] == names.index(PricingModel.SPOT)
        providers = table.provider.code[groups[spot]]
        _, first_seen = np.unique(providers, return_index=True)
        by_provider = np.full(len(table.provider.names), np.nan)
        for code in providers[np.sort(first_seen)].tolist():
            provider = str(table.provider.names[code])
            by_provider[code] = self.settings.spot(
                provider
            ).interruptions_per_instance_hour
        rate[spot] = by_provider[providers]
        return rate

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
        """Size the job on an accelerator with tensor parallelism capped."""
        return fit_accelerator(
            self.workload,
            accelerator,
            self.estimate.flops,
            UNRECORDED,
            max_tensor=max_tensor,
            shardings=self.shardings,
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
                self.workload, accelerator, size, fit.mfu, UNRECORDED
            )
            assert performance is not None, "size_fleet checked peak and bandwidth"
            self._performances[key] = performance
        return self._performances[key]

    def _shape(self, key: tuple[str, float]) -> Shape | Exclusion:
        """Size an (accelerator, per instance) shape, once per quote."""
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._size(*key)
        return shape

    def _size(self, accelerator_id: str, count: float) -> Shape | Exclusion:
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
