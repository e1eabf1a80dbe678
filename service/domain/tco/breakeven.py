"""Break-even utilisation: where an owned used hour costs what a rented one does.

Owning N accelerators for M months at utilisation u costs N x 730 x M x (f + u v):
f, fixed per owned hour, whatever the use; v, the power a used hour adds. Per used
hour that is f / u + v, which equals a rental price p at u = f / (p - v).

The rental price compared is what an hour of work costs: on-demand and reserved
at their hourly price (a reservation taken as fully used), spot at its price x
paid hours per hour of work (`service/domain/tco/rental.py`).
"""

from __future__ import annotations

from decimal import Decimal

from service.domain.catalog import PricingModel
from service.domain.tco.inputs import RENTAL_MODELS
from service.domain.tco.resolve import Settings
from service.domain.tco.results import BreakEven, OwnedUnitCosts, rate_money

UTILISATION_STEP = Decimal("0.000001")


def solve_break_even(
    fixed_per_owned_hour: Decimal, variable_per_used_hour: Decimal, price: Decimal
) -> tuple[Decimal | None, str | None]:
    """Return u in (0, 1] with fixed / u + variable = price, or None and why."""
    if price <= variable_per_used_hour:
        return None, (
            f"the rental price {price:.4f} is at most the {variable_per_used_hour:.4f} "
            "of power a used owned hour adds: buying never breaks even"
        )
    if fixed_per_owned_hour <= 0:
        return None, "owning has no fixed cost: buying is cheaper at any utilisation"
    utilisation = fixed_per_owned_hour / (price - variable_per_used_hour)
    if utilisation > 1:
        return None, (
            f"buying would need a utilisation of {utilisation:.3f}, above 1: renting "
            "is cheaper at any utilisation"
        )
    return utilisation, None


def break_even_table(
    settings: Settings, units: OwnedUnitCosts, spot_paid_per_hour: Decimal | None
) -> tuple[BreakEven, ...]:
    """Return the break-even utilisation against each rental pricing model priced."""
    rows = []
    for model in RENTAL_MODELS:
        rental = settings.rental.get(model)
        if rental is None:
            continue
        price = rental.price_per_accelerator_hour
        if model == PricingModel.SPOT:
            if spot_paid_per_hour is None:
                continue
            price *= spot_paid_per_hour
        shown = rate_money(price, settings.currency)
        if units.fixed_per_owned_hour is None:
            no_month = "the lead time leaves no owned month in the horizon"
            rows.append(BreakEven(model, shown, None, no_month))
            continue
        solved, reason = solve_break_even(
            units.fixed_per_owned_hour, units.variable_per_used_hour, price
        )
        rounded = solved.quantize(UTILISATION_STEP) if solved is not None else None
        rows.append(BreakEven(model, shown, rounded, reason))
    return tuple(rows)
