"""Quotes: every way to run a workload over the price catalogue, ranked."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request, Response

from service.api.auth import require
from service.api.deps import CatalogDep, now_utc
from service.api.problems import problem_responses
from service.api.schemas.quotes import QuoteRead, QuoteRequest
from service.usecases.quotes import kept_quote_json, quote_json

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
    request: Request,
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
    answer = kept_quote_json(body, catalog=catalog, now=now)
    if answer is None:
        # Computing takes milliseconds (tens on a large catalogue): off the loop.
        answer = await anyio.to_thread.run_sync(
            partial(quote_json, body, catalog=catalog, now=now),
            limiter=request.app.state.compute_limiter,
        )
    return Response(answer, media_type="application/json")
