"""Break-even utilisation: solved in closed form, then substituted back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from service.domain.tco import Strategy, compare_tco
from service.domain.tco.breakeven import solve_break_even
from service.domain.tco.owned import unit_costs
from service.domain.tco.resolve import resolve
from tests.domain.tco.helpers import HAND_BUYING, hand_inputs, prices


def test_break_even_solves_owned_cost_per_used_hour_equals_rental_price() -> None:
    units = unit_costs(resolve(hand_inputs())[0])
    assert units.fixed_per_owned_hour is not None
    price = Decimal("3.00")

    solved, reason = solve_break_even(
        units.fixed_per_owned_hour, units.variable_per_used_hour, price
    )

    assert reason is None and solved is not None
    substituted = units.fixed_per_owned_hour / solved + units.variable_per_used_hour
    assert abs(substituted - price) < Decimal("1e-24")
    # (33,188.40 / 26,280) / (3.00 - 0.12) = 1.262877 / 2.88 = 0.438499
    assert solved.quantize(Decimal("0.000001")) == Decimal("0.438499")


def test_owning_at_break_even_utilisation_costs_the_rental_price_an_hour() -> None:
    table = compare_tco(hand_inputs()).break_even
    solved = table[0].utilisation
    assert table[0].pricing_model == "on_demand" and solved is not None

    at_break_even = hand_inputs(hours=8 * 730 * solved, utilisation=float(solved))
    buy = compare_tco(at_break_even).strategy(Strategy.BUY)

    assert buy.owned_accelerators == 8
    assert buy.effective_price_per_accelerator_hour is not None
    assert buy.effective_price_per_accelerator_hour.amount == Decimal("3.0000")


def test_rental_cheaper_than_owned_power_never_breaks_even() -> None:
    inputs = replace(hand_inputs(), rental_prices=prices(on_demand="0.10"))

    row = compare_tco(inputs).break_even[0]

    assert row.utilisation is None
    assert row.reason is not None and "never breaks even" in row.reason


def test_break_even_above_full_utilisation_is_none() -> None:
    # 1.262877 / (1.20 - 0.12) = 1.17 > 1
    inputs = replace(hand_inputs(), rental_prices=prices(on_demand="1.20"))

    row = compare_tco(inputs).break_even[0]

    assert row.utilisation is None
    assert row.reason is not None and "above 1" in row.reason


def test_owning_with_no_fixed_cost_always_breaks_even() -> None:
    free_to_hold = replace(
        HAND_BUYING,
        residual_fraction=1.0,
        idle_power_fraction=0.0,
        colocation_per_kw_month=Decimal(0),
        operations_fraction_per_year=0.0,
    )

    row = compare_tco(hand_inputs(buying=free_to_hold)).break_even[0]

    assert row.utilisation is None
    assert row.reason is not None and "any utilisation" in row.reason


@pytest.mark.parametrize("model", ["reserved_1y", "reserved_3y"])
def test_reserved_break_even_uses_the_hourly_price(model: str) -> None:
    inputs = replace(hand_inputs(), rental_prices=prices(**{model: "2.00"}))

    row = compare_tco(inputs).break_even[0]

    # 1.262877 / (2.00 - 0.12) = 0.671743
    assert row.pricing_model == model
    assert row.utilisation == Decimal("0.671743")
