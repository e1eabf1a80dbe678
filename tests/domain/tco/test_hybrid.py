"""The hybrid's owned count: exact search, checked against every count."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.tco import Strategy, TcoInputs, compare_tco
from service.domain.tco.owned import fleet_for_peak, fleet_total, unit_costs
from service.domain.tco.resolve import resolve
from tests.domain.tco.helpers import HAND_BUYING, hand_inputs

BASE_HOURS = 4 * 730 * 0.6  # 4 accelerators' worth at utilisation 0.6
PEAK_HOURS = 12 * 730 * 0.6


def brute_force(inputs: TcoInputs) -> list[Decimal]:
    """The exact total of owning each count from 0 to 3 past the peak fleet."""
    resolved = resolve(inputs)[0]
    units = unit_costs(resolved)
    top = fleet_for_peak(resolved)
    return [fleet_total(resolved, units, count) for count in range(top + 4)]


def test_hybrid_owns_the_base_and_rents_the_peaks() -> None:
    # 24 months of 4 accelerators' work, 12 months of 12. An accelerator busy all
    # 36 months: 15,768 h x $3 = $47,304 rented against 33,188.40 + 0.12 x 15,768
    # = $35,080.56 owned; one busy 12 months: $15,768 rented against > $33,188.
    inputs = hand_inputs(hours=(BASE_HOURS,) * 24 + (PEAK_HOURS,) * 12)

    comparison = compare_tco(inputs)

    assert comparison.hybrid_owned_accelerators == 4
    totals = brute_force(inputs)
    assert totals.index(min(totals)) == 4
    hybrid = comparison.strategy(Strategy.HYBRID)
    assert hybrid.total is not None
    assert hybrid.total.amount == min(totals).quantize(Decimal("0.01"))
    assert comparison.cheapest == Strategy.HYBRID


def test_hybrid_with_no_owned_accelerator_is_on_demand_renting() -> None:
    comparison = compare_tco(hand_inputs(on_demand="0.50"))

    assert comparison.hybrid_owned_accelerators == 0
    hybrid = comparison.strategy(Strategy.HYBRID)
    on_demand = comparison.strategy(Strategy.RENT_ON_DEMAND)
    assert hybrid.total == on_demand.total
    assert comparison.cheapest == Strategy.RENT_ON_DEMAND


demands = st.lists(
    st.floats(min_value=0, max_value=20 * 730, allow_nan=False), min_size=1, max_size=18
)


@settings(max_examples=60, deadline=None)
@given(
    hours=demands,
    utilisation=st.sampled_from([0.3, 0.55, 0.6, 0.9, 1.0]),
    on_demand=st.sampled_from(["0.90", "1.75", "3.00", "6.10"]),
    lead=st.integers(0, 4),
)
def test_hybrid_optimum_equals_brute_force_minimum(
    hours: list[float], utilisation: float, on_demand: str, lead: int
) -> None:
    buying = replace(HAND_BUYING, lead_time_months=lead, cost_of_capital_per_year=0.07)
    inputs = hand_inputs(tuple(hours), len(hours), utilisation, buying, on_demand)

    comparison = compare_tco(inputs)

    totals = brute_force(inputs)
    best = min(totals)
    assert comparison.hybrid_owned_accelerators == totals.index(best)
    hybrid = comparison.strategy(Strategy.HYBRID)
    assert hybrid.total is not None
    assert hybrid.total.amount == best.quantize(Decimal("0.01"))
