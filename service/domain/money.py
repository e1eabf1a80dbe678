"""Money: Decimal amounts with an ISO 4217 currency, rounded once, at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from service.domain.errors import DomainError

# Digits after the decimal point of each accepted currency (ISO 4217, "minor unit").
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "CNY": 2,
    "INR": 2,
    "SGD": 2,
    "JPY": 0,
    "KRW": 0,
}


class UnknownCurrency(DomainError):
    """A currency code the service does not know the minor unit of."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"unknown currency {code!r}; known: {', '.join(sorted(MINOR_UNITS))}"
        )


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency, e.g. 0.01 for USD, 1 for JPY."""
    if currency not in MINOR_UNITS:
        raise UnknownCurrency(currency)
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half to even (banker's rounding).

    Half-even keeps sums of many rounded amounts unbiased; it is the rounding of
    IEEE 754 and of Python's `decimal` default context.
    """
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def rounded(self) -> Money:
        """The amount rounded to the currency's minor unit."""
        return Money(round_money(self.amount, self.currency), self.currency)


# Unit rates (a price per accelerator-hour, a cost per million tokens) keep four more
# digits than amounts, as hourly list prices do (63.296 USD): judgement, so that a
# rate of a fraction of a cent neither vanishes nor reads as one whole cent.
RATE_EXTRA_DIGITS = 4


def round_rate(amount: Decimal, unit: Decimal) -> Decimal:
    """Round a unit rate half to even to 1/10,000 of a minor unit."""
    return amount.quantize(unit.scaleb(-RATE_EXTRA_DIGITS), rounding=ROUND_HALF_EVEN)


def round_cost(amount: Decimal, unit: Decimal) -> Decimal:
    """Round a positive cost half to even to a minor unit, never below one unit.

    A cost that exists but is under half a minor unit would round to zero, which
    reads as free; it shows as the smallest amount that can be paid instead.
    """
    rounded = amount.quantize(unit, rounding=ROUND_HALF_EVEN)
    return rounded if rounded >= unit or amount <= 0 else unit


def split_rounded(
    parts: Sequence[Decimal], unit: Decimal
) -> tuple[Decimal, list[Decimal]]:
    """Round the sum of exact parts once, and the parts so that they add up to it.

    The total is `round_cost` of the exact sum. The parts follow by largest remainder
    (Hamilton's method): each is rounded down to the unit, then the units still
    missing go one each to the parts with the largest remainders, the earlier part
    first on a tie. A part that is exactly zero stays zero.
    """
    total = round_cost(sum(parts, Decimal(0)), unit)
    floors = [part.quantize(unit, rounding=ROUND_FLOOR) for part in parts]
    remainders = [part - floor for part, floor in zip(parts, floors, strict=True)]
    missing = int((total - sum(floors, Decimal(0))) / unit)
    for i in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[i] += unit
    return total, floors
