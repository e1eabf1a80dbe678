"""The store itself refuses two valid prices for one offer and pricing model."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.store.tables import CatalogImportRow, OfferRow, PricePointRow

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)


def _offer_and_import(session: Session) -> tuple[int, int]:
    offer = session.scalars(select(OfferRow).limit(1)).one()
    import_id = session.scalars(select(CatalogImportRow.id).limit(1)).one()
    return offer.id, import_id


def _point(
    offer_id: int, import_id: int, start: datetime, end: datetime | None
) -> dict[str, object]:
    return {
        "offer_id": offer_id,
        "pricing_model": "test_model",
        "price_per_hour": Decimal("1.50"),
        "currency": "USD",
        "valid_from": start,
        "valid_to": end,
        "import_id": import_id,
    }


def test_second_open_price_point_is_refused(session: Session) -> None:
    offer_id, import_id = _offer_and_import(session)
    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T0, None)])

    with pytest.raises(IntegrityError):
        session.execute(insert(PricePointRow), [_point(offer_id, import_id, T1, None)])


def test_overlapping_closed_price_points_are_refused(session: Session) -> None:
    offer_id, import_id = _offer_and_import(session)
    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T0, T2)])

    with pytest.raises(IntegrityError):
        session.execute(insert(PricePointRow), [_point(offer_id, import_id, T1, T2)])


def test_adjacent_price_points_are_accepted(session: Session) -> None:
    offer_id, import_id = _offer_and_import(session)

    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T0, T1)])
    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T1, None)])

    count = session.scalars(
        select(PricePointRow.id).where(PricePointRow.pricing_model == "test_model")
    ).all()
    assert len(count) == 2


def test_reopening_a_closed_point_into_overlap_is_refused(session: Session) -> None:
    offer_id, import_id = _offer_and_import(session)
    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T0, T1)])
    session.execute(insert(PricePointRow), [_point(offer_id, import_id, T1, None)])

    with pytest.raises(IntegrityError):
        session.execute(
            update(PricePointRow)
            .where(
                PricePointRow.pricing_model == "test_model",
                PricePointRow.valid_from == T0,
            )
            .values(valid_to=T2)
        )


@pytest.mark.parametrize("price", [Decimal(0), Decimal("-1")])
def test_zero_or_negative_price_is_refused(session: Session, price: Decimal) -> None:
    offer_id, import_id = _offer_and_import(session)
    row = _point(offer_id, import_id, T0, None) | {"price_per_hour": price}

    with pytest.raises(IntegrityError):
        session.execute(insert(PricePointRow), [row])
