"""How a job's time falls as instances are added, and the fewest that meet a deadline.

Scaling efficiency across instances: communication that grows with the number of
instances, smaller over a faster interconnect,

    efficiency(n) = 1 / (1 + c * log2(n)),     1 within one instance,

a judged form (the log2 is the depth of a tree all-reduce, as NCCL's trees) with
c fitted to Megatron-LM's measured data-parallel scaling (see
defaults.SCALING_OVERHEAD_FAST).
Loss inside an instance is part of the model FLOPs utilisation, which is why n counts
instances, not accelerators. The default MFUs come from runs on thousands of GPUs
that already paid some of this cost, so at such scales the model errs slow.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def scaling_efficiency(instances: int, overhead_per_doubling: float) -> float:
    """Return 1 / (1 + c log2(instances)), the share of linear speed-up kept."""
    return 1.0 / (1.0 + overhead_per_doubling * math.log2(instances))


def pick_count(
    candidates: int,
    hours_at: Callable[[int], float],
    deadline_hours: float | None,
    start: int = 0,
) -> int:
    """Return the first candidate from `start` meeting the deadline, else the fastest.

    Candidates are indexes 0..candidates-1 of growing instance counts; none
    before `start` meets the deadline, though one may be faster. `hours_at` must
    fall and then may rise (on spot capacity more instances are interrupted more
    often, and past the count where the job never finishes it is infinite).

    With no deadline, or when `start` meets it, `start` is taken. Otherwise the
    search gallops forward (1, 2, 4, ... candidates) to a count that meets the
    deadline and bisects back; when the hours stop falling first, it finds the
    fastest count in the bracket.
    """
    if deadline_hours is None or hours_at(start) <= deadline_hours:
        return start
    known: dict[int, float] = {}

    def hours(index: int) -> float:
        if index not in known:
            known[index] = hours_at(index)
        return known[index]

    return _search(candidates - 1, hours, deadline_hours, start)


def _search(
    last: int, hours_at: Callable[[int], float], deadline_hours: float, start: int
) -> int:
    """Gallop from a count that misses the deadline; see pick_count.

    Every probe missed the deadline, so once the probes stop falling (or run out)
    the fastest count lies between the last three, or before `start` when the
    first step already rose; if even it misses, it is the answer, else the first
    count meeting the deadline lies before it.
    """
    behind = here = start
    step = 1
    while here < last:
        ahead = min(here + step, last)
        if hours_at(ahead) <= deadline_hours:
            return _first_meeting(here, ahead, hours_at, deadline_hours)
        rising = hours_at(ahead) >= hours_at(here)
        behind, here, step = (behind if rising else here), ahead, step * 2
        if rising:
            break
    fastest = _fastest(0 if behind == start else behind, here, hours_at)
    if hours_at(fastest) > deadline_hours:
        return fastest
    return _first_meeting(behind, fastest, hours_at, deadline_hours)


def _first_meeting(
    missed: int, met: int, hours_at: Callable[[int], float], deadline_hours: float
) -> int:
    """Bisect between a count that misses the deadline and a later one meeting it."""
    while met - missed > 1:
        middle = (met + missed) // 2
        if hours_at(middle) <= deadline_hours:
            met = middle
        else:
            missed = middle
    return met


def _fastest(low: int, high: int, hours_at: Callable[[int], float]) -> int:
    """Return the index of the least hours in [low, high], the lowest on a tie."""
    while high - low > 2:
        left = low + (high - low) // 3
        right = high - (high - low) // 3
        if hours_at(left) < hours_at(right):
            high = right - 1
        elif hours_at(left) == hours_at(right):
            high = right
        else:
            low = left + 1
    return min(range(low, high + 1), key=lambda i: (hours_at(i), i))
