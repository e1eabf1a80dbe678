"""Catalogue imports: upload a provider's snapshot, list what imports did."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Path,
    Request,
    Response,
    UploadFile,
    status,
)
from sqlalchemy import select

from service.api.auth import AdminKey, require
from service.api.deps import PagingDep, SessionDep, now_utc
from service.api.idempotent import IdempotencyKey, run_idempotent
from service.api.problems import problem_responses
from service.api.schemas.catalog import AnomalyRead, ImportRead, ImportSummary
from service.api.schemas.common import MAX_ID, Instant, Page
from service.domain.errors import NotFound
from service.store.catalog import page
from service.store.tables import CatalogImportRow
from service.usecases.idempotency import request_digest
from service.usecases.imports import checksum_of, import_catalog_file

router = APIRouter(
    prefix="/v1/catalog/imports",
    tags=["catalogue"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)

PROVIDER_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"


def import_summary(row: CatalogImportRow) -> ImportSummary:
    """The list entry of an import."""
    return ImportSummary(
        id=row.id,
        provider=row.provider,
        source=row.source,
        format=row.format,
        scope=row.scope,
        checksum_sha256=row.checksum_sha256,
        observed_at=row.observed_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rows_read=row.rows_read,
        offers_created=row.offers_created,
        price_points_opened=row.price_points_opened,
        price_points_closed=row.price_points_closed,
        price_points_unchanged=row.price_points_unchanged,
        anomaly_counts=dict(Counter(a["reason"] for a in row.anomalies)),
        catalog_version=row.catalog_version,
    )


# A file of junk can hold a hundred thousand anomalies; the answer lists these
# many and counts the rest.
ANOMALIES_LISTED = 1000


def import_read(row: CatalogImportRow) -> ImportRead:
    """The full response body of an import."""
    listed = row.anomalies[:ANOMALIES_LISTED]
    return ImportRead(
        **import_summary(row).model_dump(),
        anomalies=[AnomalyRead(**a) for a in listed],
        anomalies_omitted=len(row.anomalies) - len(listed),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportRead,
    summary="Import a catalogue snapshot",
    responses=problem_responses(409, 413, 422),
)
def create_import(
    request: Request,
    principal: AdminKey,
    session: SessionDep,
    now: Annotated[datetime, Depends(now_utc)],
    file: Annotated[UploadFile, File(description="The catalogue file (CSV).")],
    provider: Annotated[
        str,
        Form(
            pattern=PROVIDER_PATTERN,
            description="Whose catalogue this is, e.g. `aws`, `gcp`, `azure`.",
        ),
    ],
    observed_at: Annotated[
        Instant, Form(description="When the prices were seen (ISO 8601, with zone).")
    ],
    idempotency_key: IdempotencyKey = None,
    new_provider: Annotated[
        bool,
        Form(
            description="Say the provider is new when its name is close to a "
            "known one (otherwise taken for a typo and refused)."
        ),
    ] = False,
    format: Annotated[
        Literal["skypilot"], Form(description="The file's format.")
    ] = "skypilot",
    scope: Annotated[
        Literal["full", "partial"],
        Form(
            description="`full`: the file is the provider's whole list, so prices it "
            "no longer lists are closed; `partial`: only what it lists changes."
        ),
    ] = "full",
) -> Response:
    """Import a provider's catalogue file as its snapshot at `observed_at`.

    Unchanged prices stay as they are; a changed price closes the old point at
    `observed_at` and opens a new one. A snapshot older than the newest one of the
    provider is refused (409). The import is atomic. With an `Idempotency-Key`,
    sending the same file and fields again returns the first answer.
    """
    content = file.file.read()
    digest = request_digest(
        [
            provider,
            observed_at.isoformat(),
            format,
            scope,
            new_provider,
            checksum_of(content),
        ]
    )

    def write() -> tuple[int, ImportRead, str]:
        record = import_catalog_file(
            session,
            content=content,
            provider=provider,
            observed_at=observed_at,
            source=file.filename or "upload",
            now=now,
            file_format=format,
            scope=scope,
            actor=principal.key_id,
            new_provider=new_provider,
        )
        return 201, import_read(record), f"/v1/catalog/imports/{record.id}"

    return run_idempotent(
        session,
        principal=principal,
        route="catalog.imports",
        key=idempotency_key,
        digest=digest,
        write=write,
        now=now,
        after_commit=request.app.state.catalog_cache.invalidate,
    )


@router.get("", summary="List catalogue imports", responses=problem_responses(422))
def list_imports(session: SessionDep, paging: PagingDep) -> Page[ImportSummary]:
    """List imports, newest first, without their anomaly lists."""
    rows, total = page(
        session,
        select(CatalogImportRow).order_by(CatalogImportRow.id.desc()),
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[ImportSummary](
        items=[import_summary(row) for (row,) in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get(
    "/{import_id}", summary="Get a catalogue import", responses=problem_responses(404)
)
def get_import(
    session: SessionDep,
    import_id: Annotated[int, Path(ge=1, le=MAX_ID, description="An import's id.")],
) -> ImportRead:
    """Get one import with every anomaly it reported."""
    row = session.get(CatalogImportRow, import_id)
    if row is None:
        raise NotFound("catalogue import", import_id)
    return import_read(row)
