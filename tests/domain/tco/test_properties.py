"""Properties of any comparison, checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.tco import BuyingAssumptions, RentalPrice, Strategy, compare_tco
from tests.domain.tco.helpers import HAND_BUYING, hand_inputs, prices

hours_lists = st.lists(
    st.floats(min_value=0, max_value=50 * 730), min_size=1, max_size=30
)
buyings = st.builds(
    replace,
    st.just(HAND_BUYING),
    price_per_accelerator=st.decimals(1000, 60_000, places=2),
    idle_power_fraction=st.floats(0, 1),
    cost_of_capital_per_year=st.floats(0, 0.3),
    lead_time_months=st.integers(0, 6),
    residual_fraction=st.floats(0, 1),
)
rates = st.decimals("0.05", "12", places=4)


@settings(max_examples=80, deadline=None)
@given(
    hours=hours_lists,
    buying=buyings,
    low=st.floats(0.05, 1),
    high=st.floats(0.05, 1),
    on_demand=rates,
)
def test_higher_utilisation_never_raises_buying_cost_per_delivered_hour(
    hours: list[float],
    buying: BuyingAssumptions,
    low: float,
    high: float,
    on_demand: Decimal,
) -> None:
    low, high = sorted((low, high))

    def buy_price(utilisation: float) -> Decimal:
        inputs = hand_inputs(
            tuple(hours), len(hours), utilisation, buying, str(on_demand)
        )
        total = compare_tco(inputs).strategy(Strategy.BUY).total
        assert total is not None
        return total.amount

    assert buy_price(high) <= buy_price(low)


@settings(max_examples=60, deadline=None)
@given(
    hours=hours_lists,
    buying=buyings,
    utilisation=st.floats(0.05, 1),
    base=st.tuples(rates, rates, rates, rates),
    factor=st.decimals(1, 3, places=2),
)
def test_higher_rental_price_never_makes_renting_cheaper(
    hours: list[float],
    buying: BuyingAssumptions,
    utilisation: float,
    base: tuple[Decimal, ...],
    factor: Decimal,
) -> None:
    inputs = hand_inputs(tuple(hours), len(hours), utilisation, buying)
    models = ("on_demand", "spot", "reserved_1y", "reserved_3y")

    def totals(scale: Decimal) -> dict[Strategy, Decimal]:
        rental = tuple(
            RentalPrice(model, price * scale, "USD")
            for model, price in zip(models, base, strict=True)
        )
        comparison = compare_tco(replace(inputs, rental_prices=rental))
        return {
            r.strategy: r.total.amount
            for r in comparison.strategies
            if r.total is not None
        }

    cheaper, dearer = totals(Decimal(1)), totals(factor)

    assert cheaper.keys() == dearer.keys()
    for strategy, total in cheaper.items():
        assert dearer[strategy] >= total, strategy


@settings(max_examples=40, deadline=None)
@given(hours=hours_lists, buying=buyings, utilisation=st.floats(0.05, 1))
def test_cash_flows_sum_to_the_total(
    hours: list[float], buying: BuyingAssumptions, utilisation: float
) -> None:
    inputs = replace(
        hand_inputs(tuple(hours), len(hours), utilisation, buying),
        rental_prices=prices(
            on_demand="3.10", spot="1.30", reserved_1y="2.05", reserved_3y="1.61"
        ),
    )

    for result in compare_tco(inputs).strategies:
        assert result.total is not None
        # Each month is rounded once: at most half a cent off each.
        slack = Decimal("0.005") * (len(hours) + 1)
        assert abs(sum(result.cash_flow_per_month) - result.total.amount) <= slack
        assert abs(sum(result.amortised_cost_per_month) - result.total.amount) <= slack
