"""Shapes shared by every route: pages, money, instants."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictFloat,
    StrictInt,
)

T = TypeVar("T")

MAX_PAGE_SIZE = 500


def _iso_instant(value: object) -> object:
    # Only ISO 8601 text names an instant here; pydantic alone would also read a
    # bare number as seconds since 1970, which no one means in a query string.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_INSTANT.match(value):
        raise ValueError("an instant is ISO 8601 text, e.g. 2026-05-20T00:00:00Z")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("an instant needs a timezone, e.g. 2026-05-20T00:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is out of range in UTC") from None


ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
Instant = Annotated[datetime, BeforeValidator(_iso_instant), AfterValidator(_aware)]


def _not_boolean(value: object) -> object:
    # JSON true/false are not numbers, though Python counts them as 1 and 0.
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value


NotBoolean = BeforeValidator(_not_boolean)
# Strict types refuse true/false as numbers and keep their bounds in the schema
# (a before-validator would hide `minimum`/`maximum` from the OpenAPI document).
Int = StrictInt
Real = StrictFloat
# Ids in paths are positive and fit the stores' 32-bit integer keys.
MAX_ID = 2**31 - 1
CENTS = Decimal("0.01")


def money_text(value: Decimal) -> str:
    """A decimal string without trailing zeros past the cents (55.04, 6.8775, 12.00)."""
    # Exact at any size: the default context's 28 digits would round large sums.
    with localcontext() as context:
        context.prec = 60
        shown = value.normalize()
        if shown.as_tuple().exponent > -2:  # type: ignore[operator]
            shown = shown.quantize(CENTS)
    return format(shown, "f")


# Money travels as a decimal string so that no client reads it as a float.
MoneyAmount = Annotated[
    Decimal,
    PlainSerializer(money_text, return_type=str, when_used="json"),
]


class StrictModel(BaseModel):
    """A request body that rejects fields it does not know."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of items."""

    items: list[T]
    total: int = Field(description="How many items match, over all pages.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many items were skipped.")
