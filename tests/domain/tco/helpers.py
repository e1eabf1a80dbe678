"""Chips, prices and inputs shared by the TCO tests."""

from __future__ import annotations

from decimal import Decimal

from service.domain.catalog import Accelerator
from service.domain.tco import BuyingAssumptions, Demand, RentalPrice, TcoInputs


def gpu(
    tdp_watts: float | None = 700,
    list_price: str | None = None,
    list_price_source: str | None = None,
    id: str = "test-gpu",
) -> Accelerator:
    """Build an accelerator with only what the TCO model reads."""
    return Accelerator(
        id=id,
        name=f"Test {id}",
        vendor="test",
        memory_gib=80,
        memory_bandwidth_gbps=None,
        peak_tflops_fp32=None,
        peak_tflops_tf32=None,
        peak_tflops_bf16=None,
        peak_tflops_fp16=None,
        peak_tflops_fp8=None,
        peak_tflops_int8=None,
        tdp_watts=tdp_watts,
        interconnect_gbps=None,
        list_price=Decimal(list_price) if list_price else None,
        list_price_currency="USD" if list_price else None,
        list_price_source=list_price_source,
    )


def prices(**by_model: str) -> tuple[RentalPrice, ...]:
    """Rental prices per accelerator-hour in USD, e.g. prices(on_demand="3.00")."""
    return tuple(
        RentalPrice(model, Decimal(price), "USD") for model, price in by_model.items()
    )


# The hand-computed purchase of test_owned.py: 8 accelerators at $25,000 + 20%,
# 36-month amortisation to 25%, 700 W + 300 W at PUE 1.5 and $0.10/kWh, idle at 20%
# of the busy draw, $150 per kW-month, operations 5% of capital a year, no cost of
# capital and no lead time.
HAND_BUYING = BuyingAssumptions(
    price_per_accelerator=Decimal(25_000),
    overhead_fraction=0.2,
    amortisation_months=36,
    residual_fraction=0.25,
    cost_of_capital_per_year=0.0,
    host_power_watts=300,
    idle_power_fraction=0.2,
    pue=1.5,
    price_per_kwh=Decimal("0.10"),
    colocation_per_kw_month=Decimal(150),
    operations_fraction_per_year=0.05,
    lead_time_months=0,
)


def hand_inputs(
    hours: Decimal | float | tuple[float, ...] = 8 * 730 * 0.6,
    horizon_months: int = 36,
    utilisation: float = 0.6,
    buying: BuyingAssumptions = HAND_BUYING,
    on_demand: str = "3.00",
) -> TcoInputs:
    """The hand-computed purchase, renting on demand at $3.00 unless told."""
    return TcoInputs(
        accelerator=gpu(),
        demand=Demand(hours, horizon_months, utilisation),
        rental_prices=prices(on_demand=on_demand),
        buying=buying,
    )
