"""POST /v1/estimates and GET /v1/models over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.usecases.workloads import bundled_presets

TRAINING = {"tokens": 1_000_000_000, "sequence_length": 2048}
FINE_TUNING = {"tokens": 10_000_000, "sequence_length": 2048, "method": "lora"}
INFERENCE = {"prompt_tokens": 512, "output_tokens": 256, "batch_size": 8}


def workload(kind: str, preset: str, **extra: Any) -> dict[str, Any]:
    """A workload body for a preset."""
    spec: dict[str, Any] = {"kind": kind, "model": {"preset": preset}}
    if kind == "inference":
        spec["inference"] = INFERENCE
    else:
        spec["training"] = TRAINING if kind == "pretraining" else FINE_TUNING
    return spec | extra


def test_models_lists_every_preset_with_its_source(client: TestClient) -> None:
    models = client.get("/v1/models").json()

    ids = {m["id"] for m in models}
    assert {
        "llama-2-7b",
        "llama-2-13b",
        "llama-2-70b",
        "llama-3.1-8b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "mixtral-8x7b",
        "deepseek-v3",
        "qwen3-30b-a3b",
        "gpt-3-175b",
    } <= ids
    assert all(m["source"] for m in models)


@pytest.mark.parametrize("kind", ["pretraining", "fine_tuning", "inference"])
@pytest.mark.parametrize("preset", sorted(bundled_presets()))
def test_every_preset_and_kind_has_an_estimate(
    client: TestClient, preset: str, kind: str
) -> None:
    body = {"workload": workload(kind, preset), "accelerators": ["h100-sxm"]}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 200, response.text
    estimate = response.json()
    assert estimate["flops"]["total"] > 0
    assert estimate["memory"]["total_bytes"] > 0
    assert estimate["assumptions"]["mfu.h100-sxm"]["source"]
    assert estimate["accelerators"][0]["accelerator"] == "h100-sxm"


def test_llama_2_70b_kv_cache_uses_its_8_kv_heads(client: TestClient) -> None:
    # Llama 2 70B: 80 layers, 8 KV heads of 128 (config.json); K and V in bf16:
    # 2 x 80 x 8 x 128 x 2 bytes = 327,680 bytes per token.
    body = {"workload": workload("inference", "llama-2-70b"), "accelerators": ["H100"]}

    memory = client.post("/v1/estimates", json=body).json()["memory"]

    assert memory["kv_cache_bytes_per_token"] == 327_680
    # 8 sequences x (512 + 256) tokens in the cache.
    assert memory["kv_cache_bytes"] == 327_680 * 8 * 768


def test_moe_flops_use_active_parameters(client: TestClient) -> None:
    body = {"workload": workload("inference", "mixtral-8x7b")}

    estimate = client.post("/v1/estimates", json=body).json()

    active = estimate["model"]["active_parameters"]
    assert active < estimate["model"]["parameters"]
    # Inference: 2 FLOPs per active parameter per token (Kaplan et al. 2020).
    assert estimate["flops"]["model_per_token"] == pytest.approx(2 * active, rel=0.01)


def test_hours_times_peak_times_mfu_give_back_the_flops(client: TestClient) -> None:
    body = {"workload": workload("pretraining", "llama-2-7b")}

    estimate = client.post("/v1/estimates", json=body).json()

    flops = estimate["flops"]["total"]
    for fit in estimate["accelerators"]:
        if fit["accelerator_hours"] is None:
            continue
        recovered = (
            fit["accelerator_hours"] * 3600 * fit["peak_tflops"] * 1e12 * fit["mfu"]
        )
        assert recovered == pytest.approx(flops, rel=1e-9)


def test_parameters_only_leaves_out_what_needs_the_architecture(
    client: TestClient,
) -> None:
    body = {
        "workload": {
            "kind": "pretraining",
            "model": {"parameters": 7_000_000_000},
            "training": TRAINING,
        }
    }

    estimate = client.post("/v1/estimates", json=body).json()

    assert estimate["memory"]["activations_bytes"] is None
    assert "activations_bytes" in estimate["memory"]["missing"]
    assert estimate["flops"]["per_token"] == pytest.approx(6 * 7e9 * 1.0, rel=0.01)


def test_fp8_on_a_chip_without_fp8_gives_no_hours_and_says_why(
    client: TestClient,
) -> None:
    body = {
        "workload": workload("pretraining", "llama-2-7b", precision="fp8"),
        "accelerators": ["a100-sxm4-80gb"],
    }

    fit = client.post("/v1/estimates", json=body).json()["accelerators"][0]

    assert fit["accelerator_hours"] is None
    assert "fp8" in fit["accelerator_hours_reason"]


def test_mfu_above_one_is_a_422_naming_the_field(client: TestClient) -> None:
    body = {"workload": workload("pretraining", "llama-2-7b", efficiency={"mfu": 1.2})}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["body.workload.efficiency.mfu"]


def test_nan_mfu_is_refused(client: TestClient) -> None:
    raw = (
        '{"workload": {"kind": "pretraining", "model": {"preset": "llama-2-7b"}, '
        '"training": {"tokens": 1000, "sequence_length": 10}, '
        '"efficiency": {"mfu": NaN}}}'
    )

    response = client.post(
        "/v1/estimates", content=raw, headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_negative_tokens_are_refused(client: TestClient) -> None:
    body = {
        "workload": {
            "kind": "pretraining",
            "model": {"preset": "llama-2-7b"},
            "training": {"tokens": -5, "sequence_length": 2048},
        }
    }

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.workload.training.tokens"


def test_unknown_preset_names_the_nearest(client: TestClient) -> None:
    body = {"workload": workload("pretraining", "llama-2-7")}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    assert response.json()["type"] == "/problems/unknown-preset"
    assert "llama-2-7b" in response.json()["nearest"]


def test_unknown_accelerator_names_the_nearest(client: TestClient) -> None:
    body = {"workload": workload("pretraining", "llama-2-7b"), "accelerators": ["h10"]}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    assert response.json()["type"] == "/problems/unknown-accelerator"
    assert response.json()["nearest"]


def test_unknown_fields_are_rejected_with_their_names(client: TestClient) -> None:
    body = {"workload": workload("pretraining", "llama-2-7b", colour="blue")}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.workload.colour"


def test_training_kind_without_training_spec_is_refused(client: TestClient) -> None:
    body = {"workload": {"kind": "pretraining", "model": {"preset": "llama-2-7b"}}}

    response = client.post("/v1/estimates", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.workload.training"


def test_validate_returns_the_workload_with_defaults(client: TestClient) -> None:
    response = client.post(
        "/v1/workloads/validate", json=workload("pretraining", "llama-2-7b")
    )

    assert response.status_code == 200
    assert response.json()["precision"] == "bf16"
    assert response.json()["training"]["micro_batch_size"] == 1
