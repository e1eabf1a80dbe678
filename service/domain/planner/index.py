"""Priced offers grouped the way the planner prices them, cheapest first.

Every offer of one group shares its accelerator shape, pricing model, provider
(which sets the spot interruption rate) and currency, hence one plan: one
instance count, one time and one charge. Within a group a cost is the price times
that charge, so the cheapest offers come first. Build the index once per
catalogue snapshot and pass it to every quote; a plain sequence is indexed per call.

The index also lays every offer out as one row of a table of arrays (groups one
after the other), which a quote filters and ranks without a loop per offer.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from service.domain.catalog import PricedOffer

GroupKey = tuple[str, float, str, str, str]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Name = TypeVar("Name", bound=Hashable)


def _by_price(priced: PricedOffer) -> tuple[object, ...]:
    # Price first (the planner's order); then instance type and id, so that offers
    # alike but for their place sit side by side and read as one option.
    return priced.price_per_hour, priced.offer.instance_type, priced.offer.id


class OfferGroup(NamedTuple):
    """Offers of one shape, pricing model, provider and currency, cheapest first.

    Offers of one price and instance type follow each other (then by id).

    A named tuple rather than a dataclass: a catalogue has thousands of groups and
    a tuple is several times cheaper to build.
    """

    accelerator_id: str
    accelerator_count: float
    pricing_model: str
    provider: str
    currency: str
    offers: tuple[PricedOffer, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Codes(Generic[Name]):
    """Names numbered in order of first sight: `names[code[i]]` is row i's name."""

    code: Ints
    names: tuple[Name, ...]

    def allowed(self, wanted: frozenset[str] | None) -> Bools:
        """Return, per row, whether its name is wanted (all rows when None)."""
        if wanted is None:
            return np.ones(self.code.shape, dtype=np.bool_)
        return np.array([name in wanted for name in self.names], dtype=np.bool_)[
            self.code
        ]


def codes(values: Sequence[Name]) -> Codes[Name]:
    """Number the distinct values of a sequence."""
    numbers: dict[Name, int] = {}
    code = np.array(
        [numbers.setdefault(value, len(numbers)) for value in values], dtype=np.int64
    )
    return Codes(code, tuple(numbers))


@dataclass(frozen=True, slots=True, eq=False)
class OfferTable:
    """Every offer of an index as a row, groups one after the other, cheapest first.

    A run is a group's offers of one price and instance type: they are alike but
    for their place, and `run` holds the row where each row's run starts. A place
    is (provider, accelerator, pricing model, region, zone). `model_rank` orders
    pricing models as their names sort.
    """

    offers: tuple[PricedOffer, ...]
    group: Ints
    group_start: Ints
    price: Floats
    positive: Bools
    offer_id: Ints
    model_rank: Ints
    region: Codes[str]
    place: Ints
    run: Ints
    provider: Codes[str]
    pricing_model: Codes[str]
    accelerator: Codes[str]
    currency: Codes[str]
    shape: Codes[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class OfferIndex:
    """A catalogue's priced offers in groups; `size` counts the offers."""

    groups: tuple[OfferGroup, ...]
    size: int
    table: OfferTable


def index_offers(priced_offers: Iterable[PricedOffer]) -> OfferIndex:
    """Group priced offers for the planner, each group cheapest first."""
    grouped: dict[GroupKey, list[PricedOffer]] = {}
    size = 0
    for priced in priced_offers:
        offer = priced.offer
        key = (
            offer.accelerator_id,
            offer.accelerator_count,
            priced.pricing_model,
            offer.provider,
            priced.currency,
        )
        members = grouped.get(key)
        if members is None:
            grouped[key] = [priced]
        else:
            members.append(priced)
        size += 1
    groups = tuple(
        OfferGroup(
            *key,
            tuple(sorted(members, key=_by_price) if len(members) > 1 else members),
        )
        for key, members in grouped.items()
    )
    return OfferIndex(groups, size, _table(groups))


def _table(groups: tuple[OfferGroup, ...]) -> OfferTable:
    offers = tuple(priced for group in groups for priced in group.offers)
    sizes = [len(group.offers) for group in groups]
    group = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    starts = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    run = np.empty(len(offers), dtype=np.int64)
    for row, priced in enumerate(offers):
        previous = offers[row - 1] if row else None
        alike = (
            previous is not None
            and group[row] == group[row - 1]
            and previous.price_per_hour == priced.price_per_hour
            and previous.offer.instance_type == priced.offer.instance_type
        )
        run[row] = run[row - 1] if alike else row
    models = sorted({priced.pricing_model for priced in offers})
    rank = {model: order for order, model in enumerate(models)}
    return OfferTable(
        offers=offers,
        group=group,
        group_start=starts,
        price=np.array([float(p.price_per_hour) for p in offers], dtype=np.float64),
        positive=np.array([p.price_per_hour > 0 for p in offers], dtype=np.bool_),
        offer_id=np.array([p.offer.id for p in offers], dtype=np.int64),
        model_rank=np.array([rank[p.pricing_model] for p in offers], dtype=np.int64),
        region=codes([p.offer.region for p in offers]),
        place=codes(
            [
                (
                    p.offer.provider,
                    p.offer.accelerator_id,
                    p.pricing_model,
                    p.offer.region,
                    p.offer.zone or "",
                )
                for p in offers
            ]
        ).code,
        run=run,
        provider=codes([g.provider for g in groups]),
        pricing_model=codes([g.pricing_model for g in groups]),
        accelerator=codes([g.accelerator_id for g in groups]),
        currency=codes([g.currency for g in groups]),
        shape=codes([(g.accelerator_id, g.accelerator_count) for g in groups]),
    )
