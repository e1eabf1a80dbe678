"""Priced offers grouped the way the planner prices them, cheapest first.

Every offer of one group shares its accelerator shape, pricing model, provider
(which sets the spot interruption rate) and currency, hence one plan: one
instance count, one time and one charge. Within a group a cost is the price times
that charge, so the cheapest offers come first and a quote stops reading a group
as soon as its offers can no longer make the list. Build the index once per
catalogue snapshot and pass it to every quote; a plain sequence is indexed per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from service.domain.catalog import PricedOffer

GroupKey = tuple[str, float, str, str, str]


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


@dataclass(frozen=True, slots=True)
class OfferIndex:
    """A catalogue's priced offers in groups; `size` counts the offers."""

    groups: tuple[OfferGroup, ...]
    size: int


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
    return OfferIndex(groups, size)
