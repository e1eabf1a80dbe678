"""Sizing on accelerators: sharding, the fewest that fit, hours, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.domain.catalog import Precision
from service.domain.errors import InvalidWorkload, UnknownAccelerator
from service.domain.models import ModelArchitecture
from service.domain.sizing import (
    estimate_workload,
    memory_per_accelerator_bytes,
    min_accelerator_count,
)
from service.domain.workload import (
    AssumptionInputs,
    Recompute,
    find_accelerator,
)
from tests.domain.helpers import A100, H100, model, pretraining

GB = 1e9


@pytest.mark.parametrize(
    ("stage", "gigabytes"),
    [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)],
)
def test_zero_stages_match_the_zero_paper_figure(stage: int, gigabytes: float) -> None:
    # Rajbhandari et al. 2020, Figure 1: 7.5B parameters, Adam (K = 12), Nd = 64.
    workload = pretraining(
        ModelArchitecture(parameters=7_500_000_000), zero_stage=stage
    )

    per_gpu = memory_per_accelerator_bytes(workload, 64)

    assert per_gpu / GB == pytest.approx(gigabytes, abs=0.05)


def test_zero_stage_0_never_fits_when_the_states_exceed_one_device() -> None:
    # Llama 2 70B at 16 bytes per parameter is 1.1 TB on every data-parallel rank.
    workload = pretraining(model("llama-2-70b"), zero_stage=0)

    count = min_accelerator_count(workload, H100)

    assert count.count is None
    assert count.reason is not None and "never fits" in count.reason


def test_zero_stage_3_shards_everything_but_activations() -> None:
    workload = pretraining(model("llama-2-70b"), zero_stage=3, recompute=Recompute.FULL)

    count = min_accelerator_count(workload, H100)

    assert count.count is not None
    assert count.memory_per_accelerator_bytes is not None
    assert count.memory_per_accelerator_bytes <= count.usable_memory_bytes
    assert memory_per_accelerator_bytes(workload, count.count - 1) > (
        count.usable_memory_bytes
    )


def test_the_global_batch_caps_the_data_parallel_ranks() -> None:
    # 8 sequences of micro-batch 1 allow at most 8 data-parallel ranks; 1.1 TB of
    # ZeRO-3 state over ~72 GB free per A100 needs 16.
    workload = pretraining(
        model("llama-2-70b"),
        zero_stage=3,
        recompute=Recompute.FULL,
        global_batch_size=8,
    )

    count = min_accelerator_count(workload, A100)

    assert count.count is None
    assert count.reason is not None and "global batch" in count.reason


def test_accelerator_hours_divide_flops_by_peak_and_mfu() -> None:
    workload = pretraining(
        model("llama-2-7b"), tokens=10**12, assumptions=AssumptionInputs(mfu=0.5)
    )

    fit = estimate_workload(workload, [A100]).accelerators[0]

    assert fit.accelerator_hours == pytest.approx(
        6 * 6_738_415_616 * 1e12 / (312e12 * 0.5) / 3600
    )


def test_fp8_on_a100_gives_no_hours_with_a_reason() -> None:
    workload = pretraining(model("llama-2-7b"), precision=Precision.FP8)

    fit = estimate_workload(workload, [A100]).accelerators[0]

    assert fit.accelerator_hours is None
    assert fit.accelerator_hours_reason is not None
    assert "fp8" in fit.accelerator_hours_reason


@pytest.mark.parametrize("mfu", [1.2, 0.0, -0.1])
def test_an_mfu_outside_zero_to_one_is_rejected(mfu: float) -> None:
    workload = pretraining(model("llama-2-7b"), assumptions=AssumptionInputs(mfu=mfu))

    with pytest.raises(InvalidWorkload) as caught:
        estimate_workload(workload, [H100])

    assert caught.value.field == "assumptions.mfu"


def test_parameters_only_leaves_activations_out_with_a_reason() -> None:
    workload = pretraining(ModelArchitecture(parameters=7_000_000_000), zero_stage=3)

    estimate = estimate_workload(workload, [H100])

    assert estimate.memory.activations_bytes is None
    assert "hidden_size" in estimate.memory.missing["activations_bytes"]
    reason = estimate.accelerators[0].min_count.reason
    assert reason is not None and reason.startswith("a lower bound")


def test_defaults_are_echoed_with_their_sources() -> None:
    estimate = estimate_workload(pretraining(model("llama-2-7b")), [H100])

    assumptions = estimate.assumptions

    assert assumptions["zero_stage"].value == 1
    assert assumptions["recompute"].value == Recompute.SELECTIVE
    assert "Llama 3" in assumptions["mfu.h100-sxm"].source
    assert assumptions["memory_headroom_fraction"].value == 0.10


def test_model_parallel_degree_must_divide_the_heads() -> None:
    given = AssumptionInputs(model_parallel_degree=3)

    with pytest.raises(InvalidWorkload) as caught:
        estimate_workload(pretraining(model("llama-2-7b"), assumptions=given), [])

    assert caught.value.field == "assumptions.model_parallel_degree"


def test_tensor_parallelism_splits_activations_and_states() -> None:
    base = pretraining(model("llama-2-13b"), zero_stage=1)
    split = pretraining(
        model("llama-2-13b"),
        zero_stage=1,
        assumptions=AssumptionInputs(model_parallel_degree=4),
    )

    assert memory_per_accelerator_bytes(split, 4) == pytest.approx(
        memory_per_accelerator_bytes(base, 1) / 4, abs=1
    )


def test_find_accelerator_matches_ids_names_and_aliases() -> None:
    h100 = replace(H100, aliases=("H100",))

    assert find_accelerator([A100, h100], "h100") is h100
    assert find_accelerator([A100, h100], "NVIDIA A100 SXM4 80GB") is A100
    with pytest.raises(UnknownAccelerator) as caught:
        find_accelerator([A100, h100], "h100-sxn")
    assert caught.value.nearest[0] == "h100-sxm"
