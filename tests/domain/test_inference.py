"""Inference: KV cache, weights, latency and throughput of a replica."""

from __future__ import annotations

import math

import pytest

from service.domain.catalog import Precision
from service.domain.errors import InvalidWorkload
from service.domain.inference import weights_read_bytes
from service.domain.models import ModelArchitecture, kv_cache_bytes_per_token
from service.domain.sizing import (
    estimate_flops,
    estimate_workload,
    memory_per_accelerator_bytes,
    min_accelerator_count,
)
from service.domain.workload import AssumptionInputs
from tests.domain.helpers import A100, H100, model, serving

LLAMA2_7B = 6_738_415_616


def test_llama2_70b_kv_cache_uses_its_eight_kv_heads() -> None:
    # 80 layers x 8 KV heads x 128 head_dim x 2 (K, V) x 2 bytes = 327,680 bytes.
    per_token = kv_cache_bytes_per_token(model("llama-2-70b"), 2)

    assert per_token == 80 * 8 * 128 * 2 * 2 == 327_680


def test_a_64_head_formula_would_overstate_llama2_70b_kv_eightfold() -> None:
    as_if_mha = ModelArchitecture(
        parameters=1, layers=80, attention_heads=64, kv_heads=64, head_dim=128
    )

    assert kv_cache_bytes_per_token(as_if_mha, 2) == 8 * 327_680


def test_deepseek_v3_caches_the_latent_and_rope_key_per_layer() -> None:
    # MLA: 61 layers x (512 latent + 64 RoPE key) x 2 bytes = 70,272 bytes, the
    # ~70 KB per token DeepSeek states (DeepSeek-V2 report, Table 1 for the form).
    per_token = kv_cache_bytes_per_token(model("deepseek-v3"), 2)

    assert per_token == 61 * (512 + 64) * 2 == 70_272


def test_kv_cache_holds_every_sequence_at_full_context() -> None:
    workload = serving(model("llama-2-70b"), 1000, 200, batch_size=16)

    memory = estimate_workload(workload, []).memory

    assert memory.kv_cache_bytes == 327_680 * 16 * 1200
    assert memory.weights_bytes == 2 * 68_976_648_192


def test_mistral_keeps_only_its_sliding_window() -> None:
    # Mistral 7B rolling buffer: at most 4096 tokens of K and V (Jiang et al. 2023).
    workload = serving(model("mistral-7b"), 6000, 1000)

    memory = estimate_workload(workload, []).memory

    assert memory.kv_cache_bytes == 2 * 32 * 8 * 128 * 2 * 4096


def test_quantised_weights_and_kv_cache_take_fewer_bytes() -> None:
    workload = serving(
        model("llama-2-70b"),
        weights_precision=Precision.INT4,
        kv_cache_precision=Precision.INT8,
    )

    memory = estimate_workload(workload, []).memory

    assert memory.weights_bytes == 68_976_648_192 // 2
    assert memory.kv_cache_bytes_per_token == 327_680 // 2


def test_inference_costs_two_flops_per_parameter_per_token() -> None:
    flops = estimate_flops(serving(model("llama-2-7b"), 1000, 200, batch_size=4))

    assert flops.per_token == 2 * LLAMA2_7B
    assert flops.total == 2 * LLAMA2_7B * 1200 * 4


def test_prefill_is_compute_bound_and_decode_bandwidth_bound() -> None:
    # Llama 2 7B on one H100 (989.4 TFLOPS, 3,350 GB/s), MFU 0.4, MBU 0.6.
    workload = serving(model("llama-2-7b"), 1000, 200)
    kv_per_token = 2 * 32 * 32 * 128 * 2
    ttft = 2 * LLAMA2_7B * 1000 / (989.4e12 * 0.4)
    tpot = (2 * LLAMA2_7B + kv_per_token * (1000 + 100.5)) / (3350e9 * 0.6)

    perf = estimate_workload(workload, [H100]).accelerators[0].inference

    assert perf is not None
    assert perf.ttft_seconds == pytest.approx(ttft)
    assert perf.tpot_seconds == pytest.approx(tpot)
    assert perf.decode_bound == "memory bandwidth"


def test_a_batch_shares_one_read_of_the_weights_per_step() -> None:
    one = serving(model("llama-2-7b"), 100, 100, batch_size=1)
    many = serving(model("llama-2-7b"), 100, 100, batch_size=32)

    solo = estimate_workload(one, [H100]).accelerators[0].inference
    shared = estimate_workload(many, [H100]).accelerators[0].inference

    assert solo is not None and shared is not None
    assert shared.tpot_seconds < 2 * solo.tpot_seconds
    assert shared.output_tokens_per_second > 10 * solo.output_tokens_per_second


def test_replicas_cover_the_requests_per_second_target() -> None:
    workload = serving(
        model("llama-2-7b"), 1000, 200, batch_size=8, requests_per_second=50
    )

    perf = estimate_workload(workload, [H100]).accelerators[0].inference

    assert perf is not None
    per_replica = 8 / (8 * perf.ttft_seconds + 200 * perf.tpot_seconds)
    assert perf.requests_per_second == pytest.approx(per_replica)
    assert perf.replicas_for_target == math.ceil(50 / per_replica)


def test_latency_targets_are_checked() -> None:
    workload = serving(
        model("llama-2-7b"), ttft_target_seconds=0.01, tpot_target_seconds=1.0
    )

    perf = estimate_workload(workload, [H100]).accelerators[0].inference

    assert perf is not None
    assert perf.meets_ttft_target is False
    assert perf.meets_tpot_target is True


def test_mixtral_decoding_alone_reads_only_the_active_experts() -> None:
    mixtral = model("mixtral-8x7b")

    assert weights_read_bytes(mixtral, 2, 1) == pytest.approx(2 * 12.9e9)
    assert weights_read_bytes(mixtral, 2, 256) == pytest.approx(2 * 46.7e9, rel=1e-6)


def test_a_replica_is_sharded_over_the_fewest_accelerators_that_hold_it() -> None:
    # 138 GB of weights + 6.3 GB of KV cache over 77.3 GB usable per A100: 2.
    workload = serving(model("llama-2-70b"), 1000, 200, batch_size=16)

    count = min_accelerator_count(workload, A100)

    assert count.count == 2
    assert count.memory_per_accelerator_bytes == math.ceil(
        (2 * 68_976_648_192 + 327_680 * 16 * 1200) / 2
    )


def test_a_fixed_model_parallel_degree_sets_the_replica_size() -> None:
    given = AssumptionInputs(model_parallel_degree=4)
    workload = serving(model("llama-2-70b"), assumptions=given)
    total = estimate_workload(workload, []).memory.total_bytes

    assert memory_per_accelerator_bytes(workload, 8) == math.ceil(total / 4)
    with pytest.raises(InvalidWorkload):
        memory_per_accelerator_bytes(workload, 6)


def test_total_requests_give_accelerator_hours() -> None:
    workload = serving(model("llama-2-7b"), total_requests=1_000_000, batch_size=8)

    fit = estimate_workload(workload, [H100]).accelerators[0]

    assert fit.inference is not None and fit.accelerator_hours is not None
    assert fit.accelerator_hours == pytest.approx(
        1_000_000 / fit.inference.requests_per_second / 3600
    )


def test_fp8_serving_on_a100_has_no_performance_with_a_reason() -> None:
    workload = serving(model("llama-2-7b"), precision=Precision.FP8)

    fit = estimate_workload(workload, [A100]).accelerators[0]

    assert fit.inference is None
    assert fit.inference_reason is not None and "fp8" in fit.inference_reason


def test_parameters_only_leaves_the_kv_cache_out_with_a_reason() -> None:
    workload = serving(ModelArchitecture(parameters=7_000_000_000))

    estimate = estimate_workload(workload, [H100])

    assert estimate.memory.kv_cache_bytes is None
    assert "layers" in estimate.memory.missing["kv_cache_bytes"]
    assert estimate.accelerators[0].min_count.count == 1


def test_a_request_longer_than_the_context_is_rejected() -> None:
    workload = serving(model("llama-2-7b"), 4000, 200)

    with pytest.raises(InvalidWorkload) as caught:
        estimate_workload(workload, [])

    assert caught.value.field == "inference.output_tokens"


def test_an_mbu_above_one_is_rejected() -> None:
    given = AssumptionInputs(memory_bandwidth_utilization=1.5)

    with pytest.raises(InvalidWorkload) as caught:
        estimate_workload(serving(model("llama-2-7b"), assumptions=given), [H100])

    assert caught.value.field == "assumptions.memory_bandwidth_utilization"
