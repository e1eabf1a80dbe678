"""Idempotent writes, and concurrent imports of one snapshot."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.engine import begin_write, make_engine, make_sessionmaker
from service.store.migrate import upgrade
from service.store.tables import CatalogImportRow, PricePointRow
from service.usecases.bundled import load_bundled_catalog
from service.usecases.imports import import_catalog_file
from tests.conftest import CATALOG_DATES, real_catalog

CSV = b"InstanceType,AcceleratorName,AcceleratorCount,Price,Region\nx8,H100,8,24,r1\n"


def post_import(client: TestClient, content: bytes, key: str) -> object:
    """Import a file with an Idempotency-Key."""
    return client.post(
        "/v1/catalog/imports",
        files={"file": ("x.csv", content, "text/csv")},
        data={"provider": "testcloud", "observed_at": "2026-07-01T00:00:00Z"},
        headers={"Idempotency-Key": key},
    )


def counts(session: Session) -> tuple[int, int]:
    """Imports and price points in the store."""
    return (
        session.scalar(select(func.count()).select_from(CatalogImportRow)) or 0,
        session.scalar(select(func.count()).select_from(PricePointRow)) or 0,
    )


def test_the_same_idempotency_key_twice_returns_the_first_answer(
    client: TestClient, session: Session
) -> None:
    first = post_import(client, CSV, "import-1")
    after_first = counts(session)

    second = post_import(client, CSV, "import-1")

    assert first.status_code == second.status_code == 201  # type: ignore[attr-defined]
    assert second.json() == first.json()  # type: ignore[attr-defined]
    assert second.headers["idempotent-replayed"] == "true"  # type: ignore[attr-defined]
    assert second.headers["location"] == first.headers["location"]  # type: ignore[attr-defined]
    assert counts(session) == after_first


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, session: Session
) -> None:
    post_import(client, CSV, "import-2")
    before = counts(session)

    response = post_import(client, CSV.replace(b",24,", b",25,"), "import-2")

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.json()["type"] == "/problems/idempotency-key-reused"  # type: ignore[attr-defined]
    assert counts(session) == before


def test_two_imports_of_one_snapshot_at_once_leave_one_history(
    scratch_database_url: str,
) -> None:
    content = real_catalog("gcp").read_bytes()
    engine = make_engine(scratch_database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load_bundled_catalog(session, now=datetime.now(UTC))
        session.commit()
    start = threading.Barrier(2)
    reports: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with sessions() as session:
                start.wait()
                begin_write(session)
                record = import_catalog_file(
                    session,
                    content=content,
                    provider="gcp",
                    observed_at=CATALOG_DATES["gcp"],
                    source="gcp.csv",
                    now=datetime.now(UTC),
                )
                session.commit()
                reports.append(
                    (record.price_points_opened, record.price_points_unchanged)
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with sessions() as session:
        open_points = session.scalar(
            select(func.count())
            .select_from(PricePointRow)
            .where(PricePointRow.valid_to.is_(None))
        )
        closed = session.scalar(
            select(func.count())
            .select_from(PricePointRow)
            .where(PricePointRow.valid_to.is_not(None))
        )
    engine.dispose()
    assert errors == []
    first, second = sorted(reports, reverse=True)
    assert first[0] > 0 and second[0] == 0
    assert second[1] == first[0] + first[1]
    assert closed == 0
    assert open_points is not None and open_points >= first[0]
