"""The instance search: efficiency, and the fewest counts that meet a deadline."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.planner.scaling import scaling_efficiency
from service.domain.planner.search import (
    Candidates,
    log2_counts,
    spot_indexes,
    steady_indexes,
)
from service.domain.planner.training import work_hours
from service.domain.spot import SpotAssumptions, expected_hours

CHECKPOINT_HOURS, RESTART_HOURS = 1.0, 0.25


def test_efficiency_is_one_within_an_instance_and_falls_with_doublings() -> None:
    assert scaling_efficiency(1, 0.1) == 1
    assert scaling_efficiency(64, 0.02) == pytest.approx(1 / 1.12)
    # Megatron-LM's anchor: data parallelism over 32 servers kept 74/77 = 96%.
    assert scaling_efficiency(32, 0.008) == pytest.approx(74 / 77, abs=0.001)


def test_log2_of_counts_is_math_log2_to_the_bit() -> None:
    counts = np.array([1, 2, 3, 1000, 65_535, 65_536, 10**9], dtype=np.int64)

    assert log2_counts(counts).tolist() == [
        0.0,
        1.0,
        1.584962500721156,
        9.965784284662087,
        15.999977986052736,
        16.0,
        29.897352853986263,
    ]


def brute_force(hours: list[float], deadline: float, start: int = 0) -> int:
    """Return the first count from start meeting the deadline, else the fastest."""
    meeting = [i for i in range(start, len(hours)) if hours[i] <= deadline]
    if meeting:
        return meeting[0]
    return min(range(len(hours)), key=lambda i: (hours[i], i))


shape = st.tuples(
    st.sampled_from([1, 2, 4, 8]),
    st.floats(1, 1e7),
    st.sampled_from([0.0, 0.02, 0.1, 0.5]),
    st.integers(1, 64),
    st.sampled_from([1, 2, 4]),
    st.integers(1, 300),
    st.floats(1e-6, 0.5),
)


@given(st.lists(shape, min_size=1, max_size=8), st.floats(0.1, 1e5))
def test_the_search_finds_what_trying_every_count_finds(
    shapes: list[tuple[int, float, float, int, int, int, float]], deadline: float
) -> None:
    per, ideal, overhead, first, step, count, rate = (
        np.array(c) for c in zip(*shapes, strict=True)
    )
    rows = Candidates(per, ideal, overhead, first, step, count)
    lost = CHECKPOINT_HOURS / 2 + RESTART_HOURS

    steady = steady_indexes(rows, deadline)
    spot = spot_indexes(rows.on_spot(rate, lost), steady, deadline)

    for i, (p, h, c, n0, k, size, r) in enumerate(shapes):
        counts = [n0 + j * k for j in range(size)]
        hours = [work_hours(h, p, c, n) for n in counts]
        assumed = SpotAssumptions(r, CHECKPOINT_HOURS, RESTART_HOURS)
        spot_hours = [
            expected_hours(w, n, assumed) for w, n in zip(hours, counts, strict=True)
        ]
        assert steady[i] == brute_force(hours, deadline)
        assert spot[i] == brute_force(spot_hours, deadline, int(steady[i]))
        assert rows.work_hours(steady)[i] == hours[steady[i]]


def test_without_a_deadline_the_first_count_is_taken() -> None:
    rows = Candidates(*(np.array([v]) for v in (8, 1000.0, 0.02, 4, 1, 50)))

    spot = rows.on_spot(np.array([0.01]), 0.75)

    assert steady_indexes(rows, None).tolist() == [0]
    assert spot_indexes(spot, np.array([3]), None).tolist() == [3]


def test_a_start_that_meets_the_deadline_is_kept() -> None:
    # 1000 accelerator-hours on 8 per instance, c = 0: 125 h / instances.
    rows = Candidates(*(np.array([v]) for v in (8, 1000.0, 0.0, 1, 1, 10)))

    never = rows.on_spot(np.array([0.0]), 0.75)

    assert steady_indexes(rows, 40.0).tolist() == [3]  # 4 instances: 31.25 h
    assert spot_indexes(never, np.array([3]), 40.0).tolist() == [3]
