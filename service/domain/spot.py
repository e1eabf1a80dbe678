"""Expected time of a checkpointed job on interruptible (spot) capacity.

First-order model (Young 1974, "A first order approximation to the optimum
checkpoint interval", CACM 17(9); Daly 2006, FGCS 22(3)): interruptions arrive as
a Poisson process; each one loses on average half a checkpoint interval of work and
costs a restart. A synchronous job on n instances stops when any instance is
interrupted, so its rate is n times the per-instance rate. With W hours of work,
rate L per hour, checkpoint interval tau and restart time R, the expected
wall-clock time T solves T = W + L * T * (tau / 2 + R):

    T = W / (1 - L * (tau / 2 + R))     while L * (tau / 2 + R) < 1.

Beyond that bound the job is expected never to finish on spot capacity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.domain.errors import InvalidWorkload

HOURS_PER_MONTH = 730  # 8,760 hours a year / 12, the month cloud price lists use


@dataclass(frozen=True, slots=True)
class SpotAssumptions:
    """How often instances are interrupted and what each interruption costs."""

    interruptions_per_instance_hour: float
    checkpoint_interval_hours: float
    restart_hours: float


@dataclass(frozen=True, slots=True)
class SpotRun:
    """The expected wall-clock time of a job on spot capacity."""

    work_hours: float
    expected_wall_clock_hours: float | None
    expected_interruptions: float | None
    lost_fraction: float
    feasible: bool
    reason: str | None = None


def rate_from_monthly_fraction(fraction_interrupted_per_month: float) -> float:
    """Per-hour interruption rate of an instance, from the share interrupted a month."""
    if not 0 <= fraction_interrupted_per_month < 1:
        raise InvalidWorkload(
            "spot.interruptions_per_month", "must be at least 0 and below 1"
        )
    return -math.log(1 - fraction_interrupted_per_month) / HOURS_PER_MONTH


def expected_spot_run(
    work_hours: float, instances: int, spot: SpotAssumptions
) -> SpotRun:
    """Expected wall-clock hours of some work on a number of spot instances."""
    job_rate = spot.interruptions_per_instance_hour * instances
    lost_per_interruption = spot.checkpoint_interval_hours / 2 + spot.restart_hours
    lost_fraction = job_rate * lost_per_interruption
    if lost_fraction >= 1:
        return SpotRun(
            work_hours,
            None,
            None,
            lost_fraction,
            False,
            f"{instances} instances are interrupted {job_rate:.3g} times an hour and "
            f"each interruption loses {lost_per_interruption:.3g} h: the job is "
            "expected never to finish; checkpoint more often or use fewer instances",
        )
    expected = work_hours / (1 - lost_fraction)
    return SpotRun(work_hours, expected, job_rate * expected, lost_fraction, True)


def fleet_spare_fraction(spot: SpotAssumptions) -> float:
    """Extra instance-hours per instance-hour that keep a spot fleet's capacity.

    A serving fleet loses no work to an interruption, only capacity: each instance
    is interrupted L times an hour and is down for the restart time R each time,
    so covering it costs L * R instance-hours per instance-hour (first order, as
    above; the requests in flight at the interruption are left out).
    """
    return spot.interruptions_per_instance_hour * spot.restart_hours


def expected_hours(work_hours: float, instances: int, spot: SpotAssumptions) -> float:
    """Return expected_spot_run's wall-clock hours, or infinity when never done.

    The same T = W / (1 - L * (tau / 2 + R)) without building a SpotRun, for
    searches that try many instance counts.
    """
    lost_per_interruption = spot.checkpoint_interval_hours / 2 + spot.restart_hours
    lost_fraction = (
        spot.interruptions_per_instance_hour * instances * lost_per_interruption
    )
    return work_hours / (1 - lost_fraction) if lost_fraction < 1 else math.inf
