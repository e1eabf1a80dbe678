"""Request bodies that describe a workload, with the range of every number."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from service.api.schemas.common import StrictModel
from service.domain.catalog import Precision
from service.domain.workload import (
    FineTuningMethod,
    LoraTargets,
    Optimizer,
    Recompute,
    WorkloadKind,
)

# Physical sense: the largest published models have ~2e12 parameters and runs ~4e13
# tokens; the bounds leave room for 50x growth and refuse typos beyond it.
MAX_PARAMETERS = 10**14
MAX_TOKENS = 10**16
MAX_CONTEXT_TOKENS = 10**8
MAX_DIMENSION = 10**7

Count = Annotated[int, Field(ge=1, le=MAX_DIMENSION)]
ComputePrecision = Literal["fp32", "tf32", "bf16", "fp16", "fp8"]
StoragePrecision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"]
Fraction = Annotated[float, Field(gt=0, le=1)]


class ModelSpec(StrictModel):
    """A preset id, or an architecture; with only `parameters`, parts are left out."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"preset": "llama-2-7b"},
                {
                    "parameters": 7_000_000_000,
                    "layers": 32,
                    "hidden_size": 4096,
                    "attention_heads": 32,
                    "kv_heads": 8,
                },
            ]
        }
    )

    preset: str | None = Field(
        default=None, max_length=64, description="An id from `GET /v1/models`."
    )
    parameters: int | None = Field(
        default=None, ge=1, le=MAX_PARAMETERS, description="All distinct weights."
    )
    active_parameters: int | None = Field(
        default=None, ge=1, le=MAX_PARAMETERS, description="Per token (MoE)."
    )
    layers: int | None = Field(default=None, ge=1, le=100_000)
    hidden_size: Count | None = None
    attention_heads: Count | None = None
    kv_heads: Count | None = Field(
        default=None, description="Key/value heads (grouped-query attention)."
    )
    head_dim: Count | None = None
    ffn_hidden_size: Count | None = Field(
        default=None, description="MLP width; for MoE, one expert's."
    )
    vocab_size: Count | None = None
    tied_embeddings: bool | None = None
    gated_mlp: bool | None = Field(
        default=None, description="SwiGLU-style MLP with three matrices."
    )
    experts: Count | None = None
    experts_per_token: Count | None = None
    kv_lora_rank: Count | None = Field(
        default=None, description="Multi-head latent attention: KV latent width."
    )
    qk_rope_head_dim: Count | None = Field(
        default=None, description="Multi-head latent attention: RoPE key width."
    )
    sliding_window_tokens: int | None = Field(default=None, ge=1, le=MAX_CONTEXT_TOKENS)
    max_context_tokens: int | None = Field(default=None, ge=1, le=MAX_CONTEXT_TOKENS)

    @model_validator(mode="after")
    def preset_or_parameters(self) -> ModelSpec:
        """Either name a preset alone or give at least `parameters`."""
        given = self.model_dump(exclude_none=True, exclude={"preset"})
        if self.preset is not None and given:
            raise ValueError("give either `preset` or an architecture, not both")
        if self.preset is None and self.parameters is None:
            raise ValueError("give `preset` or at least `parameters`")
        return self


class TrainingSpecIn(StrictModel):
    """A pretraining or fine-tuning run."""

    tokens: int = Field(ge=1, le=MAX_TOKENS, description="Tokens trained on.")
    sequence_length: int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    micro_batch_size: int = Field(default=1, ge=1, le=1_000_000)
    global_batch_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    global_batch_size: int | None = Field(
        default=None, ge=1, le=100_000_000, description="Sequences per step."
    )
    optimizer: Optimizer | None = None
    zero_stage: Literal[0, 1, 2, 3, "fsdp"] | None = Field(
        default=None, description="ZeRO stage; `fsdp` (full shard) is stage 3."
    )
    recompute: Recompute | None = None
    method: FineTuningMethod | None = Field(
        default=None, description="Fine-tuning only: full, lora or qlora."
    )
    lora_rank: int | None = Field(default=None, ge=1, le=65_536)
    lora_targets: LoraTargets | None = None


class InferenceSpecIn(StrictModel):
    """Serving: prompts and outputs per request, concurrency and targets."""

    prompt_tokens: int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    output_tokens: int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    batch_size: int = Field(
        default=1, ge=1, le=1_000_000, description="Sequences decoded at once."
    )
    requests_per_second: float | None = Field(default=None, gt=0, le=10_000_000)
    total_requests: int | None = Field(default=None, ge=1, le=10**15)
    ttft_target_seconds: float | None = Field(default=None, gt=0, le=86_400)
    tpot_target_seconds: float | None = Field(default=None, gt=0, le=3_600)
    weights_precision: StoragePrecision | None = None
    kv_cache_precision: StoragePrecision | None = None


class EfficiencyIn(StrictModel):
    """How much of the hardware's peak the job reaches."""

    mfu: Fraction | None = Field(
        default=None,
        description="Model FLOPs utilisation, above 0 and at most 1; default per "
        "accelerator and precision (echoed in `assumptions`).",
    )
    memory_bandwidth_utilization: Fraction | None = Field(
        default=None, description="Share of memory bandwidth decode reaches."
    )


class AssumptionsIn(StrictModel):
    """Overrides for what published tools disagree on."""

    model_parallel_degree: int | None = Field(default=None, ge=1, le=65_536)
    gradient_bytes_per_parameter: Literal[1, 2, 4] | None = None
    master_weights_fp32: bool | None = None
    kv_cache_factor: Literal[1, 2] | None = Field(
        default=None, description="2 stores K and V; 1 for a shared-KV design."
    )
    memory_headroom_fraction: float | None = Field(default=None, ge=0, lt=1)
    include_attention_flops: bool | None = None


class WorkloadIn(StrictModel):
    """What must be computed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "pretraining",
                    "model": {"preset": "llama-2-7b"},
                    "precision": "bf16",
                    "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
                }
            ]
        }
    )

    kind: WorkloadKind
    model: ModelSpec
    precision: ComputePrecision = Field(default="bf16")
    training: TrainingSpecIn | None = Field(
        default=None, description="Required for pretraining and fine_tuning."
    )
    inference: InferenceSpecIn | None = Field(
        default=None, description="Required for inference."
    )
    efficiency: EfficiencyIn = Field(default_factory=EfficiencyIn)
    assumptions: AssumptionsIn = Field(default_factory=AssumptionsIn)

    def compute_precision(self) -> Precision:
        """The compute precision as the domain's enum."""
        return Precision(self.precision)
