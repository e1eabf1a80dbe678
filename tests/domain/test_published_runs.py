"""Published training runs: GPU-hours from FLOPs, peak and MFU within 10% of reported.

Each run is computed with the MFU the run reported where one exists. Where none
exists the comment says so plainly and says where the MFU used comes from.
"""

from __future__ import annotations

import pytest

from service.domain.catalog import Accelerator
from service.domain.models import ModelArchitecture
from service.domain.sizing import estimate_workload
from service.domain.workload import AssumptionInputs
from tests.domain.helpers import A100, H100, H800, model, pretraining

TOLERANCE = 0.10


def gpu_hours(
    architecture: ModelArchitecture,
    tokens: float,
    accelerator: Accelerator,
    mfu: float,
    sequence_length: int = 4096,
    attention_flops: bool = False,
) -> float:
    given = AssumptionInputs(mfu=mfu, include_attention_flops=attention_flops)
    workload = pretraining(
        architecture, int(tokens), sequence_length, assumptions=given
    )
    hours = estimate_workload(workload, [accelerator]).accelerators[0].accelerator_hours
    assert hours is not None
    return hours


@pytest.mark.parametrize(
    ("preset_id", "published_hours"),
    [("llama-2-7b", 184_320), ("llama-2-13b", 368_640), ("llama-2-70b", 1_720_320)],
)
def test_llama2_gpu_hours_at_one_back_solved_mfu(
    preset_id: str, published_hours: int
) -> None:
    # Llama 2 model card: 2.0T tokens, A100-80GB, 184,320 / 368,640 / 1,720,320
    # GPU-hours. Meta reports no MFU for Llama 2, so 0.40 is BACK-SOLVED from these
    # same figures (6N gives 0.391 / 0.377 / 0.428; 0.40 is their mean). What the
    # test shows is that one MFU fits all three sizes: -2.4%, -5.7%, +7.1%.
    hours = gpu_hours(model(preset_id), 2.0e12, A100, mfu=0.40)

    assert hours == pytest.approx(published_hours, rel=TOLERANCE)


def test_llama31_405b_gpu_hours_at_the_reported_mfu() -> None:
    # Llama 3.1 model card: 30.84M H100-80GB GPU-hours for 405B; Llama 3 Herd of
    # Models: 15.6T tokens, and Table 4 reports BF16 MFU of 43% (8,192 GPUs), 41%
    # (16,384 GPUs, 8K sequences: the configuration of most tokens) and 38% (131K
    # sequences). At the reported 41%, counting attention FLOPs as PaLM's MFU
    # definition does (8K sequences): 28.18M, -8.6%. With 6N alone it would be 26.0M,
    # -15.7%: the paper does not say which FLOPs its MFU counts, and its GPU-hours
    # include the >10% of time lost to interruptions it reports.
    hours = gpu_hours(
        model("llama-3.1-405b"), 15.6e12, H100, 0.41, 8192, attention_flops=True
    )

    assert hours == pytest.approx(30.84e6, rel=TOLERANCE)


def test_deepseek_v3_gpu_hours_at_a_hopper_bf16_mfu() -> None:
    # DeepSeek-V3 report: 2.664M H800 GPU-hours of pre-training on 14.8T tokens,
    # 37B activated parameters, FP8 mixed precision. DeepSeek reports NO MFU.
    # Back-solved, 6 x 37B x 14.8T needs 34.6% of the H800's 989 BF16 dense peak, or
    # 17.3% of its 1,979 FP8 peak (the H100's tensor cores). FP8 covers only the
    # linear-layer GEMMs (report section 3.3) while attention, MoE all-to-all and
    # pipeline bubbles are not sped up, so the BF16 peak with a Hopper BF16 MFU
    # reproduces it: at 38%, Llama 3.1's lowest reported H100 MFU (borrowed, not
    # DeepSeek's), 2.43M hours, -8.8%.
    hours = gpu_hours(model("deepseek-v3"), 14.8e12, H800, 0.38)
    back_solved = 6 * 37e9 * 14.8e12 / (989e12 * 2.664e6 * 3600)

    assert hours == pytest.approx(2.664e6, rel=TOLERANCE)
    assert back_solved == pytest.approx(0.346, abs=0.001)


def test_llama_65b_gpu_hours_at_the_reported_throughput() -> None:
    # LLaMA (Touvron et al. 2023a): 65.2B parameters, 1.4T tokens, "around 380
    # tokens/sec/GPU on 2048 A100 GPU with 80GB" (section 2.4), and 1,022,362
    # GPU-hours (Table 15). The reported throughput is an MFU of
    # 6 x 65.2B x 380 / 312 TFLOPS = 47.6%; at it, 1.023M hours, +0.1%. This checks
    # the two published figures against each other through the hours formula.
    reported_mfu = 6 * 65.2e9 * 380 / 312e12
    hours = gpu_hours(
        ModelArchitecture(parameters=65_200_000_000), 1.4e12, A100, reported_mfu, 2048
    )

    assert hours == pytest.approx(1_022_362, rel=TOLERANCE)
