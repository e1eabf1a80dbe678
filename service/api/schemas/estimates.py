"""Request and response bodies of POST /v1/estimates and GET /v1/models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas.common import StrictModel
from service.api.schemas.workload import WorkloadIn

GIB = 2**30


class EstimateRequest(StrictModel):
    """A workload, and optionally the accelerators to size it on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workload": {
                        "kind": "pretraining",
                        "model": {"preset": "llama-2-7b"},
                        "training": {
                            "tokens": 2_000_000_000_000,
                            "sequence_length": 4096,
                        },
                    },
                    "accelerators": ["h100-sxm", "a100-sxm4-80gb"],
                }
            ]
        }
    )

    workload: WorkloadIn
    accelerators: list[str] | None = Field(
        default=None,
        max_length=100,
        description="Accelerator ids or aliases; default: every one in the catalogue.",
    )


class AssumptionRead(BaseModel):
    """A value the answer used, and where it comes from."""

    value: float | int | str | bool
    source: str


class FlopsRead(BaseModel):
    """FLOPs the accelerators execute."""

    per_token: float = Field(description="Including recomputation.")
    total: float
    tokens: float = Field(description="Tokens processed.")
    model_per_token: float = Field(description="Model FLOPs per token (for MFU).")


class MemoryRead(BaseModel):
    """Bytes one model replica needs before sharding, with GiB beside each part."""

    weights_bytes: int
    weights_gib: float
    gradients_bytes: int
    gradients_gib: float
    optimizer_bytes: int
    optimizer_gib: float
    activations_bytes: int | None = Field(description="One micro-batch.")
    activations_gib: float | None
    kv_cache_bytes: int | None
    kv_cache_gib: float | None
    kv_cache_bytes_per_token: int | None
    total_bytes: int = Field(description="Sum of the known parts.")
    total_gib: float
    trainable_parameters: int
    missing: dict[str, str] = Field(
        description="Parts left out because the architecture is not given, and why."
    )


class InferenceRead(BaseModel):
    """What one replica sustains."""

    replica_accelerators: int
    ttft_seconds: float = Field(description="Time to first token, idle replica.")
    tpot_seconds: float = Field(description="Time per output token, full batch.")
    decode_bound: str = Field(description="`memory` or `compute`.")
    output_tokens_per_second: float
    requests_per_second: float
    replicas_for_target: int | None
    accelerators_for_target: int | None
    meets_ttft_target: bool | None
    meets_tpot_target: bool | None


class AcceleratorEstimateRead(BaseModel):
    """The workload on one accelerator model."""

    accelerator: str
    min_count: int | None = Field(description="Fewest that hold the job; null: never.")
    min_count_reason: str | None
    memory_per_accelerator_bytes: int | None
    memory_per_accelerator_gib: float | None
    usable_memory_gib: float = Field(description="Memory less the headroom.")
    model_parallel_degree: int | None = Field(
        description="Tensor-parallel degree the count assumes (raised from the "
        "default where the job does not fit otherwise)."
    )
    zero_stage: int | None = Field(description="ZeRO stage the count assumes.")
    peak_tflops: float | None = Field(description="Dense peak for the precision.")
    mfu: float
    accelerator_hours: float | None
    accelerator_hours_reason: str | None
    inference: InferenceRead | None = None
    inference_reason: str | None = None


class ArchitectureRead(BaseModel):
    """A decoder-only transformer's shape; null where it is not known."""

    parameters: int
    active_parameters: int | None
    layers: int | None
    hidden_size: int | None
    attention_heads: int | None
    kv_heads: int | None
    head_dim: int | None
    ffn_hidden_size: int | None
    vocab_size: int | None
    tied_embeddings: bool | None
    gated_mlp: bool | None
    experts: int | None
    experts_per_token: int | None
    kv_lora_rank: int | None
    qk_rope_head_dim: int | None
    sliding_window_tokens: int | None
    max_context_tokens: int | None


class ModelRead(ArchitectureRead):
    """The architecture the estimate used, and its preset if it named one."""

    preset: str | None
    name: str | None
    source: str | None = None


class EstimateRead(BaseModel):
    """What a workload needs, independent of price."""

    kind: str
    precision: str
    model: ModelRead
    flops: FlopsRead
    memory: MemoryRead
    model_parallel_degree: int | None
    zero_stage: int | None
    accelerators: list[AcceleratorEstimateRead]
    assumptions: dict[str, AssumptionRead] = Field(
        description="Every default used, with its value and source."
    )


class PresetRead(ArchitectureRead):
    """A published model the workload model knows."""

    id: str
    name: str
    source: str
    notes: str
