"""Shapes shared by every route: pages, money, instants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")

MAX_PAGE_SIZE = 500


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("an instant needs a timezone, e.g. 2026-05-20T00:00:00Z")
    return value.astimezone(UTC)


Instant = Annotated[datetime, AfterValidator(_aware)]
# Money travels as a decimal string so that no client reads it as a float.
MoneyAmount = Annotated[
    Decimal,
    PlainSerializer(
        lambda value: format(value.normalize(), "f"),
        return_type=str,
        when_used="json",
    ),
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
