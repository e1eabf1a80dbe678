"""Quotes: every way to run a workload over the price catalogue, ranked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from service.api.auth import require
from service.api.deps import CatalogDep, now_utc
from service.api.problems import problem_responses
from service.api.schemas.quotes import QuoteRead, QuoteRequest
from service.usecases.quotes import quote_json

router = APIRouter(
    tags=["quotes"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)


@router.post(
    "/v1/quotes",
    response_model=QuoteRead,
    summary="Quote a workload over the catalogue",
    responses=problem_responses(404, 413, 422),
)
async def create_quote(
    body: QuoteRequest,
    catalog: CatalogDep,
    now: Annotated[datetime, Depends(now_utc)],
) -> Response:
    """Rank every (offer, pricing model) priced at `as_of` for a workload.

    Each option says how many instances of which offer, for how long and at what
    cost (in parts that add up to the total), whether it meets the deadline and
    budget; `pareto` holds the options no other beats on both cost and time;
    `excluded` counts what was left out and why.
    """
    answer = quote_json(body, catalog=catalog, now=now)
    return Response(answer, media_type="application/json")
