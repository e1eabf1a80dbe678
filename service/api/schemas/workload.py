"""Request bodies that describe a workload, with the range of every number."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Discriminator, Field, StrictBool, Tag

from service.api.schemas.common import Int, NotBoolean, Real, StrictModel
from service.domain.catalog import Precision
from service.domain.workload import (
    FineTuningMethod,
    LoraTargets,
    Optimizer,
    Recompute,
)

# Physical sense: the largest published models have ~2e12 parameters and runs ~4e13
# tokens; the bounds leave room for 50x growth and refuse typos beyond it.
MAX_PARAMETERS = 10**14
MAX_TOKENS = 10**16
MAX_CONTEXT_TOKENS = 10**8
MAX_DIMENSION = 10**7

Count = Annotated[Int, Field(ge=1, le=MAX_DIMENSION)]
ComputePrecision = Literal["fp32", "tf32", "bf16", "fp16", "fp8"]
StoragePrecision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"]
# Utilisations below a thousandth describe no real run, and their reciprocals
# overflow what the answers can carry.
Fraction = Annotated[Real, Field(ge=0.001, le=1)]


class PresetModel(StrictModel):
    """A published model, by its id in `GET /v1/models`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"preset": "llama-2-7b"}]}
    )

    preset: str = Field(min_length=1, max_length=64, description="A preset id.")


class ArchitectureModel(StrictModel):
    """An explicit architecture; with only `parameters`, some parts are left out."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parameters": 7_000_000_000,
                    "layers": 32,
                    "hidden_size": 4096,
                    "attention_heads": 32,
                    "kv_heads": 8,
                }
            ]
        }
    )

    parameters: Int = Field(
        ge=1, le=MAX_PARAMETERS, description="All distinct weights."
    )
    active_parameters: Int | None = Field(
        default=None, ge=1, le=MAX_PARAMETERS, description="Per token (MoE)."
    )
    layers: Int | None = Field(default=None, ge=1, le=100_000)
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
    tied_embeddings: StrictBool | None = None
    gated_mlp: StrictBool | None = Field(
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
    sliding_window_tokens: Int | None = Field(default=None, ge=1, le=MAX_CONTEXT_TOKENS)
    max_context_tokens: Int | None = Field(default=None, ge=1, le=MAX_CONTEXT_TOKENS)


def _model_kind(value: object) -> str:
    """Tell a preset reference from an architecture by its `preset` member."""
    if isinstance(value, dict):
        return "preset" if "preset" in value else "architecture"
    return "preset" if isinstance(value, PresetModel) else "architecture"


ModelIn = Annotated[
    Annotated[PresetModel, Tag("preset")]
    | Annotated[ArchitectureModel, Tag("architecture")],
    Discriminator(_model_kind),
]


class TrainingSpecIn(StrictModel):
    """A pretraining or fine-tuning run."""

    tokens: Int = Field(ge=1, le=MAX_TOKENS, description="Tokens trained on.")
    sequence_length: Int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    micro_batch_size: Int = Field(default=1, ge=1, le=1_000_000)
    global_batch_tokens: Int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    global_batch_size: Int | None = Field(
        default=None, ge=1, le=100_000_000, description="Sequences per step."
    )
    optimizer: Optimizer | None = None
    zero_stage: Annotated[Literal[0, 1, 2, 3, "fsdp"], NotBoolean] | None = Field(
        default=None, description="ZeRO stage; `fsdp` (full shard) is stage 3."
    )
    recompute: Recompute | None = None
    method: FineTuningMethod | None = Field(
        default=None, description="Fine-tuning only: full, lora or qlora."
    )
    lora_rank: Int | None = Field(default=None, ge=1, le=65_536)
    lora_targets: LoraTargets | None = None


class InferenceSpecIn(StrictModel):
    """Serving: prompts and outputs per request, concurrency and targets."""

    prompt_tokens: Int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    output_tokens: Int = Field(ge=1, le=MAX_CONTEXT_TOKENS)
    batch_size: Int = Field(
        default=1, ge=1, le=1_000_000, description="Sequences decoded at once."
    )
    requests_per_second: Real | None = Field(default=None, ge=1e-6, le=10_000_000)
    total_requests: Int | None = Field(default=None, ge=1, le=10**15)
    ttft_target_seconds: Real | None = Field(default=None, ge=1e-6, le=86_400)
    tpot_target_seconds: Real | None = Field(default=None, ge=1e-6, le=3_600)
    weights_precision: StoragePrecision | None = None
    kv_cache_precision: StoragePrecision | None = None


class EfficiencyIn(StrictModel):
    """How much of the hardware's peak the job reaches."""

    mfu: Fraction | None = Field(
        default=None,
        description="Model FLOPs utilisation, 0.001 to 1; default per "
        "accelerator and precision (echoed in `assumptions`).",
    )
    memory_bandwidth_utilization: Fraction | None = Field(
        default=None, description="Share of memory bandwidth decode reaches."
    )


class AssumptionsIn(StrictModel):
    """Overrides for what published tools disagree on."""

    model_parallel_degree: Int | None = Field(default=None, ge=1, le=65_536)
    gradient_bytes_per_parameter: Annotated[Literal[1, 2, 4], NotBoolean] | None = None
    master_weights_fp32: StrictBool | None = None
    kv_cache_factor: Annotated[Literal[1, 2], NotBoolean] | None = Field(
        default=None, description="2 stores K and V; 1 for a shared-KV design."
    )
    memory_headroom_fraction: Real | None = Field(default=None, ge=0, lt=1)
    include_attention_flops: StrictBool | None = None


class WorkloadBase(StrictModel):
    """What every workload has: the model, the precision and the assumptions."""

    model: ModelIn
    precision: ComputePrecision = Field(default="bf16")
    efficiency: EfficiencyIn = Field(default_factory=EfficiencyIn)
    assumptions: AssumptionsIn = Field(default_factory=AssumptionsIn)

    def compute_precision(self) -> Precision:
        """The compute precision as the domain's enum."""
        return Precision(self.precision)


class PretrainingWorkload(WorkloadBase):
    """Training a model from scratch."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "pretraining",
                    "model": {"preset": "llama-2-7b"},
                    "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
                }
            ]
        }
    )

    kind: Literal["pretraining"]
    training: TrainingSpecIn


class FineTuningWorkload(WorkloadBase):
    """Training a pretrained model further (fully, or with LoRA/QLoRA)."""

    kind: Literal["fine_tuning"]
    training: TrainingSpecIn


class InferenceWorkload(WorkloadBase):
    """Serving a model."""

    kind: Literal["inference"]
    inference: InferenceSpecIn


WorkloadIn = Annotated[
    PretrainingWorkload | FineTuningWorkload | InferenceWorkload,
    Field(discriminator="kind", description="What must be computed."),
]
