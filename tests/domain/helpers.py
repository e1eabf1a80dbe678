"""Chips, presets and workload builders shared by the domain tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

import service
from service.domain.catalog import Accelerator, Precision
from service.domain.models import ModelArchitecture, ModelPreset, load_presets
from service.domain.workload import (
    AssumptionInputs,
    InferenceSpec,
    TrainingSpec,
    Workload,
    WorkloadKind,
)

MODELS_YAML = Path(service.__file__).parent / "catalog_data" / "models.yaml"


def chip(
    id: str,
    name: str,
    memory_gib: float,
    bandwidth_gbps: float | None,
    bf16: float | None,
    fp8: float | None = None,
) -> Accelerator:
    """Build an accelerator with only what the workload model reads."""
    return Accelerator(
        id=id,
        name=name,
        vendor="test",
        memory_gib=memory_gib,
        memory_bandwidth_gbps=bandwidth_gbps,
        peak_tflops_fp32=None,
        peak_tflops_tf32=None,
        peak_tflops_bf16=bf16,
        peak_tflops_fp16=bf16,
        peak_tflops_fp8=fp8,
        peak_tflops_int8=None,
        tdp_watts=None,
        interconnect_gbps=None,
    )


# Figures from ../shared/data/accelerators.csv (Epoch AI 'Data on Machine Learning
# Hardware'; dense peaks): A100 312 BF16 and no FP8; H100 SXM 989.4 BF16, 1978.9 FP8;
# H800 989 BF16 (Epoch gives no FP8 figure).
A100 = chip("a100-sxm4-80gb", "NVIDIA A100 SXM4 80GB", 80, 2039, 312)
H100 = chip("h100-sxm", "NVIDIA H100 SXM5 80GB", 80, 3350, 989.4, 1978.9)
H800 = chip("h800-sxm", "NVIDIA H800 SXM5 80GB", 80, 3360, 989)
TPU_V4 = chip("tpu-v4", "Google TPU v4", 32, 1200, 275)


@cache
def presets() -> dict[str, ModelPreset]:
    """Load the bundled presets once."""
    return load_presets(yaml.safe_load(MODELS_YAML.read_text()))


def model(preset_id: str) -> ModelArchitecture:
    """Return a preset's architecture."""
    return presets()[preset_id].architecture


def pretraining(
    architecture: ModelArchitecture,
    tokens: int = 10**9,
    sequence_length: int = 4096,
    precision: Precision = Precision.BF16,
    assumptions: AssumptionInputs | None = None,
    **training: Any,
) -> Workload:
    """Build a pretraining workload."""
    spec = TrainingSpec(tokens=tokens, sequence_length=sequence_length, **training)
    return Workload(
        WorkloadKind.PRETRAINING,
        architecture,
        precision,
        training=spec,
        assumptions=assumptions or AssumptionInputs(),
    )


def serving(
    architecture: ModelArchitecture,
    prompt_tokens: int = 1000,
    output_tokens: int = 200,
    precision: Precision = Precision.BF16,
    assumptions: AssumptionInputs | None = None,
    **inference: Any,
) -> Workload:
    """Build an inference workload."""
    spec = InferenceSpec(
        prompt_tokens=prompt_tokens, output_tokens=output_tokens, **inference
    )
    return Workload(
        WorkloadKind.INFERENCE,
        architecture,
        precision,
        inference=spec,
        assumptions=assumptions or AssumptionInputs(),
    )
