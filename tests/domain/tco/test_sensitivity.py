"""Sensitivity: utilisation, rental and purchase prices each moved by 20%."""

from __future__ import annotations

from decimal import Decimal

from service.domain.tco import Strategy, compare_tco
from tests.domain.tco.helpers import hand_inputs


def test_each_input_is_moved_down_and_up_by_a_fifth() -> None:
    cases = compare_tco(hand_inputs()).sensitivity

    assert [case.name for case in cases] == [
        "utilisation x0.8",
        "utilisation x1.2",
        "rental_prices x0.8",
        "rental_prices x1.2",
        "purchase_price x0.8",
        "purchase_price x1.2",
    ]


def test_rental_prices_up_a_fifth_raise_on_demand_by_a_fifth() -> None:
    comparison = compare_tco(hand_inputs())
    base = comparison.strategy(Strategy.RENT_ON_DEMAND).total
    dearer = comparison.sensitivity[3].totals[Strategy.RENT_ON_DEMAND]

    assert base is not None and dearer is not None
    assert dearer.amount == base.amount * Decimal("1.2")  # 378,432 x 1.2


def test_utilisation_moved_up_is_capped_at_one() -> None:
    # At 0.9 x 1.2 = 1.08, capped at 1: 8 x 730 x 0.9 = 5,256 h needs 8 at 1.0.
    comparison = compare_tco(hand_inputs(hours=8 * 730 * 0.9, utilisation=0.9))
    at_one = compare_tco(hand_inputs(hours=8 * 730 * 0.9, utilisation=1.0))

    moved = comparison.sensitivity[1].totals[Strategy.BUY]
    assert moved == at_one.strategy(Strategy.BUY).total


def test_cheaper_purchase_can_change_the_cheapest_strategy() -> None:
    # Owned, a used hour costs 1.2629 / 0.6 + 0.12 = $2.22 against $2.00 rented;
    # at a fifth off the price, capital 24,000, residual 6,000, operations 100:
    # (18,000 + (150 + 100 + 21.9) x 36) / 26,280 / 0.6 + 0.12 = $1.88.
    comparison = compare_tco(hand_inputs(on_demand="2.00"))

    assert comparison.cheapest == Strategy.RENT_ON_DEMAND
    assert comparison.sensitivity[4].cheapest == Strategy.BUY
