"""Every error as RFC 9457 problem details; the one place domain errors meet HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from service.domain.errors import (
    DomainError,
    ImportFormatError,
    InvalidWorkload,
    NotFound,
    SnapshotRejected,
    UnknownAccelerator,
    UnknownName,
    UnknownPreset,
)
from service.domain.money import UnknownCurrency
from service.usecases.idempotency import IdempotencyKeyReused
from service.usecases.keys import InvalidScopes

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
DATABASE_RETRY_AFTER_SECONDS = 5


class FieldProblem(BaseModel):
    """One field at fault in a request, with what was expected."""

    field: str = Field(description="Where the value is, e.g. `body.workload.kind`.")
    message: str = Field(description="What was expected there.")
    type: str = Field(description="A stable code for the kind of fault.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "no accelerator 'h100-sxm6'; nearest: h100-sxm",
                    "instance": "/v1/accelerators/h100-sxm6",
                    "nearest": ["h100-sxm"],
                }
            ]
        }
    )

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="For invalid requests: each field at fault."
    )
    nearest: list[str] | None = Field(
        default=None, description="For unknown names: the closest known ones."
    )


def problem_response(
    request: Request,
    *,
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """Build a problem-details response."""
    body = Problem(
        type=f"/problems/{kind}",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        **extensions,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents problem bodies for some statuses."""
    titles = {
        400: "Bad request",
        401: "Missing or invalid API key",
        403: "The API key lacks the scope",
        404: "Not found",
        409: "Conflict with the stored state",
        413: "Request body too large",
        422: "Invalid request",
        503: "Database unavailable",
    }
    return {
        status: {
            "model": Problem,
            "description": titles.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


# Union members that validation names in locations; a client knows the field path
# without them (`body.workload.training.tokens`, not `...pretraining.training...`).
UNION_TAGS = frozenset(
    {"pretraining", "fine_tuning", "inference", "preset", "architecture"}
)


def _field_path(location: tuple[object, ...]) -> str:
    parts = [str(part) for part in location]
    kept = [
        part
        for i, part in enumerate(parts)
        if not (
            part in UNION_TAGS
            and i > 0
            and parts[i - 1] in {"body", "workload", "model"}
        )
    ]
    return ".".join(kept)


def _validation_errors(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        location = _field_path(tuple(error.get("loc", ())))
        problems.append(
            FieldProblem(
                field=location,
                message=str(error.get("msg", "invalid value")),
                type=str(error.get("type", "value_error")),
            )
        )
    return problems


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of every route with a problem-details body."""

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        fields = ", ".join(e.field for e in errors[:5])
        return problem_response(
            request,
            status=422,
            kind="validation-error",
            title="Invalid request",
            detail=f"{len(errors)} field(s) at fault: {fields}",
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kinds = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem_response(
            request,
            status=exc.status_code,
            kind=kinds.get(exc.status_code, "http-error"),
            title=_http_title(exc.status_code),
            detail=str(exc.detail),
            headers=headers,
        )

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error("database.unavailable path=%s error=%s", request.url.path, exc)
        return problem_response(
            request,
            status=503,
            kind="database-unavailable",
            title="Database unavailable",
            detail="the database cannot be reached; try again shortly",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.failed path=%s", request.url.path)
        return problem_response(
            request,
            status=500,
            kind="internal-error",
            title="Internal error",
            detail="the service failed to answer; the error was logged",
        )

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_exception_handler(
        DBAPIError, _database_or_unexpected(on_database_down, on_unexpected)
    )
    app.add_exception_handler(Exception, on_unexpected)
    for error_type, mapper in DOMAIN_ERRORS.items():
        app.add_exception_handler(error_type, _domain_handler(mapper))


def _database_or_unexpected(
    down: Callable[..., Any], unexpected: Callable[..., Any]
) -> Callable[..., Any]:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
        if exc.connection_invalidated:
            return await down(request, exc)  # type: ignore[no-any-return]
        return await unexpected(request, exc)  # type: ignore[no-any-return]

    return handler


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document lists for this path (Starlette names one)."""
    routes = getattr(request.app.state, "allowed_methods", None)
    if routes is None:
        routes = [
            (compile_path(path)[0], {m.upper() for m in operations})
            for path, operations in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.allowed_methods = routes
    methods: set[str] = set()
    for pattern, route_methods in routes:
        if pattern.match(request.url.path):
            methods |= route_methods
    return sorted(methods)


def _http_title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


DomainMapper = Callable[[Exception], tuple[int, str, str, dict[str, Any]]]
Mapped = tuple[int, str, str, dict[str, Any]]

# Where the domain's dotted field names live in request bodies.
BODY_PREFIX = "body.workload."
# Fields of a quote request beside its workload.
REQUEST_FIELDS = frozenset(
    {
        "constraints",
        "pricing",
        "limit",
        "objective",
        "as_of",
        "accelerator",
        "demand",
        "buying",
        "rental",
        "spot",
        "edge",
        "currency",
    }
)
RENAMED_FIELDS = {
    f"assumptions.{name}": f"efficiency.{name}"
    for name in ("mfu", "memory_bandwidth_utilization")
}


def _not_found(exc: Exception) -> Mapped:
    assert isinstance(exc, NotFound)
    return 404, "not-found", "Not found", {"nearest": exc.nearest or None}


def _unknown_name(exc: Exception) -> Mapped:
    assert isinstance(exc, UnknownPreset | UnknownAccelerator)
    kind = "unknown-preset" if isinstance(exc, UnknownPreset) else "unknown-accelerator"
    return 422, kind, "Unknown name", {"nearest": exc.nearest or None}


def _unknown_field_name(exc: Exception) -> Mapped:
    assert isinstance(exc, UnknownName)
    field = FieldProblem(field=exc.field, message=str(exc), type="unknown_name")
    extensions = {"errors": [field], "nearest": exc.nearest or None}
    return 422, "unknown-name", "Unknown name", extensions


def _invalid_workload(exc: Exception) -> Mapped:
    assert isinstance(exc, InvalidWorkload)
    top = exc.field.split(".")[0]
    prefix = "body." if top in REQUEST_FIELDS else BODY_PREFIX
    field = FieldProblem(
        field=prefix + RENAMED_FIELDS.get(exc.field, exc.field),
        message=exc.reason,
        type="invalid_workload",
    )
    return 422, "invalid-workload", "Invalid workload", {"errors": [field]}


DOMAIN_ERRORS: dict[type[Exception], DomainMapper] = {
    NotFound: _not_found,
    UnknownPreset: _unknown_name,
    UnknownAccelerator: _unknown_name,
    InvalidWorkload: _invalid_workload,
    UnknownName: _unknown_field_name,
    UnknownCurrency: lambda exc: (422, "unknown-currency", "Unknown currency", {}),
    SnapshotRejected: lambda exc: (409, "snapshot-rejected", "Snapshot rejected", {}),
    IdempotencyKeyReused: lambda exc: (409, "idempotency-key-reused", "Key reused", {}),
    InvalidScopes: lambda exc: (422, "invalid-scopes", "Invalid scopes", {}),
    ImportFormatError: lambda exc: (422, "bad-catalog-file", "Unreadable file", {}),
    DomainError: lambda exc: (422, "domain-error", "Request cannot be met", {}),
}


def _domain_handler(mapper: DomainMapper) -> Callable[..., Any]:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        status, kind, title, extensions = mapper(exc)
        return problem_response(
            request,
            status=status,
            kind=kind,
            title=title,
            detail=str(exc),
            **extensions,
        )

    return handler
