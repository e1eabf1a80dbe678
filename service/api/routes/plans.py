"""Saved plans: a quote kept with its request, priced again at another instant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from service.api.auth import PlanKey, ReadKey
from service.api.deps import PagingDep, SessionDep, now_utc
from service.api.idempotent import IdempotencyKey, run_idempotent
from service.api.problems import problem_responses
from service.api.schemas.common import Page
from service.api.schemas.quotes import (
    PlanCreate,
    PlanRead,
    PlanSummary,
    RepriceRead,
    RepriceRequest,
)
from service.domain.errors import NotFound
from service.store import plans as store
from service.usecases.catalog_cache import CatalogData
from service.usecases.idempotency import request_digest
from service.usecases.plans import (
    find_plan,
    plan_read,
    plan_summary,
    reprice_plan,
    save_plan,
)

router = APIRouter(
    prefix="/v1/plans", tags=["plans"], responses=problem_responses(401, 403)
)

PlanId = Annotated[
    str,
    Path(
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-f-]{36}$",
        description="A plan's id (a UUID).",
    ),
]


def _catalog(request: Request) -> CatalogData:
    catalog: CatalogData = request.app.state.catalog_cache.get(
        request.app.state.sessionmaker
    )
    return catalog


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    summary="Save a plan",
    responses=problem_responses(404, 409, 413, 422),
)
def create_plan(
    request: Request,
    principal: PlanKey,
    session: SessionDep,
    body: PlanCreate,
    now: Annotated[datetime, Depends(now_utc)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Quote a request and save it, with its answer and the instant of its prices.

    The plan belongs to the key's team. With an `Idempotency-Key`, sending the
    same body again returns the first answer and saves nothing more.
    """
    catalog = _catalog(request)

    def write() -> tuple[int, PlanRead, str]:
        plan = save_plan(session, body, principal=principal, catalog=catalog, now=now)
        return 201, plan, f"/v1/plans/{plan.id}"

    return run_idempotent(
        session,
        principal=principal,
        route="plans",
        key=idempotency_key,
        digest=request_digest(body.model_dump(mode="json")),
        write=write,
        now=now,
    )


@router.get("", summary="List saved plans", responses=problem_responses(422))
def list_plans(
    principal: ReadKey, session: SessionDep, paging: PagingDep
) -> Page[PlanSummary]:
    """List the team's plans, newest first."""
    rows, total = store.list_plans(
        session, principal.team, limit=paging.limit, offset=paging.offset
    )
    return Page[PlanSummary](
        items=[plan_summary(row) for row in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{plan_id}", summary="Get a saved plan", responses=problem_responses(404))
def get_plan(principal: ReadKey, session: SessionDep, plan_id: PlanId) -> PlanRead:
    """Get one of the team's plans with its request and answer."""
    return plan_read(find_plan(session, principal, plan_id))


@router.delete(
    "/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved plan",
    responses=problem_responses(404),
)
def remove_plan(principal: PlanKey, session: SessionDep, plan_id: PlanId) -> None:
    """Delete one of the team's plans."""
    if not store.delete_plan(session, principal.team, plan_id):
        raise NotFound("plan", plan_id)
    session.commit()


@router.post(
    "/{plan_id}/reprice",
    summary="Price a saved plan again",
    responses=problem_responses(404, 422),
)
def reprice(
    request: Request,
    principal: PlanKey,
    session: SessionDep,
    plan_id: PlanId,
    body: RepriceRequest,
    now: Annotated[datetime, Depends(now_utc)],
) -> RepriceRead:
    """Price the saved request at `as_of` and say what changed per option.

    Each saved option's price and total before and after (price up or down,
    unchanged, or its offer gone), and the options now cheaper than the saved best.
    The plan itself is not changed.
    """
    row = find_plan(session, principal, plan_id)
    return reprice_plan(row, as_of=body.as_of or now, catalog=_catalog(request))
