"""Money rounded once: parts that add up to the total, never a zero cost."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from service.domain.money import round_cost, round_rate, split_rounded
from service.domain.planner import TrainingOption, plan_quote
from tests.domain.planner.catalogue import CHIP_A, CHIPS, priced, training

CENT = Decimal("0.01")


def test_largest_remainders_get_the_missing_cents() -> None:
    # 1.006 + 1.006 + 1.006 = 3.018 -> 3.02; floors 1.00 x 3 leave 2 cents to the
    # two earliest of the equal remainders.
    total, parts = split_rounded([Decimal("1.006")] * 3, CENT)

    assert total == Decimal("3.02")
    assert parts == [Decimal("1.01"), Decimal("1.01"), Decimal("1.00")]


def test_a_cost_under_half_a_cent_shows_as_one_cent() -> None:
    total, parts = split_rounded([Decimal("0.003"), Decimal("0.001")], CENT)

    assert total == CENT
    assert parts == [CENT, Decimal("0.00")]
    assert round_cost(Decimal("0.0049"), CENT) == CENT


def test_rates_keep_four_more_digits() -> None:
    assert round_rate(Decimal("0.83333333"), CENT) == Decimal("0.833333")
    assert round_rate(Decimal("2"), Decimal(1)) == Decimal("2.0000")


amounts = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=6
)


@given(st.lists(amounts, min_size=1, max_size=5))
def test_rounded_parts_always_add_up_to_a_positive_total(
    parts: list[Decimal],
) -> None:
    total, rounded = split_rounded(parts, CENT)

    assert sum(rounded) == total
    assert total >= CENT
    assert all(r >= 0 for r in rounded)
    assert abs(total - sum(parts)) <= CENT / 2 or total == CENT


def test_a_tiny_job_costs_one_cent_not_zero() -> None:
    # 1.2e6 tokens: 0.04 accelerator-hours on one 4-chip instance at $0.05/h,
    # 0.01 h x $0.05 = $0.0005.
    quote = plan_quote(
        training(tokens=1_200_000), [priced(1, CHIP_A, 4, "0.05")], CHIPS
    )

    (option,) = quote.options
    assert isinstance(option, TrainingOption)
    assert option.cost.total == CENT
    assert option.cost.parts == {"compute": CENT}
