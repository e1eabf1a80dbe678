"""API keys: random, shown once, stored as a hash; each of a team, with scopes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.errors import DomainError, NotFound
from service.store.tables import ApiKeyRow

log = logging.getLogger(__name__)

SCOPES = ("read", "plan", "admin")
# A scope includes those before it: admin can plan and read, plan can read.
SCOPE_RANK = {scope: rank for rank, scope in enumerate(SCOPES)}
KEY_PREFIX = "cck"
LOCAL_TEAM = "local"
LOCAL_KEY_FILE = "admin-key"


class InvalidScopes(DomainError):
    """Scopes that are not read, plan or admin."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as: the key's id, team and scopes."""

    key_id: str
    team: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """Say whether this key may act with a scope (higher scopes include lower)."""
        return any(SCOPE_RANK[s] >= SCOPE_RANK[scope] for s in self.scopes)


def _digest(secret: str) -> str:
    # The secret has 256 random bits, so a plain SHA-256 cannot be brute-forced;
    # a slow password hash would only slow every request down.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    team: str,
    scopes: Iterable[str],
    name: str,
    now: datetime,
) -> tuple[str, ApiKeyRow]:
    """Create a key; return the full key (shown once) and its stored row."""
    given = set(scopes)
    unknown = sorted(given - set(SCOPES))
    if not given or unknown:
        raise InvalidScopes(f"scopes must be among {', '.join(SCOPES)}; got {unknown}")
    wanted = [scope for scope in SCOPES if scope in given]
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    row = ApiKeyRow(
        id=key_id,
        secret_sha256=_digest(secret),
        team=team,
        scopes=wanted,
        name=name,
        created_at=now,
    )
    session.add(row)
    session.flush()
    log.info("key.created key_id=%s team=%s scopes=%s", key_id, team, ",".join(wanted))
    return f"{KEY_PREFIX}_{key_id}_{secret}", row


def revoke_key(session: Session, key_id: str, *, now: datetime) -> ApiKeyRow:
    """Revoke a key; it is refused from then on."""
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise NotFound("API key", key_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
        log.info("key.revoked key_id=%s team=%s", key_id, row.team)
    return row


def ensure_local_admin_key(
    session: Session, data_dir: Path, *, now: datetime
) -> Path | None:
    """On a store with no keys, create a local admin key and write it to a 0600 file."""
    if session.scalar(select(func.count()).select_from(ApiKeyRow)):
        return None
    key, _ = create_key(
        session, team=LOCAL_TEAM, scopes=SCOPES, name="local admin", now=now
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCAL_KEY_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    os.chmod(path, 0o600)
    return path


# What verify_remembered answers when only the store can tell.
UNKNOWN = object()


class KeyVerifier:
    """Checks bearer keys, remembering verified ones for `ttl_seconds`.

    A revocation in this process takes effect at once; one made by another process
    within `ttl_seconds`.
    """

    def __init__(
        self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, str, Principal | None]] = {}

    def forget(self, key_id: str) -> None:
        """Drop what is remembered of a key."""
        with self._lock:
            self._known.pop(key_id, None)

    def verify(self, token: str, sessions: Callable[[], Session]) -> Principal | None:
        """The principal of a valid, unrevoked key, or None."""
        remembered = self.verify_remembered(token)
        if remembered is not UNKNOWN:
            return remembered  # type: ignore[return-value]
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        key_id = parts[1]
        known = (self._clock(), *self._load(key_id, sessions))
        with self._lock:
            self._known[key_id] = known
        return self._check(known, parts[2])

    def verify_remembered(self, token: str) -> Principal | object | None:
        """Verify with what is remembered alone; UNKNOWN when the store must be read."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        with self._lock:
            known = self._known.get(parts[1])
        if known is None or self._clock() - known[0] > self._ttl:
            return UNKNOWN
        return self._check(known, parts[2])

    @staticmethod
    def _check(
        known: tuple[float, str, Principal | None], secret: str
    ) -> Principal | None:
        _, stored_digest, principal = known
        if principal is None or not hmac.compare_digest(_digest(secret), stored_digest):
            return None
        return principal

    @staticmethod
    def _load(
        key_id: str, sessions: Callable[[], Session]
    ) -> tuple[str, Principal | None]:
        with sessions() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                return "", None
            if row.revoked_at is not None:
                return row.secret_sha256, None
            return row.secret_sha256, Principal(row.id, row.team, frozenset(row.scopes))
