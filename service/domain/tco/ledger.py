"""Exact monthly amounts of one strategy, by part, and the result built from them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from service.domain.tco.defaults import HOURS
from service.domain.tco.inputs import Strategy, dec
from service.domain.tco.resolve import Settings
from service.domain.tco.results import (
    CostParts,
    StrategyResult,
    money,
    rate_money,
    round_amount,
)

PARTS: tuple[str, ...] = tuple(f.name for f in fields(CostParts))


class Ledger:
    """Amounts per part and month of the horizon, exact until the result is built."""

    def __init__(self, months: int) -> None:
        self.months = months
        self.parts = {part: [Decimal(0)] * months for part in PARTS}
        self.depreciation = [Decimal(0)] * months

    def add(self, part: str, month: int, amount: Decimal) -> None:
        """Add an amount to a part in a month (0 is the first month)."""
        self.parts[part][month] += amount

    def part_total(self, part: str) -> Decimal:
        """The sum of one part over the horizon."""
        return sum(self.parts[part], Decimal(0))

    def total(self) -> Decimal:
        """The sum of every part over the horizon."""
        return sum((self.part_total(part) for part in PARTS), Decimal(0))

    def cash_flow(self) -> list[Decimal]:
        """Each month's amount: capital when paid, residual value when sold."""
        return [
            sum((self.parts[part][m] for part in PARTS), Decimal(0))
            for m in range(self.months)
        ]

    def amortised(self) -> list[Decimal]:
        """Each month's amount with capital less residual spread straight-line."""
        return [
            cash
            - self.parts["capital"][m]
            - self.parts["residual_value"][m]
            + self.depreciation[m]
            for m, cash in enumerate(self.cash_flow())
        ]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Hours a strategy delivers and how: owned, rented (hours paid), reserved."""

    owned_accelerators: int = 0
    reserved_accelerators: int = 0
    owned_hours: Decimal = Decimal(0)
    rented_hours: Decimal = Decimal(0)
    note: str | None = None


def add_edge(ledger: Ledger, settings: Settings) -> None:
    """Add the edge devices (straight-line over their lifetime) and data transfer."""
    edge = settings.edge
    if edge is None:
        return
    devices = edge.device_count * edge.unit_cost / edge.lifetime_months
    power = (
        edge.device_count
        * dec(edge.power_watts)
        * HOURS
        / 1000
        * settings.price_per_kwh
    )
    transfer = dec(edge.transfer_gb_per_month) * edge.price_per_gb
    for month in range(ledger.months):
        ledger.add("edge", month, devices + power)
        ledger.add("transfer", month, transfer)


def build_result(
    strategy: Strategy, ledger: Ledger, settings: Settings, delivery: Delivery
) -> StrategyResult:
    """Round a strategy's ledger once into its result."""
    currency = settings.currency
    total = ledger.total()
    delivered = sum(settings.demand_hours, Decimal(0))
    parts = CostParts(
        **{part: round_amount(ledger.part_total(part), currency) for part in PARTS}
    )
    effective = rate_money(total / delivered, currency) if delivered else None
    return StrategyResult(
        strategy=strategy,
        available=True,
        total=money(total, currency),
        parts=parts,
        cash_flow_per_month=tuple(
            round_amount(x, currency) for x in ledger.cash_flow()
        ),
        amortised_cost_per_month=tuple(
            round_amount(x, currency) for x in ledger.amortised()
        ),
        owned_accelerators=delivery.owned_accelerators,
        reserved_accelerators=delivery.reserved_accelerators,
        accelerator_hours_delivered=delivered,
        owned_accelerator_hours=delivery.owned_hours,
        rented_accelerator_hours=delivery.rented_hours,
        effective_price_per_accelerator_hour=effective,
        note=delivery.note,
    )


def unavailable(strategy: Strategy, reason: str) -> StrategyResult:
    """A strategy that cannot be priced, and why."""
    return StrategyResult(strategy=strategy, available=False, reason=reason)
