"""Inputs: defaults echoed with their sources, edge parts, and refused values."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from service.domain.errors import InvalidWorkload
from service.domain.money import UnknownCurrency
from service.domain.tco import (
    BuyingAssumptions,
    Demand,
    EdgeInputs,
    RentalPrice,
    Strategy,
    TcoInputs,
    compare_tco,
)
from tests.domain.tco.helpers import HAND_BUYING, gpu, hand_inputs, prices

EDGE = EdgeInputs(
    device_count=10,
    unit_cost=Decimal(2000),
    power_watts=50,
    lifetime_months=60,
    work_share=0.25,
    transfer_gb_per_month=1000,
    price_per_gb=Decimal("0.05"),
)


def test_edge_takes_its_share_of_work_and_adds_devices_power_and_transfer() -> None:
    comparison = compare_tco(replace(hand_inputs(), edge=EDGE))

    on_demand = comparison.strategy(Strategy.RENT_ON_DEMAND)
    # Devices: 10 x 2,000 / 60 = 333.33 a month; power: 10 x 50 W x 730 h / 1000 x
    # $0.10 = $36.50; transfer: 1,000 GB x $0.05 = $50 a month.
    assert on_demand.parts is not None
    assert on_demand.parts.edge == Decimal("13314.00")  # 369.8333... x 36
    assert on_demand.parts.transfer == Decimal("1800.00")
    # The cloud serves the other 75%: 2,628 h x $3.00 x 36.
    assert on_demand.parts.cloud == Decimal("283824.00")
    assert on_demand.accelerator_hours_delivered == Decimal("126144.0")
    # The owned fleet shrinks to the 2,628 h a month it serves: 2,628 / 438 = 6.
    assert comparison.strategy(Strategy.BUY).owned_accelerators == 6


def test_default_overhead_depends_on_what_the_price_covers() -> None:
    dgx_share = gpu(list_price="33600", list_price_source="8-GPU DGX at $269k")
    catalogue = TcoInputs(dgx_share, Demand(1000, 12), prices(on_demand="4"))
    chip_only = replace(catalogue, buying=BuyingAssumptions(price_per_accelerator=10))

    server_share = compare_tco(catalogue).assumptions["buying.overhead_fraction"]
    chip = compare_tco(chip_only).assumptions["buying.overhead_fraction"]

    assert server_share.value == 0.23  # network only: 0.19 / 0.81
    assert chip.value == 1.02  # server and network: 1.64 / 0.81 - 1


def test_host_power_of_an_unknown_family_is_a_share_of_its_tdp() -> None:
    inputs = replace(hand_inputs(), buying=replace(HAND_BUYING, host_power_watts=None))

    host = compare_tco(inputs).assumptions["buying.host_power_watts"]

    assert host.value == 560.0  # 0.8 x 700 W
    assert "Epoch" in host.source


def test_given_values_are_echoed_as_given() -> None:
    used = compare_tco(hand_inputs()).assumptions

    assert used["buying.pue"].value == 1.5
    assert used["buying.pue"].source == "given in the request"
    assert used["demand.utilisation"].value == 0.6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"demand": Demand((1.0, 2.0), 3)}, "demand.accelerator_hours_per_month"),
        ({"demand": Demand(-1, 3)}, "demand.accelerator_hours_per_month[0]"),
        ({"demand": Demand(1, 0)}, "demand.horizon_months"),
        ({"demand": Demand(1, 3, utilisation=1.5)}, "demand.utilisation"),
        ({"demand": Demand(1, 3, utilisation=0.0)}, "demand.utilisation"),
        (
            {"rental_prices": prices(on_demand="1") + prices(on_demand="2")},
            "rental_prices[1]",
        ),
        ({"rental_prices": prices(committed="1")}, "rental_prices[0].pricing_model"),
        (
            {"rental_prices": prices(on_demand="0")},
            "rental_prices[0].price_per_accelerator_hour",
        ),
        (
            {"rental_prices": (RentalPrice("on_demand", Decimal(1), "EUR"),)},
            "rental_prices[0].currency",
        ),
        ({"buying": replace(HAND_BUYING, pue=0.9)}, "buying.pue"),
        (
            {"buying": replace(HAND_BUYING, residual_fraction=1.2)},
            "buying.residual_fraction",
        ),
        ({"edge": replace(EDGE, work_share=1.5)}, "edge.work_share"),
    ],
)
def test_impossible_inputs_are_refused_with_their_field(
    change: dict[str, object], field: str
) -> None:
    inputs = replace(hand_inputs(), **change)

    with pytest.raises(InvalidWorkload) as refused:
        compare_tco(inputs)

    assert refused.value.field == field


def test_purchase_price_is_required_without_a_list_price() -> None:
    inputs = TcoInputs(gpu(), Demand(1000, 12), prices(on_demand="4"))

    with pytest.raises(InvalidWorkload) as refused:
        compare_tco(inputs)

    assert refused.value.field == "buying.price_per_accelerator"


def test_power_is_required_without_a_tdp() -> None:
    inputs = replace(hand_inputs(), accelerator=gpu(tdp_watts=None))

    with pytest.raises(InvalidWorkload) as refused:
        compare_tco(inputs)

    assert refused.value.field == "buying.accelerator_power_watts"


def test_usd_defaults_need_a_figure_in_another_currency() -> None:
    buying = replace(HAND_BUYING, price_per_kwh=None)
    inputs = replace(hand_inputs(buying=buying), currency="EUR", rental_prices=())

    with pytest.raises(InvalidWorkload) as refused:
        compare_tco(inputs)

    assert refused.value.field == "buying.price_per_kwh"


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        compare_tco(replace(hand_inputs(), currency="XYZ", rental_prices=()))
