"""The OpenAPI document: every error response documented as a problem body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ALWAYS = {
    "500": "Internal error (logged; the body says no more)",
    "503": "Database unavailable; retry after `Retry-After` seconds",
}
METHODS = {"get", "put", "post", "delete", "patch"}


def problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """An `app.openapi` that documents every error status as `application/problem+json`.

    FastAPI documents its own 422 as `application/json` with its own schema; this
    service answers every error, 422 included, with the one Problem shape.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for operations in document.get("paths", {}).values():
            for method, operation in operations.items():
                if method in METHODS:
                    _document_problems(operation)
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    return openapi


def _document_problems(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    if takes_input:
        responses.setdefault("422", {"description": "Invalid request"})
    if operation.get("requestBody"):
        responses.setdefault("400", {"description": "Unreadable request body"})
    for status, description in ALWAYS.items():
        responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if int(status) >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
