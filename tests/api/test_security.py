"""API keys, scopes, body limits, request ids, logs without secrets."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.store.tables import CatalogImportRow, PricePointRow
from service.usecases.keys import revoke_key
from tests.conftest import make_key

CSV = b"InstanceType,AcceleratorName,AcceleratorCount,Price,Region\nx,H100,8,10,r1\n"


def imports_and_prices(session: Session) -> tuple[int, int]:
    """How many imports and price points the store has."""
    return (
        session.scalar(select(func.count()).select_from(CatalogImportRow)) or 0,
        session.scalar(select(func.count()).select_from(PricePointRow)) or 0,
    )


def import_file(client: TestClient) -> int:
    """Try to import a one-row catalogue; return the status."""
    return client.post(
        "/v1/catalog/imports",
        files={"file": ("x.csv", CSV, "text/csv")},
        data={"provider": "testcloud", "observed_at": "2026-07-01T00:00:00Z"},
    ).status_code


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs", "/openapi.json"])
def test_health_and_docs_need_no_key(anonymous: TestClient, path: str) -> None:
    assert anonymous.get(path).status_code == 200


@pytest.mark.parametrize(
    "path", ["/v1/accelerators", "/v1/offers", "/v1/models", "/v1/catalog/imports"]
)
def test_everything_else_needs_a_key(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_a_made_up_key_is_refused(anonymous: TestClient) -> None:
    response = anonymous.get(
        "/v1/accelerators", headers={"Authorization": "Bearer cck_0123_abcdef"}
    )

    assert response.status_code == 401


def test_a_revoked_key_is_refused(
    anonymous: TestClient, sessions: sessionmaker[Session]
) -> None:
    key = make_key(sessions, "team-a", "read")
    headers = {"Authorization": f"Bearer {key}"}
    assert anonymous.get("/v1/accelerators", headers=headers).status_code == 200
    with sessions() as session:
        revoke_key(session, key.split("_")[1], now=datetime.now(UTC))
        session.commit()
    anonymous.app.state.key_verifier.forget(key.split("_")[1])  # type: ignore[attr-defined]

    response = anonymous.get("/v1/accelerators", headers=headers)

    assert response.status_code == 401


def test_a_read_key_cannot_change_the_catalogue(
    anonymous: TestClient, sessions: sessionmaker[Session], session: Session
) -> None:
    key = make_key(sessions, "team-a", "read", "plan")
    anonymous.headers["Authorization"] = f"Bearer {key}"
    before = imports_and_prices(session)

    status = import_file(anonymous)

    assert status == 403
    assert imports_and_prices(session) == before


def test_an_admin_key_can_change_the_catalogue(
    client: TestClient, session: Session
) -> None:
    before = imports_and_prices(session)

    status = import_file(client)

    assert status == 201
    assert imports_and_prices(session) == (before[0] + 1, before[1] + 1)


def test_a_10_mb_body_is_refused_with_413_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    before = imports_and_prices(session)
    body = b'{"workload": "' + b"x" * 10_000_000 + b'"}'

    response = client.post(
        "/v1/estimates", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["type"] == "/problems/too-large"
    assert imports_and_prices(session) == before


def test_a_streamed_body_over_the_limit_is_refused(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 100_000

    response = client.post(
        "/v1/estimates", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


def test_each_response_carries_a_request_id(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})

    assert len(generated) == 32
    assert echoed.headers["x-request-id"] == "abc-123"


def test_one_log_line_per_request_without_the_key(
    anonymous: TestClient,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = make_key(sessions, "team-a", "read")
    caplog.set_level(logging.INFO, logger="service")

    anonymous.get("/v1/accelerators/H100", headers={"Authorization": f"Bearer {key}"})

    lines = [r.getMessage() for r in caplog.records if r.name == "service.requests"]
    assert len(lines) == 1
    assert "route=/v1/accelerators/{accelerator_id}" in lines[0]
    assert "status=200" in lines[0]
    assert f"key_id={key.split('_')[1]}" in lines[0]
    assert all(key.split("_", 2)[2] not in r.getMessage() for r in caplog.records)


def test_a_database_that_is_down_answers_503_with_retry_after() -> None:
    from service.app import create_app
    from service.settings import Settings

    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:9/nowhere",
        auto_migrate=False,
        load_bundled_catalog=False,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as down:
        api = down.get(
            "/v1/accelerators", headers={"Authorization": "Bearer cck_00ff_secret"}
        )
        ready = down.get("/readyz")

    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.json()["type"] == "/problems/database-unavailable"
    assert ready.status_code == 503
