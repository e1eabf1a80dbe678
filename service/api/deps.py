"""Request dependencies: the database session, paging, the clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.api.schemas.common import MAX_PAGE_SIZE
from service.usecases.catalog_cache import CatalogCache, CatalogData


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; writes commit explicitly, the rest rolls back."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


async def now_utc() -> datetime:
    """The current instant, aware, in UTC.

    Async, as every dependency that does no I/O: FastAPI runs a plain `def`
    dependency in a worker thread, a hop that costs more than the work.
    """
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of a list to return."""

    limit: int
    offset: int


async def get_paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")
    ] = 100,
    offset: Annotated[
        int, Query(ge=0, le=10_000_000, description="Items to skip.")
    ] = 0,
) -> Paging:
    """Read the page size and offset of a list request."""
    return Paging(limit=limit, offset=offset)


async def current_catalog(request: Request) -> CatalogData:
    """The catalogue in memory; read from the store in a worker thread when stale."""
    cache: CatalogCache = request.app.state.catalog_cache
    catalog = cache.fresh()
    if catalog is None:
        catalog = await run_in_threadpool(cache.get, request.app.state.sessionmaker)
    return catalog


SessionDep = Annotated[Session, Depends(get_session)]
CatalogDep = Annotated[CatalogData, Depends(current_catalog)]
PagingDep = Annotated[Paging, Depends(get_paging)]
