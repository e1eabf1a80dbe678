"""Query parameters a route does not declare are refused, not silently ignored.

A misspelt filter (`/v1/offers?acelerator=H100`) would otherwise answer the
unfiltered list as if it had applied. The declared names are read from the
OpenAPI document, the same contract clients read.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError

from service.domain.errors import nearest_names


async def known_query_only(request: Request) -> None:
    """Raise a validation error naming every query parameter the route lacks."""
    if not request.query_params:
        return
    path = getattr(request.scope.get("route"), "path", None)
    declared = _declared(request.app, path, request.method) if path else None
    if declared is None:
        return
    unknown = [name for name in request.query_params if name not in declared]
    if unknown:
        raise RequestValidationError([_error(name, declared) for name in unknown])


def _error(name: str, declared: frozenset[str]) -> dict[str, object]:
    nearest = nearest_names(name, declared)
    hint = f"; did you mean {', '.join(nearest)}?" if nearest else ""
    takes = ", ".join(sorted(declared)) or "none"
    return {
        "type": "unknown_query_parameter",
        "loc": ("query", name),
        "msg": f"not a query parameter of this route (it takes: {takes}){hint}",
    }


def _declared(app: FastAPI, path: str, method: str) -> frozenset[str] | None:
    """The query parameter names of an operation, or None when it is not
    documented (then nothing is checked)."""
    known: dict[tuple[str, str], frozenset[str] | None] | None = getattr(
        app.state, "query_parameters", None
    )
    if known is None:
        known = app.state.query_parameters = {}
    key = (path, method)
    if key not in known:
        operation = app.openapi().get("paths", {}).get(path, {}).get(method.lower())
        known[key] = (
            None
            if operation is None
            else frozenset(
                p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
            )
        )
    return known[key]
