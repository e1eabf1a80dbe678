"""Every group's plan as numbers: why it has none, or its time and cost factor.

A planned group's rank cost is about its offer's price times `factor` (the
charge's instance-hours, or per million tokens for a fleet); the exact Decimal
cost, rounded to a multiple of `granularity`, is the plan's own rank_cost. The
ranking compares these floats first and the exact costs only where they are close.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from service.domain.catalog import RESERVED_TERM_HOURS
from service.domain.planner.fleet import FleetShape
from service.domain.planner.options import Exclusion
from service.domain.planner.search import Candidates, spot_indexes, steady_indexes
from service.domain.planner.training import TrainingShape

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

PLANNED = -1
EXCLUSIONS: tuple[Exclusion, ...] = tuple(Exclusion)
EXCLUSION_CODE = {exclusion: code for code, exclusion in enumerate(EXCLUSIONS)}
TOKENS_PER_MILLION = 1e6


@dataclass(slots=True)
class PlanRows:
    """Per group: an exclusion code or PLANNED, the rank time, the cost factor.

    `chosen` is a training group's candidate index (training.TrainingShape). A
    rank cost is a whole number of `granularity`, at least `minimum_steps`.
    """

    reason: Ints
    time: Floats
    factor: Floats
    chosen: Ints
    granularity: Decimal
    minimum_steps: int


def empty_rows(groups: int, granularity: Decimal, minimum_steps: int) -> PlanRows:
    """Return rows for some groups, none planned yet (all marked PLANNED)."""
    return PlanRows(
        reason=np.full(groups, PLANNED, dtype=np.int64),
        time=np.zeros(groups),
        factor=np.zeros(groups),
        chosen=np.zeros(groups, dtype=np.int64),
        granularity=granularity,
        minimum_steps=minimum_steps,
    )


@dataclass(slots=True)
class TrainingGroups:
    """The groups to plan for a training job, with their shapes and pricing.

    Arrays run over those groups: `shape` indexes `shapes`; `spot_rate` is the
    interruption rate per instance-hour of a spot group and `term_hours` the term
    of a reserved one, NaN otherwise.
    """

    group: Ints
    shape: Ints
    spot_rate: Floats
    term_hours: Floats


def plan_training_rows(
    rows: PlanRows,
    planned: TrainingGroups,
    shapes: list[TrainingShape],
    *,
    deadline_hours: float | None,
    lost_per_interruption: float,
    reserved_share_charged: float,
) -> None:
    """Fill in the rows of training groups: instances, hours and charge factors."""
    if not planned.group.size:
        return
    every = Candidates(
        per_instance=np.array([s.per_instance for s in shapes], dtype=np.int64),
        ideal_hours=np.array([s.ideal_accelerator_hours for s in shapes]),
        overhead=np.array([s.overhead for s in shapes]),
        first=np.array([s.first for s in shapes], dtype=np.int64),
        step=np.array([s.step for s in shapes], dtype=np.int64),
        candidates=np.array([s.candidates for s in shapes], dtype=np.int64),
    )
    steady = steady_indexes(every, deadline_hours)
    chosen = steady[planned.shape]
    each = every.take(planned.shape)
    work = each.work_hours(chosen)
    wall = work.copy()
    spot = np.flatnonzero(~np.isnan(planned.spot_rate))
    if spot.size:
        on_spot = each.take(spot).on_spot(
            planned.spot_rate[spot], lost_per_interruption
        )
        chosen[spot] = spot_indexes(on_spot, chosen[spot], deadline_hours)
        work[spot] = on_spot.work_hours(chosen[spot])
        wall[spot] = on_spot.spot_hours(chosen[spot])
    instances = each.instances(chosen)
    charged = wall.copy()
    reserved = np.flatnonzero(~np.isnan(planned.term_hours))
    if reserved.size:
        # charges.reserved_terms and reserved_charge: whole terms, idle hours shared.
        used, term_hours = work[reserved], planned.term_hours[reserved]
        idle = np.maximum(1, np.ceil(used / term_hours)) * term_hours - used
        charged[reserved] = used + idle * reserved_share_charged
    never = np.isinf(wall)
    rows.reason[planned.group[never]] = EXCLUSION_CODE[Exclusion.SPOT_NEVER_FINISHES]
    rows.time[planned.group] = wall
    rows.factor[planned.group] = instances * charged
    rows.chosen[planned.group] = chosen


def plan_fleet_rows(
    rows: PlanRows, group: Ints, shapes: list[FleetShape], spare: Floats
) -> None:
    """Fill in the rows of serving fleets: seconds per token, cost per million."""
    if not group.size:
        return
    instances = np.array([s.instances for s in shapes], dtype=np.float64)
    millions = np.array([s.output_tokens_per_hour for s in shapes]) / TOKENS_PER_MILLION
    rows.time[group] = [s.performance.tpot_seconds for s in shapes]
    rows.factor[group] = instances * (1 + spare) / millions


def term_hours_by_model(names: tuple[object, ...]) -> Floats:
    """Return each pricing model's reserved term in hours, NaN when not reserved."""
    return np.array([RESERVED_TERM_HOURS.get(str(n), np.nan) for n in names])
