"""Bad catalogue files and bad requests get clear answers and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.tables import CatalogImportRow, OfferRow, PricePointRow

HEADER = b"InstanceType,AcceleratorName,AcceleratorCount,Price,Region\n"
OBSERVED = "2026-07-01T00:00:00Z"


def upload(
    client: TestClient, content: bytes, provider: str = "lambda", **fields: str
) -> Any:
    """POST a catalogue file."""
    return client.post(
        "/v1/catalog/imports",
        files={"file": ("x.csv", content, "text/csv")},
        data={"provider": provider, "observed_at": OBSERVED, **fields},
    )


def counts(session: Session) -> tuple[int, int, int]:
    """Imports, offers and price points in the store."""
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(table)) or 0
        for table in (CatalogImportRow, OfferRow, PricePointRow)
    )


def test_a_row_with_an_absurd_count_or_price_is_an_anomaly(client: TestClient) -> None:
    rows = b"big,H100,1e308,1e308,us-east-1\nfree,H100,8,1e-30,us-east-1\n"

    report = upload(client, HEADER + rows, scope="partial").json()

    reasons = [a["reason"] for a in report["anomalies"]]
    assert reasons == ["bad_accelerator_count", "implausible_price"]
    assert report["price_points_opened"] == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (HEADER + "x,H100\xff,1,2.99,us-east-1\n".encode("latin-1"), "UTF-8"),
        (HEADER.replace(b"\n", b"") + b"," + b"x" * 200_000 + b"\n", "CSV"),
    ],
    ids=["not-utf-8", "field-too-long"],
)
def test_an_unreadable_file_is_a_422_and_changes_nothing(
    client: TestClient, session: Session, content: bytes, words: str
) -> None:
    before = counts(session)

    response = upload(client, content)

    assert response.status_code == 422
    assert response.json()["type"] == "/problems/bad-catalog-file"
    assert words in response.json()["detail"]
    assert counts(session) == before


@pytest.mark.parametrize(
    "content",
    [
        (HEADER + b"gpu_1x_h100_pcie,H100,1,2.49,us-east-7\n")
        .decode()
        .encode("utf-16"),
        (HEADER + b"gpu_1x_h100_pcie,H100,1,2.49,us-east-7\n").replace(b"\n", b"\r"),
    ],
    ids=["utf-16", "cr-line-ends"],
)
def test_utf16_and_old_mac_line_ends_are_read(
    client: TestClient, content: bytes
) -> None:
    response = upload(client, content, scope="partial")

    assert response.status_code == 201, response.text
    assert response.json()["price_points_opened"] == 1


def test_a_full_snapshot_with_no_usable_row_is_refused(
    client: TestClient, session: Session
) -> None:
    # As the provider's whole list it would close every one of its prices.
    before = counts(session)

    response = upload(client, HEADER)

    assert response.status_code == 422
    assert "scope=partial" in response.json()["detail"]
    assert counts(session) == before


def test_a_provider_name_close_to_a_known_one_is_taken_for_a_typo(
    client: TestClient, session: Session
) -> None:
    row = b"gpu_1x_h100_pcie,H100,1,2.49,us-east-1\n"
    before = counts(session)

    typo = upload(client, HEADER + row, provider="lamda")
    meant = upload(client, HEADER + row, provider="lamda", new_provider="true")

    assert typo.status_code == 422
    assert typo.json()["nearest"] == ["lambda"]
    assert typo.json()["errors"][0]["field"] == "body.provider"
    assert meant.status_code == 201
    assert counts(session)[0] == before[0] + 1


def test_another_snapshot_of_the_same_instant_cannot_change_a_price(
    client: TestClient, session: Session
) -> None:
    first = HEADER + b"gpu_1x_h100_pcie,H100,1,2.49,us-east-1\n"
    upload(client, first, scope="partial")
    before = counts(session)

    response = upload(client, first.replace(b"2.49", b"9.99"), scope="partial")

    assert response.status_code == 409
    assert "same instant" in response.json()["detail"]
    assert counts(session) == before


def test_a_tpu_slice_of_half_a_chip_is_an_anomaly(client: TestClient) -> None:
    gcp = (
        b"InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,"
        b"Region,AvailabilityZone,Price,SpotPrice\n"
        b",,,tpu-v5p-3,1,,us-east5,us-east5-a,4.2,\n"
        b",,,tpu-v5p-0,1,,us-east5,us-east5-a,4.2,\n"
    )

    report = upload(client, gcp, provider="gcp", scope="partial").json()

    assert [a["reason"] for a in report["anomalies"]] == ["bad_accelerator_count"] * 2


def test_a_json_route_keeps_its_limit_whatever_the_content_type(
    client: TestClient,
) -> None:
    response = client.post(
        "/v1/estimates",
        content=b"x" * 2_000_000,
        headers={"content-type": "multipart/form-data; boundary=z"},
    )

    assert response.status_code == 413


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.put("/v1/catalog/imports")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_a_plan_name_of_control_characters_is_refused(client: TestClient) -> None:
    body = {
        "name": "\u001b[31m",
        "workload": {
            "kind": "pretraining",
            "model": {"preset": "llama-2-7b"},
            "training": {"tokens": 10**9, "sequence_length": 2048},
        },
    }

    response = client.post("/v1/plans", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"


def test_a_spot_rate_for_an_unknown_provider_names_the_nearest(
    client: TestClient,
) -> None:
    body = {
        "workload": {
            "kind": "pretraining",
            "model": {"preset": "llama-2-7b"},
            "training": {"tokens": 10**9, "sequence_length": 2048},
        },
        "pricing": {"spot_monthly_interruption_fraction": {"awz": 0.5}},
        "as_of": datetime(2026, 6, 1, tzinfo=UTC).isoformat(),
    }

    response = client.post("/v1/quotes", json=body)

    assert response.status_code == 422
    assert response.json()["nearest"][0] == "aws"


def test_a_misspelt_query_filter_is_refused_not_ignored(client: TestClient) -> None:
    response = client.get("/v1/offers", params={"acelerator": "H100", "limit": 5})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "query.acelerator"
    assert error["type"] == "unknown_query_parameter"
    assert "did you mean accelerator" in error["message"]


def test_an_unknown_query_parameter_is_refused_on_any_route(client: TestClient) -> None:
    response = client.get("/v1/offers/1", params={"as_of": "2026-06-01T00:00:00Z"})
    refused = client.get("/v1/accelerators", params={"chip": "H100"})

    assert response.status_code in (200, 404)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["query.chip"]
