"""Money: Decimal amounts with an ISO 4217 currency, rounded once, at the end."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

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
