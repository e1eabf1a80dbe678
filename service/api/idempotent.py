"""Run a write once per Idempotency-Key; replay its first answer afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.store.engine import begin_write
from service.store.tables import IdempotencyRow
from service.usecases.idempotency import find_replay, remember
from service.usecases.keys import Principal

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to get the first answer back; the "
        "write is not repeated. A key reused with another request is refused (409).",
    ),
]

Write = Callable[[], tuple[int, BaseModel, str | None]]


def _replayed(row: IdempotencyRow) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"}
    if row.location:
        headers["Location"] = row.location
    return JSONResponse(row.response, status_code=row.status_code, headers=headers)


def run_idempotent(
    session: Session,
    *,
    principal: Principal,
    route: str,
    key: str | None,
    digest: str,
    write: Write,
    now: datetime,
    after_commit: Callable[[], None] = lambda: None,
) -> JSONResponse:
    """Do a write and commit it with its answer, or replay the answer of its key."""
    begin_write(session)
    where = {"team": principal.team, "route": route}
    if key is not None:
        stored = find_replay(session, key=key, digest=digest, **where)
        if stored is not None:
            return _replayed(stored)
    status, body, location = write()
    payload = body.model_dump(mode="json")
    try:
        if key is not None:
            remember(
                session,
                key=key,
                digest=digest,
                status_code=status,
                response=payload,
                location=location,
                now=now,
                **where,
            )
        session.commit()
    except IntegrityError:
        # The same key was committed by a concurrent request first: answer as it did.
        session.rollback()
        stored = find_replay(session, key=key or "", digest=digest, **where)
        if stored is None:
            raise
        return _replayed(stored)
    after_commit()
    headers = {"Location": location} if location else None
    return JSONResponse(payload, status_code=status, headers=headers)
