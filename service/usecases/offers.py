"""Offers and their prices at an instant, read from the catalogue held in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.domain.catalog import Offer, PricePoint
from service.domain.errors import NotFound, nearest_names
from service.usecases.catalog_cache import CatalogData


@dataclass(frozen=True, slots=True)
class OfferFilter:
    """What `GET /v1/offers` narrows by; None means any."""

    provider: str | None = None
    region: str | None = None
    accelerator: str | None = None
    pricing_model: str | None = None
    min_accelerators: float | None = None


def offers_at(
    catalog: CatalogData,
    where: OfferFilter,
    *,
    as_of: datetime,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Offer, tuple[PricePoint, ...]]], int]:
    """A page of the offers with a price at `as_of` that pass the filter."""
    provider = _known("provider", where.provider, catalog.providers)
    region = _known("region", where.region, catalog.regions)
    accelerator = (
        accelerator_id(catalog, where.accelerator) if where.accelerator else None
    )
    matches: list[tuple[Offer, tuple[PricePoint, ...]]] = []
    for offer_id, points in catalog.points_at(as_of).items():
        offer = catalog.offers[offer_id]
        if (
            (provider and offer.provider != provider)
            or (region and offer.region != region)
            or (accelerator and offer.accelerator_id != accelerator)
            or (
                where.min_accelerators is not None
                and offer.accelerator_count < where.min_accelerators
            )
        ):
            continue
        if where.pricing_model is not None:
            points = tuple(p for p in points if p.pricing_model == where.pricing_model)
            if not points:
                continue
        matches.append((offer, points))
    return matches[offset : offset + limit], len(matches)


def offer_at(
    catalog: CatalogData, offer_id: int, as_of: datetime
) -> tuple[Offer, tuple[PricePoint, ...]]:
    """One offer with its prices at `as_of`, or NotFound."""
    offer = catalog.offers.get(offer_id)
    if offer is None:
        raise NotFound("offer", offer_id)
    return offer, catalog.points_at(as_of).get(offer_id, ())


def accelerator_id(catalog: CatalogData, name: str) -> str:
    """The id of an accelerator named by id or alias (case-insensitive)."""
    wanted = name.strip().lower()
    known: list[str] = []
    for accelerator in catalog.accelerators.values():
        names = (accelerator.id, *accelerator.aliases)
        if wanted in (n.lower() for n in names):
            return accelerator.id
        known.extend(names)
    raise NotFound("accelerator", name, nearest_names(name, known))


def _known(kind: str, name: str | None, known: frozenset[str]) -> str | None:
    if name is None or name in known:
        return name
    raise NotFound(kind, name, nearest_names(name, known))
