"""The instance counts of many training shapes at once: the fewest meeting a deadline.

Candidate i of a shape runs first + i * step instances. Hours are computed here
with the operations, in the order, that training.work_hours and spot.expected_hours
use for one count (log2 comes from a table of math.log2), so a count chosen here
and the option built from it agree to the bit.

- Uninterrupted hours fall as instances are added (inputs.MAX_SCALING_OVERHEAD
  keeps them monotone): the first count meeting a deadline is bisected for.
- Expected spot hours fall, then rise (more instances are interrupted more often,
  and past some count the job never finishes): from the uninterrupted count, the
  first count that meets the deadline or stops falling is bisected for; when it
  misses, the fastest count is taken, which may lie before the start.

With no deadline the first candidate (or the start) is taken.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Counts above this are rare (the first count of a job too large for the search's
# cap, defaults.MAX_ACCELERATORS_SEARCHED) and take math.log2 one by one.
_LOG2_TABLE_SIZE = 1 << 16
_LOG2: Floats = np.array([0.0, *(math.log2(n) for n in range(1, _LOG2_TABLE_SIZE))])


def log2_counts(counts: Ints) -> Floats:
    """Return math.log2 of each positive count, bit for bit."""
    if counts.size and int(counts.max()) >= _LOG2_TABLE_SIZE:
        return np.array([math.log2(n) for n in counts.tolist()], dtype=np.float64)
    return _LOG2[counts]


@dataclass(slots=True)
class Candidates:
    """Instance counts first + i * step (i < candidates) of many shapes, as arrays.

    Each shape has its accelerators per instance, ideal accelerator-hours and
    scaling overhead c; a spot row also has its interruption rate per instance-hour
    and the hours each interruption loses (checkpoint interval / 2 + restart).
    """

    per_instance: Ints
    ideal_hours: Floats
    overhead: Floats
    first: Ints
    step: Ints
    candidates: Ints
    rate: Floats | None = None
    lost_per_interruption: float = 0.0

    def take(self, rows: Ints) -> Candidates:
        """Return some of the rows, in that order (a row may repeat)."""
        return Candidates(
            self.per_instance[rows],
            self.ideal_hours[rows],
            self.overhead[rows],
            self.first[rows],
            self.step[rows],
            self.candidates[rows],
            None if self.rate is None else self.rate[rows],
            self.lost_per_interruption,
        )

    def on_spot(self, rate: Floats, lost_per_interruption: float) -> Candidates:
        """Return the rows run on spot capacity at a rate per instance-hour each."""
        return Candidates(
            self.per_instance,
            self.ideal_hours,
            self.overhead,
            self.first,
            self.step,
            self.candidates,
            rate,
            lost_per_interruption,
        )

    def instances(self, index: Ints) -> Ints:
        """Return each shape's instance count at a candidate index."""
        counts: Ints = self.first + index * self.step
        return counts

    def work_hours(self, index: Ints) -> Floats:
        """Return ideal / (instances x per instance x 1 / (1 + c log2 instances))."""
        instances = self.instances(index)
        efficiency = 1.0 / (1.0 + self.overhead * log2_counts(instances))
        hours: Floats = self.ideal_hours / (instances * self.per_instance * efficiency)
        return hours

    def spot_hours(self, index: Ints) -> Floats:
        """Return W / (1 - rate x instances x lost), or infinity when never done."""
        assert self.rate is not None, "spot rows carry their rates"
        instances = self.instances(index)
        work = self.work_hours(index)
        lost_fraction = self.rate * instances * self.lost_per_interruption
        finishes = lost_fraction < 1
        hours: Floats = np.full(work.shape, np.inf)
        np.divide(work, 1 - lost_fraction, out=hours, where=finishes)
        return hours


def steady_indexes(shapes: Candidates, deadline_hours: float | None) -> Ints:
    """Return each shape's first candidate meeting the deadline, else its fastest."""
    first: Ints = np.zeros(shapes.first.shape, dtype=np.int64)
    if deadline_hours is None or not first.size:
        return first
    last = shapes.candidates - 1
    result = np.where(shapes.work_hours(last) > deadline_hours, last, first)
    search = np.flatnonzero(
        (shapes.work_hours(first) > deadline_hours) & (result == 0) & (last > 0)
    )
    if search.size:
        some = shapes.take(search)
        result[search] = _bisect(
            lambda i: some.work_hours(i) <= deadline_hours, first[search], last[search]
        )
    return result


def spot_indexes(rows: Candidates, start: Ints, deadline_hours: float | None) -> Ints:
    """Return each spot row's first candidate from `start` meeting the deadline.

    None before `start` meets it. When none does, the fastest candidate is taken.
    """
    if deadline_hours is None or not start.size:
        return start
    last = rows.candidates - 1
    at_start = rows.spot_hours(start)
    result = start.copy()
    search = np.flatnonzero(at_start > deadline_hours)
    if not search.size:
        return result
    some = rows.take(search)
    low, high = start[search], last[search]

    def settled(index: Ints) -> Bools:
        here = some.spot_hours(index)
        ahead = some.spot_hours(np.minimum(index + 1, high))
        stopped: Bools = (here <= deadline_hours) | (ahead >= here) | (index >= high)
        return stopped

    found = np.where(settled(low), low, _bisect(settled, low, high))
    # A settled count that misses the deadline is where the hours stop falling;
    # if they were already rising at the start, the fastest lies before it.
    rising = (some.spot_hours(found) > deadline_hours) & (found == low) & (low > 0)
    before = np.flatnonzero(rising)
    if before.size:
        earlier = some.take(before)
        zero = np.zeros(before.shape, dtype=np.int64)
        top = low[before]

        def bottom(index: Ints) -> Bools:
            reached: Bools = earlier.spot_hours(index + 1) >= earlier.spot_hours(index)
            return reached | (index >= top)

        found[before] = np.where(bottom(zero), zero, _bisect(bottom, zero, top))
    result[search] = found
    return result


def _bisect(holds: Callable[[Ints], Bools], low: Ints, high: Ints) -> Ints:
    """Return the first index in (low, high] where a monotone test holds.

    The test fails at `low` and holds at `high` (or is taken to).
    """
    low, high = low.copy(), high.copy()
    while True:
        open_ = high - low > 1
        if not open_.any():
            return high
        middle = (low + high) // 2
        met = holds(middle) & open_
        high = np.where(met, middle, high)
        low = np.where(open_ & ~met, middle, low)
