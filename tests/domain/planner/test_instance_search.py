"""The instance search: efficiency, and the fewest counts that meet a deadline."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.planner.scaling import pick_count, scaling_efficiency
from service.domain.spot import SpotAssumptions, expected_hours


def test_efficiency_is_one_within_an_instance_and_falls_with_doublings() -> None:
    assert scaling_efficiency(1, 0.1) == 1
    assert scaling_efficiency(64, 0.02) == pytest.approx(1 / 1.12)
    # Megatron-LM's anchor: data parallelism over 32 servers kept 74/77 = 96%.
    assert scaling_efficiency(32, 0.008) == pytest.approx(74 / 77, abs=0.001)


def curves(work: float, rate: float, overhead: float) -> tuple[list[float], ...]:
    """Uninterrupted and expected spot hours on 1..200 instances."""
    spot = SpotAssumptions(rate, 1.0, 0.25)
    steady = [work * (1 + overhead * math.log2(n)) / n for n in range(1, 201)]
    return steady, [expected_hours(h, n + 1, spot) for n, h in enumerate(steady)]


def brute_force(hours: list[float], deadline: float) -> int:
    """Return the first count meeting the deadline, else the fastest, by trying all."""
    meeting = [i for i, h in enumerate(hours) if h <= deadline]
    return meeting[0] if meeting else min(range(len(hours)), key=hours.__getitem__)


@given(
    st.floats(10, 1e5),
    st.floats(1e-4, 0.05),
    st.sampled_from([0.0, 0.02, 0.1, 0.5]),
    st.floats(0.1, 1e4),
)
def test_the_search_finds_what_trying_every_count_finds(
    work: float, rate: float, overhead: float, deadline: float
) -> None:
    steady, spot = curves(work, rate, overhead)

    found_steady = pick_count(len(steady), steady.__getitem__, deadline)
    found_spot = pick_count(len(spot), spot.__getitem__, deadline, found_steady)

    assert found_steady == brute_force(steady, deadline)
    assert found_spot == brute_force(spot, deadline)


def test_without_a_deadline_the_first_count_is_taken() -> None:
    assert pick_count(5, lambda i: 100.0 / (i + 1), None) == 0


def test_a_start_that_meets_the_deadline_is_kept() -> None:
    assert pick_count(5, lambda i: 100.0 / (i + 1), 40.0, start=3) == 3
