"""Bearer API keys on every route but health and the docs; scopes per route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from service.usecases.keys import UNKNOWN, KeyVerifier, Principal

bearer = HTTPBearer(
    auto_error=False,
    description="An API key: `Authorization: Bearer cck_...` (see the README).",
)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The key a request acts with, or 401.

    A key verified recently is checked in memory on the event loop; otherwise the
    store is read in a worker thread.
    """
    if credentials is None:
        raise HTTPException(
            401,
            "this route needs an API key: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: KeyVerifier = request.app.state.key_verifier
    token = credentials.credentials
    principal = verifier.verify_remembered(token)
    if principal is UNKNOWN:
        principal = await run_in_threadpool(
            verifier.verify, token, request.app.state.sessionmaker
        )
    if principal is None:
        raise HTTPException(
            401,
            "the API key is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    assert isinstance(principal, Principal)
    request.state.principal = principal
    return principal


def require(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through keys with a scope (or a higher one)."""

    async def check(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if not principal.allows(scope):
            raise HTTPException(
                403, f"this route needs an API key with scope {scope!r}"
            )
        return principal

    return check


ReadKey = Annotated[Principal, Depends(require("read"))]
PlanKey = Annotated[Principal, Depends(require("plan"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
