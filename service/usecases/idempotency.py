"""Idempotent writes: the same key and body answer the first response again."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.domain.errors import DomainError
from service.store.tables import IdempotencyRow


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key already used with a different request."""


def request_digest(value: Any) -> str:
    """A stable SHA-256 of a request's meaning (JSON with sorted keys)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def find_replay(
    session: Session, *, team: str, route: str, key: str, digest: str
) -> IdempotencyRow | None:
    """The stored first answer for this key, or None; refuse a different request."""
    row = session.get(IdempotencyRow, (team, route, key))
    if row is None:
        return None
    if row.request_sha256 != digest:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used with a different request; "
            "use a new key for a new request"
        )
    return row


def remember(
    session: Session,
    *,
    team: str,
    route: str,
    key: str,
    digest: str,
    status_code: int,
    response: dict[str, Any],
    location: str | None,
    now: datetime,
) -> None:
    """Store the first answer in the same transaction as the write it answers."""
    session.add(
        IdempotencyRow(
            team=team,
            route=route,
            key=key,
            request_sha256=digest,
            status_code=status_code,
            response=response,
            location=location,
            created_at=now,
        )
    )
    session.flush()
