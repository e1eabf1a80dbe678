"""Total cost of ownership: buying accelerators against renting them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from service.api.auth import ReadKey, require
from service.api.deps import SessionDep, now_utc
from service.api.problems import problem_responses
from service.api.schemas.tco import TcoRead, TcoRequest
from service.usecases.catalog_cache import CatalogCache
from service.usecases.tco import compare_total_cost

router = APIRouter(
    tags=["tco"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)


@router.post(
    "/v1/tco",
    summary="Compare buying accelerators with renting them",
    responses=problem_responses(404, 413, 422),
)
def create_tco(
    request: Request,
    principal: ReadKey,
    session: SessionDep,
    body: TcoRequest,
    now: Annotated[datetime, Depends(now_utc)],
) -> TcoRead:
    """Compare buying accelerators with renting them and with a hybrid of both.

    Demand is accelerator-hours a month, given or derived from a workload or a
    saved plan of the key's team (another team's plan is 404). Renting uses the
    cheapest offer of the accelerator per pricing model at `as_of`. Each strategy
    has its total, its parts, a monthly cash flow and an amortised view, and its
    price per accelerator-hour delivered; `break_even` gives, per pricing model,
    the owned utilisation u with fixed_per_owned_hour / u + variable_per_used_hour
    = the rental price (both in `owned_unit_costs`). Amounts are rounded once,
    each on its own, so parts may differ from a total by a few minor units.
    Every default used is echoed in `assumptions` with its source.
    """
    cache: CatalogCache = request.app.state.catalog_cache
    catalog = cache.get(request.app.state.sessionmaker)
    return compare_total_cost(
        session, body, principal=principal, catalog=catalog, now=now
    )
