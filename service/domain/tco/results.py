"""What a TCO comparison answers: each strategy's total and parts, and the verdicts.

Amounts are rounded once, here at the end, half-even to the currency's minor unit
(`round_money`); hourly prices keep two digits more, as cloud price lists do. Each
figure is rounded from its exact value, so a sum of rounded figures may differ
from the rounded total by a few minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from service.domain.money import Money, minor_unit, round_money
from service.domain.tco.inputs import Strategy
from service.domain.workload import Assumption, AssumptionValue


def round_rate(amount: Decimal, currency: str) -> Decimal:
    """Round an hourly price half-even to a hundredth of the minor unit: $2.3476."""
    step = minor_unit(currency).scaleb(-2)
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() - step.adjusted() + 2)
        return amount.quantize(step, rounding=ROUND_HALF_EVEN)


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Round with `round_money`, with the digits a very large amount needs."""
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() + 6)
        return round_money(amount, currency)


def money(amount: Decimal, currency: str) -> Money:
    """An amount as Money, rounded to the currency's minor unit."""
    return Money(round_amount(amount, currency), currency)


def rate_money(amount: Decimal, currency: str) -> Money:
    """An hourly price as Money, rounded to a hundredth of the minor unit."""
    return Money(round_rate(amount, currency), currency)


@dataclass(frozen=True, slots=True)
class CostParts:
    """The parts of a total; `residual_value` is negative: money back at the end.

    `reserved_beyond_horizon` is what reserved terms charge for months after the
    horizon (a term is charged whole); `cost_of_capital` is an imputed charge.
    """

    capital: Decimal
    cost_of_capital: Decimal
    power: Decimal
    colocation: Decimal
    operations: Decimal
    cloud: Decimal
    reserved_beyond_horizon: Decimal
    edge: Decimal
    transfer: Decimal
    residual_value: Decimal


@dataclass(frozen=True, slots=True)
class StrategyResult:
    """One strategy over the horizon, or why it cannot be priced.

    `cash_flow_per_month` pays capital when the hardware arrives and gets the
    residual value back in the last month; `amortised_cost_per_month` spreads
    capital less residual straight-line instead. Both sum to `total`, with
    reserved months beyond the horizon booked in the last month.
    """

    strategy: Strategy
    available: bool
    reason: str | None = None
    total: Money | None = None
    parts: CostParts | None = None
    cash_flow_per_month: tuple[Decimal, ...] = ()
    amortised_cost_per_month: tuple[Decimal, ...] = ()
    owned_accelerators: int = 0
    reserved_accelerators: int = 0
    accelerator_hours_delivered: Decimal = Decimal(0)
    owned_accelerator_hours: Decimal = Decimal(0)
    rented_accelerator_hours: Decimal = Decimal(0)
    effective_price_per_accelerator_hour: Money | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class OwnedUnitCosts:
    """What one owned accelerator costs over the months it is owned.

    fixed_per_owned_hour = (capital - residual + cost of capital + (colocation +
    operations + idle power) x owned months) / (730 x owned months); a used hour
    adds variable_per_used_hour, the power above idle.
    """

    capital: Decimal
    owned_months: int
    depreciation_per_month: Decimal
    residual_value: Decimal
    monthly_capital_rate: Decimal
    cost_of_capital: Decimal
    colocation_per_month: Decimal
    operations_per_month: Decimal
    idle_power_per_hour: Decimal
    busy_power_per_hour: Decimal
    fixed_per_owned_hour: Decimal | None
    variable_per_used_hour: Decimal


@dataclass(frozen=True, slots=True)
class BreakEven:
    """The owned utilisation at which buying costs what renting does per used hour.

    Solves fixed / u + variable = price: u = fixed / (price - variable). None, with
    the reason, when no u in (0, 1] does.
    """

    pricing_model: str
    rental_price_per_accelerator_hour: Money
    utilisation: Decimal | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SensitivityCase:
    """Totals when one input moves, and the strategy then cheapest."""

    name: str
    factor: Decimal
    totals: dict[Strategy, Money | None]
    cheapest: Strategy | None


@dataclass(frozen=True, slots=True)
class TcoComparison:
    """Buying against renting against a hybrid, with edge, over one horizon."""

    currency: str
    horizon_months: int
    accelerator_id: str
    strategies: tuple[StrategyResult, ...]
    cheapest: Strategy | None
    hybrid_owned_accelerators: int | None
    owned_unit_costs: OwnedUnitCosts
    break_even: tuple[BreakEven, ...]
    sensitivity: tuple[SensitivityCase, ...]
    assumptions: dict[str, Assumption[AssumptionValue]] = field(default_factory=dict)

    def strategy(self, strategy: Strategy) -> StrategyResult:
        """The result of one strategy."""
        return next(s for s in self.strategies if s.strategy == strategy)
