"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.problems import problem_response, problem_responses
from service.store.catalog import catalog_version
from service.store.migrate import is_at_head

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """Say the process is up; checks nothing else (so it runs on the event loop)."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness", responses=problem_responses(503))
def readyz(request: Request) -> JSONResponse:
    """Check the database answers and is migrated to the newest revision."""
    sessionmaker = request.app.state.sessionmaker
    try:
        with sessionmaker() as session:
            session.execute(text("SELECT 1"))
            at_head = is_at_head(session.connection())
            version = catalog_version(session) if at_head else None
    except Exception as error:  # any failure to reach the store means not ready
        return problem_response(
            request,
            status=503,
            kind="not-ready",
            title="Not ready",
            detail=f"database unreachable: {type(error).__name__}",
            headers={"Retry-After": "5"},
        )
    if not at_head:
        return problem_response(
            request,
            status=503,
            kind="not-ready",
            title="Not ready",
            detail="database schema is not at the newest migration; run "
            "`compute-cost migrate`",
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ready", "catalog_version": version})
