"""Owning: a purchase whose every monthly figure is computed by hand."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from service.domain.tco import Strategy, compare_tco
from tests.domain.tco.helpers import HAND_BUYING, hand_inputs

# 8 accelerators at $25,000 + 20% overhead = $30,000 each, $240,000 in all.
# Book value falls 30,000 x (1 - 0.25) / 36 = $625 a month each, $5,000 for 8.
# Residual after 36 months: 30,000 x 0.25 = $7,500 each, $60,000 back.
# Power: 1,000 W x 1.5 x $0.10 / 1000 = $0.15 a busy hour, 20% of it ($0.03) idle.
# Demand 8 x 730 x 0.6 = 3,504 h a month; idle 5,840 - 3,504 = 2,336 h.
# Power a month: 3,504 x 0.15 + 2,336 x 0.03 = 525.60 + 70.08 = $595.68.
# Colocation: 8 x 1.0 kW x $150 = $1,200. Operations: 0.05 x 240,000 / 12 = $1,000.
# Running cost a month: 595.68 + 1,200 + 1,000 = $2,795.68.
# Total: 240,000 - 60,000 + 36 x 2,795.68 = $280,644.48.
RUNNING = Decimal("2795.68")


def test_purchase_parts_match_hand_arithmetic() -> None:
    result = compare_tco(hand_inputs()).strategy(Strategy.BUY)

    assert result.owned_accelerators == 8
    assert result.parts is not None and result.total is not None
    assert result.parts.capital == Decimal("240000.00")
    assert result.parts.power == Decimal("595.68") * 36
    assert result.parts.colocation == Decimal("43200.00")
    assert result.parts.operations == Decimal("36000.00")
    assert result.parts.residual_value == Decimal("-60000.00")
    assert result.parts.cost_of_capital == 0
    assert result.parts.cloud == 0
    assert result.total.amount == Decimal("280644.48")


def test_cash_flow_pays_capital_first_and_gets_residual_last() -> None:
    result = compare_tco(hand_inputs()).strategy(Strategy.BUY)

    cash = result.cash_flow_per_month
    assert len(cash) == 36
    assert cash[0] == Decimal("240000") + RUNNING
    assert set(cash[1:35]) == {RUNNING}
    assert cash[35] == RUNNING - Decimal("60000")
    assert sum(cash) == Decimal("280644.48")


def test_amortised_view_spreads_capital_less_residual_evenly() -> None:
    result = compare_tco(hand_inputs()).strategy(Strategy.BUY)

    # 5,000 of depreciation + 2,795.68 running = 7,795.68 every month.
    assert set(result.amortised_cost_per_month) == {Decimal("7795.68")}


def test_effective_price_is_total_over_hours_delivered() -> None:
    result = compare_tco(hand_inputs()).strategy(Strategy.BUY)

    # 280,644.48 / (3,504 x 36 = 126,144 h) = 2.22479...
    assert result.accelerator_hours_delivered == Decimal("126144.0")
    assert result.effective_price_per_accelerator_hour is not None
    assert result.effective_price_per_accelerator_hour.amount == Decimal("2.2248")


def test_unit_costs_split_fixed_and_variable_per_hour() -> None:
    units = compare_tco(hand_inputs()).owned_unit_costs

    # Fixed: (30,000 - 7,500 + (150 + 125 + 0.03 x 730) x 36) / (730 x 36)
    #      = 33,188.40 / 26,280 = 1.26288; variable: 0.15 - 0.03 = 0.12.
    assert units.fixed_per_owned_hour == Decimal("1.2629")
    assert units.variable_per_used_hour == Decimal("0.1200")
    assert units.residual_value == Decimal("7500.00")


def test_cost_of_capital_is_charged_monthly_on_book_value() -> None:
    buying = replace(HAND_BUYING, cost_of_capital_per_year=0.12)

    result = compare_tco(hand_inputs(buying=buying)).strategy(Strategy.BUY)

    # i = 1.12 ** (1/12) - 1; book value in month j is 30,000 - 625 j, so the
    # charge is 8 i (36 x 30,000 - 625 x (0 + 1 + ... + 35)) = 8 i x 686,250.
    rate = Decimal("1.12") ** (Decimal(1) / 12) - 1
    expected = (8 * rate * Decimal(686_250)).quantize(Decimal("0.01"))
    assert result.parts is not None
    assert result.parts.cost_of_capital == expected
    assert Decimal("52093") < expected < Decimal("52094")


def test_lead_time_months_are_rented_on_demand_and_nothing_is_owned() -> None:
    buying = replace(HAND_BUYING, lead_time_months=3)

    result = compare_tco(hand_inputs(buying=buying)).strategy(Strategy.BUY)

    # 3 months x 3,504 h x $3.00 = $31,536 rented; capital paid in month 3; after
    # 33 months the book value is 30,000 - 625 x 33 = $9,375 each.
    assert result.parts is not None
    assert result.parts.cloud == Decimal("31536.00")
    assert result.cash_flow_per_month[:3] == (Decimal("10512.00"),) * 3
    assert result.cash_flow_per_month[3] == Decimal("240000") + RUNNING
    assert result.parts.residual_value == Decimal("-75000.00")
    assert result.parts.colocation == Decimal("1200") * 33


def test_book_value_stops_at_residual_after_amortisation() -> None:
    result = compare_tco(hand_inputs(horizon_months=48)).strategy(Strategy.BUY)

    assert result.parts is not None
    assert result.parts.residual_value == Decimal("-60000.00")
    assert result.amortised_cost_per_month[35] == Decimal("7795.68")
    assert result.amortised_cost_per_month[36] == RUNNING


def test_given_fleet_smaller_than_demand_rents_the_rest_on_demand() -> None:
    buying = replace(HAND_BUYING, accelerator_count=6)

    result = compare_tco(hand_inputs(buying=buying)).strategy(Strategy.BUY)

    # 6 x 438 = 2,628 h owned a month; 876 h rented at $3.00 = $2,628 a month.
    assert result.owned_accelerators == 6
    assert result.parts is not None
    assert result.parts.cloud == Decimal("2628.00") * 36
    assert result.rented_accelerator_hours == Decimal("876.0") * 36


def test_overhead_as_an_amount_replaces_the_fraction() -> None:
    buying = replace(HAND_BUYING, overhead_per_accelerator=Decimal(5000))

    comparison = compare_tco(hand_inputs(buying=buying))

    # 25,000 + 5,000 = 30,000 each: the same purchase as a 20% overhead.
    assert comparison.owned_unit_costs.capital == Decimal("30000.00")
    assert "buying.overhead_fraction" not in comparison.assumptions
    buy = comparison.strategy(Strategy.BUY).total
    assert buy is not None and buy.amount == Decimal("280644.48")
