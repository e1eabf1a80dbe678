"""Queries of offers and their price history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from service.store.tables import OfferRow, PricePointRow


@dataclass(frozen=True, slots=True)
class OfferFilter:
    """What `GET /v1/offers` narrows by; None means any."""

    provider: str | None = None
    region: str | None = None
    accelerator_id: str | None = None
    pricing_model: str | None = None
    min_accelerators: Decimal | None = None


def valid_at(instant: datetime) -> ColumnElement[bool]:
    """Price points valid at an instant: valid_from <= t < valid_to (or open)."""
    return and_(
        PricePointRow.valid_from <= instant,
        or_(PricePointRow.valid_to.is_(None), PricePointRow.valid_to > instant),
    )


def find_offers(
    session: Session,
    where: OfferFilter,
    *,
    as_of: datetime,
    limit: int,
    offset: int,
) -> tuple[list[tuple[OfferRow, list[PricePointRow]]], int]:
    """A page of offers with a price at `as_of`, each with those prices."""
    price_filter = [valid_at(as_of), PricePointRow.offer_id == OfferRow.id]
    if where.pricing_model:
        price_filter.append(PricePointRow.pricing_model == where.pricing_model)
    conditions: list[ColumnElement[bool]] = [exists().where(*price_filter)]
    if where.provider:
        conditions.append(OfferRow.provider == where.provider)
    if where.region:
        conditions.append(OfferRow.region == where.region)
    if where.accelerator_id:
        conditions.append(OfferRow.accelerator_id == where.accelerator_id)
    if where.min_accelerators is not None:
        conditions.append(OfferRow.accelerator_count >= where.min_accelerators)

    total = session.execute(
        select(func.count()).select_from(OfferRow).where(*conditions)
    ).scalar_one()
    offers = list(
        session.scalars(
            select(OfferRow)
            .where(*conditions)
            .order_by(OfferRow.id)
            .limit(limit)
            .offset(offset)
        )
    )
    prices = _prices_at(session, [o.id for o in offers], as_of, where.pricing_model)
    return [(offer, prices.get(offer.id, [])) for offer in offers], total


def get_offer(session: Session, offer_id: int) -> OfferRow | None:
    """One offer by id."""
    return session.get(OfferRow, offer_id)


def offer_prices_at(
    session: Session, offer_id: int, as_of: datetime
) -> list[PricePointRow]:
    """An offer's prices valid at an instant."""
    return _prices_at(session, [offer_id], as_of, None).get(offer_id, [])


def price_history(
    session: Session,
    offer_id: int,
    *,
    pricing_model: str | None,
    limit: int,
    offset: int,
) -> tuple[list[PricePointRow], int]:
    """A page of an offer's price points, oldest first."""
    conditions = [PricePointRow.offer_id == offer_id]
    if pricing_model:
        conditions.append(PricePointRow.pricing_model == pricing_model)
    total = session.execute(
        select(func.count()).select_from(PricePointRow).where(*conditions)
    ).scalar_one()
    points = session.scalars(
        select(PricePointRow)
        .where(*conditions)
        .order_by(
            PricePointRow.pricing_model, PricePointRow.valid_from, PricePointRow.id
        )
        .limit(limit)
        .offset(offset)
    )
    return list(points), total


def known_providers(session: Session) -> list[str]:
    """Every provider with at least one offer."""
    return list(session.scalars(select(OfferRow.provider).distinct()))


def known_regions(session: Session) -> list[str]:
    """Every region with at least one offer."""
    return list(session.scalars(select(OfferRow.region).distinct()))


def _prices_at(
    session: Session,
    offer_ids: list[int],
    as_of: datetime,
    pricing_model: str | None,
) -> dict[int, list[PricePointRow]]:
    if not offer_ids:
        return {}
    query = select(PricePointRow).where(
        PricePointRow.offer_id.in_(offer_ids), valid_at(as_of)
    )
    if pricing_model:
        query = query.where(PricePointRow.pricing_model == pricing_model)
    by_offer: dict[int, list[PricePointRow]] = {}
    for point in session.scalars(query.order_by(PricePointRow.pricing_model)):
        by_offer.setdefault(point.offer_id, []).append(point)
    return by_offer
