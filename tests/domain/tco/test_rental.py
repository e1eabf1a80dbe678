"""Renting: on demand, spot at its expected cost, reserved terms charged whole."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from service.domain.catalog import Offer, PricedOffer
from service.domain.spot import SpotAssumptions
from service.domain.tco import (
    Demand,
    RentalPrice,
    SpotInputs,
    Strategy,
    TcoInputs,
    cheapest_rental_prices,
    compare_tco,
)
from tests.domain.tco.helpers import HAND_BUYING, gpu, hand_inputs, prices


def renting(
    hours: float,
    horizon_months: int,
    *rental: RentalPrice,
    spot: SpotInputs | None = None,
) -> TcoInputs:
    """Inputs that rent `hours` a month with the hand purchase as the alternative."""
    return TcoInputs(
        accelerator=gpu(),
        demand=Demand(hours, horizon_months, 0.6),
        rental_prices=rental,
        buying=HAND_BUYING,
        spot=spot or SpotInputs(),
    )


def test_on_demand_charges_every_hour_at_its_price() -> None:
    result = compare_tco(hand_inputs()).strategy(Strategy.RENT_ON_DEMAND)

    # 3,504 h x $3.00 x 36 months
    assert result.total is not None
    assert result.total.amount == Decimal("378432.00")
    assert result.effective_price_per_accelerator_hour is not None
    assert result.effective_price_per_accelerator_hour.amount == Decimal("3.0000")


def test_reserved_term_is_charged_whole_beyond_the_horizon() -> None:
    inputs = renting(1000, 18, *prices(reserved_1y="2.00"))

    result = compare_tco(inputs).strategy(Strategy.RENT_RESERVED_1Y)

    # ceil(1,000 / 730) = 2 accelerators, 2 x 730 x $2.00 = $2,920 a month; an
    # 18-month horizon takes two 12-month terms, 24 months: 6 months beyond it.
    assert result.reserved_accelerators == 2
    assert result.parts is not None and result.total is not None
    assert result.parts.cloud == Decimal("2920.00") * 18
    assert result.parts.reserved_beyond_horizon == Decimal("2920.00") * 6
    assert result.total.amount == Decimal("2920.00") * 24
    assert result.cash_flow_per_month[-1] == Decimal("2920.00") * 7
    assert sum(result.cash_flow_per_month) == result.total.amount


def test_three_year_term_on_a_one_year_horizon_pays_three_years() -> None:
    inputs = renting(1000, 12, *prices(reserved_3y="1.50"))

    result = compare_tco(inputs).strategy(Strategy.RENT_RESERVED_3Y)

    # 2 x 730 x $1.50 = $2,190 a month for 36 months, 24 of them after the horizon.
    assert result.parts is not None and result.total is not None
    assert result.parts.reserved_beyond_horizon == Decimal("2190.00") * 24
    assert result.total.amount == Decimal("2190.00") * 36


def test_reserved_capacity_is_whole_instances() -> None:
    eight_per_instance = RentalPrice("reserved_1y", Decimal("2.00"), "USD", "x", 1, 8)

    result = compare_tco(renting(1000, 12, eight_per_instance))

    assert result.strategy(Strategy.RENT_RESERVED_1Y).reserved_accelerators == 8


def test_spot_pays_for_hours_lost_to_interruptions() -> None:
    # 2 instances x 0.01 interruptions an hour x (4 / 2 + 1) h = 6% of hours lost,
    # so an hour of work costs 1 / 0.94 paid hours (service/domain/spot.py).
    spot = SpotInputs(SpotAssumptions(0.01, 4.0, 1.0), job_instances=2)
    inputs = renting(940, 1, *prices(spot="1.00"), spot=spot)

    result = compare_tco(inputs).strategy(Strategy.RENT_SPOT)

    assert result.total is not None
    assert result.total.amount == Decimal("1000.00")
    assert result.rented_accelerator_hours == Decimal("1000")


def test_spot_job_that_never_finishes_is_unavailable() -> None:
    spot = SpotInputs(SpotAssumptions(0.5, 4.0, 1.0))
    inputs = renting(940, 1, *prices(spot="1.00"), spot=spot)

    result = compare_tco(inputs).strategy(Strategy.RENT_SPOT)

    assert not result.available and result.total is None
    assert result.reason is not None and "never to finish" in result.reason


def test_strategies_without_a_price_are_unavailable_with_the_reason() -> None:
    comparison = compare_tco(replace(hand_inputs(), rental_prices=()))

    assert comparison.strategy(Strategy.BUY).available
    for strategy in (Strategy.RENT_ON_DEMAND, Strategy.RENT_SPOT, Strategy.HYBRID):
        result = comparison.strategy(strategy)
        assert not result.available
        assert result.reason is not None and "price" in result.reason
    assert comparison.cheapest == Strategy.BUY
    assert comparison.break_even == ()


def offer(id: int, accelerator_id: str, count: float) -> Offer:
    """An offer of `count` accelerators per instance."""
    return Offer(
        id, "cloud", "r1", None, f"type-{id}", accelerator_id, count, None, None
    )


def test_cheapest_offer_per_pricing_model_is_per_accelerator_hour() -> None:
    priced = [
        PricedOffer(offer(1, "g", 8), "on_demand", Decimal("24.00"), "USD"),  # 3.00
        PricedOffer(offer(2, "g", 1), "on_demand", Decimal("2.90"), "USD"),
        PricedOffer(offer(3, "g", 8), "spot", Decimal("9.60"), "USD"),  # 1.20
        PricedOffer(offer(4, "other", 1), "on_demand", Decimal("0.10"), "USD"),
        PricedOffer(offer(5, "g", 8), "reserved_1y", Decimal("16.00"), "USD"),
    ]

    cheapest = {p.pricing_model: p for p in cheapest_rental_prices(priced, "g")}
    named = cheapest_rental_prices(priced, "g", offer_ids=[1])

    assert cheapest["on_demand"].price_per_accelerator_hour == Decimal("2.90")
    assert cheapest["on_demand"].offer == "cloud/r1/type-2"
    assert cheapest["spot"].price_per_accelerator_hour == Decimal("1.20")
    assert cheapest["reserved_1y"].accelerators_per_instance == 8
    assert [p.offer_id for p in named] == [1]
    assert named[0].price_per_accelerator_hour == Decimal("3.00")
