"""Compare buying, renting and a hybrid of both, with edge, over one horizon.

C_total = owned hardware at its utilisation + cloud + edge (DESIGN.md), each part
shown. `buy` owns the fleet for the peak month it serves (or the count given),
`hybrid` the count with the lowest total found by exact search, both renting on
demand what the owned fleet cannot serve; `rent_*` rent everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from service.domain.catalog import PricingModel
from service.domain.money import Money
from service.domain.tco import rental
from service.domain.tco.breakeven import break_even_table
from service.domain.tco.inputs import Strategy, TcoInputs
from service.domain.tco.ledger import (
    Delivery,
    Ledger,
    add_edge,
    build_result,
    unavailable,
)
from service.domain.tco.owned import (
    best_hybrid_size,
    fleet_for_peak,
    owned_fleet,
    unit_costs,
)
from service.domain.tco.resolve import Settings, resolve
from service.domain.tco.results import (
    OwnedUnitCosts,
    SensitivityCase,
    StrategyResult,
    TcoComparison,
    round_amount,
    round_rate,
)

# Each input moved by -20% and +20%; utilisation is capped at 1.
SENSITIVITY_FACTORS = (Decimal("0.8"), Decimal("1.2"))
SENSITIVITY_INPUTS = ("utilisation", "rental_prices", "purchase_price")


@dataclass(frozen=True, slots=True)
class _Evaluation:
    units: OwnedUnitCosts
    results: tuple[StrategyResult, ...]
    hybrid_size: int | None
    spot_paid_per_hour: Decimal | None
    cheapest: Strategy | None


def compare_tco(inputs: TcoInputs) -> TcoComparison:
    """Price every strategy, the best hybrid, break-even and sensitivity."""
    settings, log = resolve(inputs)

    base = _evaluate(settings)
    units = base.units
    log.note(
        "buying.capital_per_accelerator",
        str(round_amount(units.capital, settings.currency)),
        "price x (1 + overhead_fraction), or price + overhead_per_accelerator",
    )
    log.note(
        "buying.monthly_capital_rate",
        str(units.monthly_capital_rate.quantize(Decimal("1e-10"))),
        "(1 + cost_of_capital_per_year) ** (1 / 12) - 1, on the book value",
    )
    sensitivity = tuple(
        _sensitivity(settings, what, factor)
        for what in SENSITIVITY_INPUTS
        for factor in SENSITIVITY_FACTORS
    )

    return TcoComparison(
        currency=settings.currency,
        horizon_months=settings.horizon_months,
        accelerator_id=inputs.accelerator.id,
        strategies=base.results,
        cheapest=base.cheapest,
        hybrid_owned_accelerators=base.hybrid_size,
        owned_unit_costs=_rounded(units, settings.currency),
        break_even=break_even_table(settings, units, base.spot_paid_per_hour),
        sensitivity=sensitivity,
        assumptions=dict(log.used),
    )


def _evaluate(settings: Settings) -> _Evaluation:
    units = unit_costs(settings)
    count = settings.owned_count
    buy_count = fleet_for_peak(settings) if count is None else count
    outcomes: dict[Strategy, tuple[Ledger, Delivery] | str] = {
        Strategy.BUY: owned_fleet(settings, units, buy_count),
        Strategy.RENT_ON_DEMAND: rental.on_demand(settings),
        Strategy.RENT_SPOT: rental.spot(settings),
    }
    for model, strategy in rental.RESERVED_STRATEGIES.items():
        outcomes[strategy] = rental.reserved(settings, model)
    hybrid_size = None
    if PricingModel.ON_DEMAND in settings.rental:
        hybrid_size = best_hybrid_size(settings, units)
        outcomes[Strategy.HYBRID] = owned_fleet(settings, units, hybrid_size)
    else:
        outcomes[Strategy.HYBRID] = "the hybrid rents its burst on demand: no price"
    results = tuple(
        _priced(strategy, settings, outcomes[strategy]) for strategy in Strategy
    )
    spot_found = rental.spot_paid_hours_per_hour(settings)
    spot_paid = None if isinstance(spot_found, str) else spot_found[0]
    return _Evaluation(units, results, hybrid_size, spot_paid, _cheapest(results))


def _priced(
    strategy: Strategy, settings: Settings, outcome: tuple[Ledger, Delivery] | str
) -> StrategyResult:
    if isinstance(outcome, str):
        return unavailable(strategy, outcome)
    ledger, delivery = outcome
    add_edge(ledger, settings)
    return build_result(strategy, ledger, settings, delivery)


def _cheapest(results: tuple[StrategyResult, ...]) -> Strategy | None:
    priced = [r for r in results if r.total is not None]
    if not priced:
        return None
    # Totals are rounded to the cent: on a tie (tiny demand) the finer effective
    # price per delivered hour decides, then the order strategies are listed in.
    return min(
        priced,
        key=lambda r: (
            _amount(r.total),
            _amount(r.effective_price_per_accelerator_hour),
        ),
    ).strategy


def _amount(total: Money | None) -> Decimal:
    return total.amount if total is not None else Decimal("Infinity")


def _sensitivity(settings: Settings, what: str, factor: Decimal) -> SensitivityCase:
    if what == "utilisation":
        moved = replace(
            settings, utilisation=min(Decimal(1), settings.utilisation * factor)
        )
    elif what == "rental_prices":
        prices = {
            model: replace(
                price,
                price_per_accelerator_hour=price.price_per_accelerator_hour * factor,
            )
            for model, price in settings.rental.items()
        }
        moved = replace(settings, rental=prices)
    else:
        moved = replace(settings, price=settings.price * factor)
    evaluation = _evaluate(moved)
    totals = {r.strategy: r.total for r in evaluation.results}
    return SensitivityCase(f"{what} x{factor}", factor, totals, evaluation.cheapest)


def _rounded(units: OwnedUnitCosts, currency: str) -> OwnedUnitCosts:
    fixed = units.fixed_per_owned_hour
    return replace(
        units,
        capital=round_amount(units.capital, currency),
        depreciation_per_month=round_amount(units.depreciation_per_month, currency),
        residual_value=round_amount(units.residual_value, currency),
        monthly_capital_rate=units.monthly_capital_rate.quantize(Decimal("1e-10")),
        cost_of_capital=round_amount(units.cost_of_capital, currency),
        colocation_per_month=round_amount(units.colocation_per_month, currency),
        operations_per_month=round_amount(units.operations_per_month, currency),
        idle_power_per_hour=round_rate(units.idle_power_per_hour, currency),
        busy_power_per_hour=round_rate(units.busy_power_per_hour, currency),
        fixed_per_owned_hour=round_rate(fixed, currency) if fixed is not None else None,
        variable_per_used_hour=round_rate(units.variable_per_used_hour, currency),
    )
