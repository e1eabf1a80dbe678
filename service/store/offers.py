"""Queries of offers and their price history."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.catalog import PricePoint
from service.store.tables import OfferRow, PricePointRow


def get_offer(session: Session, offer_id: int) -> OfferRow | None:
    """One offer by id."""
    return session.get(OfferRow, offer_id)


def price_history(
    session: Session,
    offer_id: int,
    *,
    pricing_model: str | None,
    limit: int,
    offset: int,
) -> tuple[list[PricePoint], int]:
    """A page of an offer's price points, oldest first per pricing model."""
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
    return [
        PricePoint(
            p.offer_id,
            p.pricing_model,
            p.price_per_hour,
            p.currency,
            p.valid_from,
            p.valid_to,
            p.import_id,
        )
        for p in points
    ], total
