"""Buying 512 H100s for three years against renting them, with real catalogue data."""

from __future__ import annotations

from decimal import Decimal

from service.domain.catalog import Accelerator, Offer, PricedOffer
from service.domain.tco import (
    Demand,
    RentalPrice,
    Strategy,
    TcoComparison,
    TcoInputs,
    cheapest_rental_prices,
    compare_tco,
)
from service.domain.tco.breakeven import solve_break_even
from service.domain.tco.owned import fleet_for_peak, fleet_total, unit_costs
from service.domain.tco.rental import spot_paid_hours_per_hour
from service.domain.tco.resolve import resolve
from service.usecases.bundled import bundled_accelerators, bundled_snapshots

# 512 accelerators busy 80% of 730 hours: 299,008 accelerator-hours a month.
MONTHLY_HOURS = Decimal(512 * 730) * Decimal("0.8")


def h100() -> Accelerator:
    """The bundled catalogue's H100 SXM: 700 W, list price $33,600 (DGX H100 / 8)."""
    accelerators, _ = bundled_accelerators()
    return next(a for a in accelerators if a.id == "h100-sxm")


def round_prices() -> tuple[RentalPrice, ...]:
    """Round prices per accelerator-hour, sold in instances of 8."""
    by_model = {
        "on_demand": "4.00",
        "spot": "2.00",
        "reserved_1y": "3.00",
        "reserved_3y": "2.20",
    }
    return tuple(
        RentalPrice(model, Decimal(price), "USD", "round", None, 8)
        for model, price in by_model.items()
    )


def catalogue_prices() -> tuple[RentalPrice, ...]:
    """The cheapest H100 offer per pricing model in the bundled catalogue."""
    priced = []
    for snapshot, _, _, _ in bundled_snapshots():
        for entry in snapshot.entries:
            offer = Offer(
                len(priced) + 1,
                snapshot.provider,
                entry.region,
                entry.zone,
                entry.instance_type,
                entry.accelerator_id,
                float(entry.accelerator_count),
                entry.vcpus,
                entry.host_memory_gib,
            )
            priced.extend(
                PricedOffer(offer, model, price, snapshot.currency)
                for model, price in entry.prices.items()
            )
    return cheapest_rental_prices(priced, "h100-sxm")


def compare(rental: tuple[RentalPrice, ...]) -> tuple[TcoInputs, TcoComparison]:
    """Compare 512 H100s' worth of work for 36 months at default assumptions."""
    inputs = TcoInputs(h100(), Demand(MONTHLY_HOURS, 36, 0.8), rental)
    return inputs, compare_tco(inputs)


def test_512_h100s_for_three_years_at_round_prices() -> None:
    inputs, comparison = compare(round_prices())

    buy = comparison.strategy(Strategy.BUY)
    assert buy.owned_accelerators == 512
    assert buy.parts is not None and buy.total is not None
    # Capital: 33,600 x 1.23 (network overhead) = 41,328 each, x 512.
    assert buy.parts.capital == Decimal("21159936.00")
    # 3 lead-time months rented on demand: 3 x 299,008 h x $4.00.
    assert buy.parts.cloud == Decimal("3588096.00")
    # Book value after 33 owned months: 41,328 - 41,328 x 0.8 / 48 x 33 = 18,597.60.
    assert buy.parts.residual_value == Decimal("-9521971.20")
    # Colocation: 512 x (700 + 575) W / 1000 x $184.06 x 33 months.
    assert buy.parts.colocation == Decimal("3965094.14")
    assert buy.total.amount == Decimal("27677714.82")
    on_demand = comparison.strategy(Strategy.RENT_ON_DEMAND).total
    assert on_demand is not None
    assert on_demand.amount == MONTHLY_HOURS * 36 * 4
    reserved = comparison.strategy(Strategy.RENT_RESERVED_3Y)
    assert reserved.reserved_accelerators == 416  # 52 instances of 8 for 410 GPUs
    assert comparison.cheapest == Strategy.RENT_SPOT

    assert_break_even_substitutes_back(inputs, comparison)
    assert_hybrid_is_brute_force_minimum(inputs, comparison)


def test_512_h100s_for_three_years_at_catalogue_prices() -> None:
    rental = catalogue_prices()
    assert {p.pricing_model: p.offer for p in rental} == {
        "on_demand": "lambda/us-east-1/gpu_8x_h100_sxm5",
        "spot": "azure/eastus/Standard_ND96isr_H100_v5",
    }

    inputs, comparison = compare(rental)

    assert comparison.strategy(Strategy.BUY).available
    assert not comparison.strategy(Strategy.RENT_RESERVED_1Y).available
    assert comparison.assumptions["rental.on_demand"].value == "3.99"
    assert_break_even_substitutes_back(inputs, comparison)
    assert_hybrid_is_brute_force_minimum(inputs, comparison)


def test_every_default_used_is_echoed_with_a_source() -> None:
    _, comparison = compare(round_prices())

    used = comparison.assumptions
    assert used["buying.price_per_accelerator"].value == "33600"
    assert "catalogue list price" in used["buying.price_per_accelerator"].source
    assert used["buying.pue"].value == 1.56
    assert used["buying.host_power_watts"].value == 575.0
    assert used["spot.job_instances"].value == 52  # ceil(410 accelerators / 8)
    assert all(a.source for a in used.values())


def assert_break_even_substitutes_back(
    inputs: TcoInputs, comparison: TcoComparison
) -> None:
    """Each break-even u solves fixed / u + variable = rental price."""
    settings = resolve(inputs)[0]
    units = unit_costs(settings)
    spot = spot_paid_hours_per_hour(settings)
    assert units.fixed_per_owned_hour is not None and not isinstance(spot, str)
    solved = [row for row in comparison.break_even if row.utilisation is not None]
    assert solved
    for row in solved:
        # The exact price of an hour of work; spot pays for the hours it loses.
        price = settings.rental[row.pricing_model].price_per_accelerator_hour
        price *= spot[0] if row.pricing_model == "spot" else 1
        exact, _ = solve_break_even(
            units.fixed_per_owned_hour, units.variable_per_used_hour, price
        )
        assert exact is not None and row.utilisation is not None
        back = units.fixed_per_owned_hour / exact + units.variable_per_used_hour
        assert abs(back - price) < Decimal("1e-20")
        assert abs(row.utilisation - exact) <= Decimal("0.0000005")


def assert_hybrid_is_brute_force_minimum(
    inputs: TcoInputs, comparison: TcoComparison
) -> None:
    """The hybrid's owned count has the lowest total of every count 0..peak."""
    settings = resolve(inputs)[0]
    units = unit_costs(settings)
    totals = [
        fleet_total(settings, units, n) for n in range(fleet_for_peak(settings) + 1)
    ]
    assert comparison.hybrid_owned_accelerators == totals.index(min(totals))
