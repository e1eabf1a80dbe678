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

Each bisection starts from the candidates either side of a continuous estimate
(where the hours equal the deadline, or are least), once the exact hours confirm
that they bracket the answer; otherwise from the whole range. The estimates only
save steps: the answer is always the exact hours' own. With no deadline the first
candidate (or the start) is taken.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

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
    # Whether every candidate count has its log2 in the table (nearly always).
    in_table: bool = field(init=False)

    def __post_init__(self) -> None:
        largest = self.first + (self.candidates - 1) * self.step
        self.in_table = not largest.size or int(largest.max()) < _LOG2_TABLE_SIZE

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
        """Return each shape's instance count at a candidate index.

        `index` has one entry per row, or rows of them (shape (k, rows)).
        """
        counts: Ints = self.first + index * self.step
        return counts

    def work_hours(self, index: Ints) -> Floats:
        """Return ideal / (instances x per instance x 1 / (1 + c log2 instances))."""
        instances = self.instances(index)
        log2 = _LOG2[instances] if self.in_table else log2_counts(instances)
        efficiency = 1.0 / (1.0 + self.overhead * log2)
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
    at_ends = shapes.work_hours(np.stack([first, last]))
    result = np.where(at_ends[1] > deadline_hours, last, first)
    search = np.flatnonzero((at_ends[0] > deadline_hours) & (result == 0) & (last > 0))
    if search.size:
        some = shapes.take(search)

        def meets(index: Ints) -> Bools:
            met: Bools = some.work_hours(index) <= deadline_hours
            return met

        guess = _meeting_count(some, deadline_hours, some.first.astype(np.float64))
        low, high = _bracket(some, meets, guess, first[search], last[search])
        result[search] = _bisect(meets, low, high)
    return result


def spot_indexes(rows: Candidates, start: Ints, deadline_hours: float | None) -> Ints:
    """Return each spot row's first candidate from `start` meeting the deadline.

    None before `start` meets it. When none does, the fastest candidate is taken.
    """
    if deadline_hours is None or not start.size:
        return start
    last = rows.candidates - 1
    result = start.copy()
    search = np.flatnonzero(rows.spot_hours(start) > deadline_hours)
    if not search.size:
        return result
    some = rows.take(search)
    low, high = start[search], last[search]

    def settled(index: Ints) -> Bools:
        here, ahead = some.spot_hours(np.stack([index, np.minimum(index + 1, high)]))
        stopped: Bools = (here <= deadline_hours) | (ahead >= here) | (index >= high)
        return stopped

    known = settled(low)
    guess = _meeting_count(some, deadline_hours, some.instances(low).astype(float))
    # Where no count meets the deadline, the search settles where hours are least.
    guess = np.where(np.isfinite(guess), guess, _fastest_count(some))
    below, above = _bracket(some, settled, guess, low, high)
    found = np.where(known, low, _bisect(settled, below, above))
    # A settled count that misses the deadline is where the hours stop falling;
    # if they were already rising at the start, the fastest lies before it.
    rising = (some.spot_hours(found) > deadline_hours) & (found == low) & (low > 0)
    before = np.flatnonzero(rising)
    if before.size:
        earlier = some.take(before)
        zero = np.zeros(before.shape, dtype=np.int64)
        top = low[before]

        def bottom(index: Ints) -> Bools:
            here, ahead = earlier.spot_hours(
                np.stack([index, np.minimum(index + 1, top)])
            )
            reached: Bools = (ahead >= here) | (index >= top)
            return reached

        lowest, highest = _bracket(earlier, bottom, _fastest_count(earlier), zero, top)
        found[before] = np.where(bottom(zero), zero, _bisect(bottom, lowest, highest))
    result[search] = found
    return result


# Steps of the estimates below; Newton's and the fixed point converge within them
# for the counts a search spans, and a guess that has not is not used.
_GUESS_STEPS = 6
_LN2 = math.log(2)
# A guess whose last step moved it by less than this share has settled.
_SETTLED = 1e-3


def _meeting_count(rows: Candidates, deadline_hours: float, below: Floats) -> Floats:
    """Estimate, from a count known to miss, the count whose hours meet a deadline.

    Newton's method in u = ln n on ln T - ln D, T(n) = x (1 + c log2 n) / n /
    (1 - a n) (x: ideal hours per accelerator of an instance, a: spot's rate x
    hours lost per interruption, 0 uninterrupted), which is nearly linear in u
    while T falls. Where a step passes the count of least hours (none may meet
    the deadline) or the steps have not settled, the estimate is inf.
    """
    x = rows.ideal_hours / (rows.per_instance * deadline_hours)
    a = 0.0 if rows.rate is None else rows.rate * rows.lost_per_interruption
    c = rows.overhead
    u = np.log(np.maximum(below, 1.0))
    step = np.full(u.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(_GUESS_STEPS):
            n = np.exp(u)
            scaling = 1 + c * u / _LN2
            excess = np.log(x * scaling) - u - np.log(1 - a * n)
            slope = c / (_LN2 * scaling) - 1 + a * n / (1 - a * n)
            step = excess / slope
            u = np.where((slope < 0) & (a * n < 1), u - step, np.inf)
        n = np.exp(u)
    settled = (np.abs(step) <= _SETTLED) & (n >= 1) & (a * n < 1)
    estimate: Floats = np.where(settled, n, np.inf)
    return estimate


def _fastest_count(rows: Candidates) -> Floats:
    """Estimate the count whose expected spot hours are least (inf: never rising).

    Setting the derivative of ln[(1 + c log2 n) / (n (1 - a n))] to zero gives
    n = r / ((1 + r) a), r = 1 - c / (ln 2 (1 + c log2 n)), a fixed point that
    moves slowly with n; it starts from the c = 0 optimum 1 / (2a).
    """
    assert rows.rate is not None, "spot rows carry their rates"
    a = rows.rate * rows.lost_per_interruption
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.maximum(1 / (2 * a), 1.0)
        for _ in range(_GUESS_STEPS):
            r = 1 - rows.overhead / (_LN2 * (1 + rows.overhead * np.log2(n)))
            n = np.maximum(r / ((1 + r) * a), 1.0)
    estimate: Floats = n
    return estimate


def _bracket(
    rows: Candidates,
    holds: Callable[[Ints], Bools],
    guess: Floats,
    low: Ints,
    high: Ints,
) -> tuple[Ints, Ints]:
    """Narrow (low, high], where a monotone test first holds, to a count's guess.

    The indexes one either side of the guess are checked with the test itself;
    where either check fails the whole range is kept.
    """
    position = (guess - rows.first) / rows.step
    finite = np.isfinite(position)
    near = np.where(finite, position, 0.0)
    below = np.clip(np.floor(near).astype(np.int64) - 1, low, np.maximum(high - 1, low))
    above = np.clip(np.ceil(near).astype(np.int64) + 1, np.minimum(low + 1, high), high)
    fails, holds_above = holds(np.stack([below, above]))
    sound = finite & ((below == low) | ~fails) & holds_above
    return np.where(sound, below, low), np.where(sound, above, high)


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
