"""Importing the real catalogue files through the API: counts, anomalies, history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.tables import CatalogImportRow, OfferRow, PricePointRow
from tests.conftest import CATALOG_DATES, real_catalog

PROVIDERS = ["aws", "gcp", "azure", "lambda", "vast"]
# Priced offers each file must yield at least: most of its GPU rows map to the
# catalogue (what does not is reported as unmapped).
MIN_PRICE_POINTS = {"aws": 1000, "gcp": 4000, "azure": 1000, "lambda": 250, "vast": 20}


def upload(
    client: TestClient,
    provider: str,
    content: bytes,
    observed_at: datetime,
    **fields: str,
) -> Any:
    """POST a catalogue file to the import endpoint."""
    return client.post(
        "/v1/catalog/imports",
        files={"file": (f"{provider}.csv", content, "text/csv")},
        data={"provider": provider, "observed_at": observed_at.isoformat(), **fields},
    )


def store_counts(session: Session) -> tuple[int, int, int]:
    """Offers, price points and imports in the store."""
    return (
        session.scalar(select(func.count()).select_from(OfferRow)) or 0,
        session.scalar(select(func.count()).select_from(PricePointRow)) or 0,
        session.scalar(select(func.count()).select_from(CatalogImportRow)) or 0,
    )


def with_changed_price(
    content: bytes, instance_type: str, zone: str, new_price: str
) -> bytes:
    """A copy of a catalogue file with one row's on-demand price changed."""
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    changed = 0
    for row in rows:
        if row["InstanceType"] == instance_type and row["AvailabilityZone"] == zone:
            row["Price"] = new_price
            changed += 1
    assert changed == 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_real_catalogue_imports_with_counts_and_anomalies(
    client: TestClient, session: Session, provider: str
) -> None:
    content = real_catalog(provider).read_bytes()
    data_rows = content.decode().count("\n") - 1

    response = upload(client, provider, content, CATALOG_DATES[provider])

    assert response.status_code == 201, response.text
    report = response.json()
    assert response.headers["location"] == f"/v1/catalog/imports/{report['id']}"
    assert report["rows_read"] == data_rows
    stored = report["price_points_opened"] + report["price_points_unchanged"]
    assert stored >= MIN_PRICE_POINTS[provider]
    assert report["anomaly_counts"]
    assert sum(report["anomaly_counts"].values()) == len(report["anomalies"])
    cheapest = session.scalar(select(func.min(PricePointRow.price_per_hour)))
    assert cheapest is not None and cheapest > 0


def test_gcp_gpu_vm_price_is_host_row_plus_gpu_row(client: TestClient) -> None:
    # gcp.csv line 246: a3-highgpu-8g us-central1-a host 9.46006 (spot 3.86318);
    # line 3229: 8x H100 in us-central1-a 33.60609 (spot 32.0104).
    content = real_catalog("gcp").read_bytes()
    upload(client, "gcp", content, CATALOG_DATES["gcp"])

    offers = client.get(
        "/v1/offers",
        params={"provider": "gcp", "region": "us-central1", "accelerator": "H100"},
    ).json()["items"]

    a3 = next(
        o
        for o in offers
        if o["instance_type"] == "a3-highgpu-8g" and o["zone"] == "us-central1-a"
    )
    prices = {p["pricing_model"]: p for p in a3["prices"]}
    assert a3["accelerator_count"] == 8
    assert Decimal(prices["on_demand"]["price_per_hour"]) == Decimal("43.06615")
    assert Decimal(prices["spot"]["price_per_hour"]) == Decimal("35.87358")
    assert (
        Decimal(prices["on_demand"]["price_per_accelerator_hour"])
        == Decimal("43.06615") / 8
    )


def test_gcp_placeholder_and_zero_prices_are_reported_not_stored(
    client: TestClient,
) -> None:
    content = real_catalog("gcp").read_bytes()

    report = upload(client, "gcp", content, CATALOG_DATES["gcp"]).json()

    placeholders = [
        a for a in report["anomalies"] if a["reason"] == "placeholder_price"
    ]
    zero_hosts = [a for a in report["anomalies"] if a["reason"] == "zero_price"]
    # gcp.csv lines 5208-5374: 32 tpu-v6e rows at 700.0 (SOURCE.md, known anomalies).
    assert {a["row"] for a in placeholders} >= {5208, 5220, 5374}
    assert all("700.0" in a["detail"] for a in placeholders)
    # The 11 a4-highgpu-8g host rows priced 0.0 (SOURCE.md).
    assert len(zero_hosts) >= 11
    v6e = client.get(
        "/v1/offers", params={"provider": "gcp", "accelerator": "tpu-v6e", "limit": 500}
    ).json()["items"]
    prices = [Decimal(p["price_per_hour"]) for o in v6e for p in o["prices"]]
    assert prices and Decimal("700.0") not in prices
    b200 = client.get(
        "/v1/offers", params={"provider": "gcp", "accelerator": "b200"}
    ).json()
    assert b200["total"] == 0


def test_missing_spot_price_means_no_spot_offer(client: TestClient) -> None:
    # aws.csv has no SpotPrice column at all (SOURCE.md: no spot prices for AWS).
    upload(client, "aws", real_catalog("aws").read_bytes(), CATALOG_DATES["aws"])

    spot = client.get(
        "/v1/offers", params={"provider": "aws", "pricing_model": "spot"}
    ).json()

    assert spot["total"] == 0


def test_importing_the_same_file_twice_changes_nothing(
    client: TestClient, session: Session
) -> None:
    content = real_catalog("lambda").read_bytes()
    first = upload(client, "lambda", content, CATALOG_DATES["lambda"]).json()
    offers, points, _ = store_counts(session)

    second = upload(client, "lambda", content, CATALOG_DATES["lambda"]).json()

    assert (second["price_points_opened"], second["price_points_closed"]) == (0, 0)
    assert second["offers_created"] == 0
    assert second["price_points_unchanged"] == (
        first["price_points_opened"] + first["price_points_unchanged"]
    )
    assert second["catalog_version"] == first["catalog_version"]
    assert store_counts(session)[:2] == (offers, points)


def test_a_later_snapshot_closes_exactly_the_changed_prices(
    client: TestClient,
) -> None:
    content = real_catalog("gcp").read_bytes()
    t1 = CATALOG_DATES["gcp"]
    t2 = t1 + timedelta(days=7)
    first = upload(client, "gcp", content, t1).json()
    later = with_changed_price(content, "a3-highgpu-8g", "us-central1-a", "10.00000")

    second = upload(client, "gcp", later, t2).json()

    assert second["price_points_closed"] == 1
    assert second["price_points_opened"] == 1
    assert second["catalog_version"] == first["catalog_version"] + 1
    before = client.get(
        "/v1/offers",
        params={
            "provider": "gcp",
            "region": "us-central1",
            "accelerator": "h100-sxm",
            "pricing_model": "on_demand",
            "as_of": (t2 - timedelta(seconds=1)).isoformat(),
            "limit": 500,
        },
    ).json()["items"]
    after = client.get(
        "/v1/offers",
        params={
            "provider": "gcp",
            "region": "us-central1",
            "accelerator": "h100-sxm",
            "pricing_model": "on_demand",
            "as_of": t2.isoformat(),
            "limit": 500,
        },
    ).json()["items"]

    def a3_price(items: list[dict[str, Any]]) -> Decimal:
        offer = next(
            o
            for o in items
            if o["instance_type"] == "a3-highgpu-8g" and o["zone"] == "us-central1-a"
        )
        return Decimal(offer["prices"][0]["price_per_hour"])

    # 9.46006 (host, unchanged) + 33.60609 (GPUs) before; 10.00000 + 33.60609 after.
    assert a3_price(before) == Decimal("43.06615")
    assert a3_price(after) == Decimal("43.60609")
    offer_id = next(o["id"] for o in after if o["instance_type"] == "a3-highgpu-8g")
    history = client.get(
        f"/v1/offers/{offer_id}/prices", params={"pricing_model": "on_demand"}
    ).json()["items"]
    assert [h["valid_to"] is None for h in history] == [False, True]
    assert history[0]["valid_to"] == history[1]["valid_from"]


def test_an_older_snapshot_is_refused_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    content = real_catalog("lambda").read_bytes()
    upload(client, "lambda", content, CATALOG_DATES["lambda"])
    before = store_counts(session)

    response = upload(
        client, "lambda", content, CATALOG_DATES["lambda"] - timedelta(days=1)
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/snapshot-rejected"
    assert "older" in response.json()["detail"]
    assert store_counts(session) == before


def test_an_import_that_fails_half_way_leaves_the_store_as_it_was(
    client: TestClient, session: Session
) -> None:
    # A different snapshot at the same instant adds offers first, then meets a
    # changed price it may not close at that instant: all of it must roll back.
    content = real_catalog("gcp").read_bytes()
    upload(client, "gcp", content, CATALOG_DATES["gcp"])
    before = store_counts(session)
    extra_row = b"\nn1-standard-8,8.0,30.0,,,,zz-new1,zz-new1-a,0.38,0.08\n"
    extra = b",,,T4,1,,zz-new1,zz-new1-a,0.35,0.11\n"
    changed = with_changed_price(content, "a3-highgpu-8g", "us-central1-a", "1.0")

    response = upload(
        client, "gcp", changed.rstrip(b"\n") + extra_row + extra, CATALOG_DATES["gcp"]
    )

    assert response.status_code == 409
    assert "same instant" in response.json()["detail"]
    assert store_counts(session) == before


def test_a_file_without_the_catalogue_columns_is_a_clear_422(
    client: TestClient, session: Session
) -> None:
    before = store_counts(session)

    response = upload(
        client, "aws", b"name,cost\nfoo,1\n", datetime(2026, 6, 1, tzinfo=UTC)
    )

    assert response.status_code == 422
    assert "missing columns" in response.json()["detail"]
    assert store_counts(session) == before


def test_observed_at_without_timezone_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/catalog/imports",
        files={"file": ("x.csv", b"InstanceType\n", "text/csv")},
        data={"provider": "aws", "observed_at": "2026-05-20T00:00:00"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.observed_at"


def test_imports_are_listed_newest_first_without_anomaly_lists(
    client: TestClient,
) -> None:
    upload(client, "vast", real_catalog("vast").read_bytes(), CATALOG_DATES["vast"])

    listing = client.get("/v1/catalog/imports").json()

    newest = listing["items"][0]
    assert newest["provider"] == "vast"
    assert "anomalies" not in newest
    assert newest["anomaly_counts"]["zero_price"] >= 1
    detail = client.get(f"/v1/catalog/imports/{newest['id']}").json()
    assert len(detail["anomalies"]) == sum(newest["anomaly_counts"].values())
