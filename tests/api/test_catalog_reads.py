"""Reading the bundled catalogue: accelerators, offers, health, problem bodies."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SHARED_DATA


def test_bundled_catalogue_has_every_reference_accelerator(client: TestClient) -> None:
    path = SHARED_DATA / "accelerators.csv"
    if not path.exists():
        pytest.skip(f"reference data not found at {path}")
    reference = list(csv.DictReader(path.read_text().splitlines()))

    body = client.get("/v1/accelerators", params={"limit": 500}).json()

    assert len(reference) == 26
    assert body["total"] >= 26
    names = {item["name"] for item in body["items"]}
    assert {row["name"] for row in reference} <= names


def test_accelerator_peaks_are_the_dense_figures(client: TestClient) -> None:
    # accelerators.csv: H100 SXM5 BF16 dense 989.4, FP8 dense 1978.9 (NVIDIA's
    # table lists 3,958 for FP8 "with sparsity", twice the dense figure).
    h100 = client.get("/v1/accelerators/H100").json()

    assert h100["id"] == "h100-sxm"
    assert h100["peak_tflops"]["bf16"] == 989.4
    assert h100["peak_tflops"]["fp8"] == 1978.9
    assert h100["memory_gib"] == 80


def test_chips_without_bf16_say_so_rather_than_borrow_fp16(client: TestClient) -> None:
    # V100 (Volta) has FP16 tensor cores at 125 TFLOPS dense and no BF16.
    v100 = client.get("/v1/accelerators/V100").json()

    assert v100["peak_tflops"]["bf16"] is None
    assert v100["peak_tflops"]["fp16"] == 125


def test_unknown_accelerator_is_a_404_naming_the_nearest(client: TestClient) -> None:
    response = client.get("/v1/accelerators/h100-sxm6")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/not-found"
    assert body["status"] == 404
    assert "h100-sxm" in body["nearest"]


def test_bundled_offers_cover_four_providers_with_spot_where_sourced(
    client: TestClient,
) -> None:
    offers = client.get("/v1/offers", params={"limit": 500}).json()["items"]

    providers = {o["provider"] for o in offers}
    spot = {
        o["provider"]
        for o in offers
        for p in o["prices"]
        if p["pricing_model"] == "spot"
    }
    assert {"aws", "gcp", "azure", "lambda"} <= providers
    assert {"gcp", "azure"} <= spot
    for offer in offers:
        for price in offer["prices"]:
            per_instance = Decimal(price["price_per_hour"])
            per_accelerator = Decimal(price["price_per_accelerator_hour"])
            assert per_instance > 0
            assert per_accelerator * Decimal(str(offer["accelerator_count"])) == (
                pytest.approx(per_instance)
            )


def test_offers_filter_by_provider_accelerator_and_size(client: TestClient) -> None:
    body = client.get(
        "/v1/offers",
        params={"provider": "aws", "accelerator": "H100", "min_accelerators": 8},
    ).json()

    assert body["total"] >= 1
    assert all(o["provider"] == "aws" for o in body["items"])
    assert all(o["accelerator"] == "h100-sxm" for o in body["items"])
    assert all(o["accelerator_count"] >= 8 for o in body["items"])


def test_offers_before_any_snapshot_have_no_price(client: TestClient) -> None:
    body = client.get("/v1/offers", params={"as_of": "2020-01-01T00:00:00Z"}).json()

    assert body["total"] == 0


def test_unknown_provider_names_the_nearest(client: TestClient) -> None:
    response = client.get("/v1/offers", params={"provider": "gpc"})

    assert response.status_code == 404
    assert response.json()["nearest"][0] == "gcp"


def test_offer_and_its_history(client: TestClient) -> None:
    first = client.get("/v1/offers", params={"limit": 1}).json()["items"][0]

    offer = client.get(f"/v1/offers/{first['id']}").json()
    history = client.get(f"/v1/offers/{first['id']}/prices").json()

    assert offer == first
    assert history["total"] == len(first["prices"])
    assert client.get("/v1/offers/999999").status_code == 404


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["catalog_version"] >= 1


def test_validation_errors_list_each_field(client: TestClient) -> None:
    response = client.get("/v1/offers", params={"limit": 0, "min_accelerators": -1})

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert {e["field"] for e in body["errors"]} == {
        "query.limit",
        "query.min_accelerators",
    }
