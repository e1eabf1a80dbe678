"""Offers and their prices, at any instant of the price history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from service.api.auth import require
from service.api.deps import CatalogDep, PagingDep, SessionDep, now_utc
from service.api.problems import problem_responses
from service.api.schemas.catalog import OfferRead, PriceRead
from service.api.schemas.common import MAX_ID, Instant, Page
from service.domain.catalog import Offer, PricePoint
from service.domain.errors import NotFound
from service.store.offers import get_offer, price_history
from service.usecases.offers import OfferFilter, offer_at, offers_at

OfferId = Annotated[int, Path(ge=1, le=MAX_ID, description="An offer's id.")]

router = APIRouter(
    prefix="/v1/offers",
    tags=["catalogue"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)

AsOf = Annotated[
    Instant | None,
    Query(
        description="The instant whose prices to show (ISO 8601 with a timezone); "
        "default now.",
        examples=["2026-05-20T00:00:00Z"],
    ),
]


def price_read(point: PricePoint, accelerator_count: float) -> PriceRead:
    """The response body of a price point."""
    return PriceRead(
        pricing_model=point.pricing_model,
        price_per_hour=point.price_per_hour,
        price_per_accelerator_hour=point.price_per_hour
        / Decimal(repr(accelerator_count)),
        currency=point.currency,
        valid_from=point.valid_from,
        valid_to=point.valid_to,
        import_id=point.import_id or 0,
    )


def offer_read(offer: Offer, prices: Sequence[PricePoint]) -> OfferRead:
    """The response body of an offer with some of its prices."""
    return OfferRead(
        id=offer.id,
        provider=offer.provider,
        region=offer.region,
        zone=offer.zone,
        instance_type=offer.instance_type,
        accelerator=offer.accelerator_id,
        accelerator_count=offer.accelerator_count,
        vcpus=offer.vcpus,
        host_memory_gib=offer.host_memory_gib,
        prices=[price_read(p, offer.accelerator_count) for p in prices],
    )


@router.get(
    "",
    response_model=Page[OfferRead],
    summary="List offers with their prices at an instant",
    responses=problem_responses(404, 422),
)
async def list_offers(
    catalog: CatalogDep,
    paging: PagingDep,
    now: Annotated[datetime, Depends(now_utc)],
    as_of: AsOf = None,
    provider: Annotated[str | None, Query(max_length=32, examples=["aws"])] = None,
    region: Annotated[str | None, Query(max_length=64)] = None,
    accelerator: Annotated[
        str | None,
        Query(max_length=128, description="Accelerator id or alias, e.g. `H100`."),
    ] = None,
    pricing_model: Annotated[
        str | None, Query(max_length=32, examples=["on_demand"])
    ] = None,
    min_accelerators: Annotated[
        float | None,
        Query(gt=0, le=100_000, description="At least this many per instance."),
    ] = None,
) -> Response:
    """List the offers that have a price at `as_of`, with those prices.

    Read from the catalogue held in memory, so any instant of the history costs
    the same; a page asked again within one price interval reuses its answer.
    """
    where = OfferFilter(provider, region, accelerator, pricing_model, min_accelerators)
    instant = as_of or now

    def encode() -> bytes:
        rows, total = offers_at(
            catalog, where, as_of=instant, limit=paging.limit, offset=paging.offset
        )
        page = Page[OfferRead](
            items=[offer_read(offer, prices) for offer, prices in rows],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
        )
        return page.model_dump_json().encode()

    key = ("offers", catalog.interval_of(instant), where, paging)
    answer = catalog.answers.get_or_compute(key, encode)
    return Response(answer, media_type="application/json")


@router.get(
    "/{offer_id}", summary="Get an offer", responses=problem_responses(404, 422)
)
async def read_offer(
    catalog: CatalogDep,
    offer_id: OfferId,
    now: Annotated[datetime, Depends(now_utc)],
    as_of: AsOf = None,
) -> OfferRead:
    """Get one offer with its prices valid at `as_of` (default now)."""
    offer, prices = offer_at(catalog, offer_id, as_of or now)
    return offer_read(offer, prices)


@router.get(
    "/{offer_id}/prices",
    summary="An offer's full price history",
    responses=problem_responses(404, 422),
)
def list_offer_prices(
    session: SessionDep,
    paging: PagingDep,
    offer_id: OfferId,
    pricing_model: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[PriceRead]:
    """List every price point an offer ever had, oldest first per pricing model."""
    offer = get_offer(session, offer_id)
    if offer is None:
        raise NotFound("offer", offer_id)
    points, total = price_history(
        session,
        offer_id,
        pricing_model=pricing_model,
        limit=paging.limit,
        offset=paging.offset,
    )
    count = float(offer.accelerator_count)
    return Page[PriceRead](
        items=[price_read(p, count) for p in points],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
