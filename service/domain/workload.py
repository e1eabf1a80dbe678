"""What must be computed: the workload inputs, and the assumptions they may override.

Every assumption is an optional input; None means "use the documented default", and
the estimate echoes the value used with its source (`AssumptionLog`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from service.domain.catalog import Accelerator, Precision
from service.domain.errors import (
    InvalidWorkload,
    UnknownAccelerator,
    nearest_names,
    require_at_least,
    require_fraction,
    require_positive,
)
from service.domain.models import ModelArchitecture


class WorkloadKind(StrEnum):
    """What is done with the model."""

    PRETRAINING = "pretraining"
    FINE_TUNING = "fine_tuning"
    INFERENCE = "inference"


class Optimizer(StrEnum):
    """Optimizers whose state size is modelled."""

    ADAMW = "adamw"
    ADAM = "adam"
    SGD = "sgd"
    ADAFACTOR = "adafactor"
    ADAMW_8BIT = "adamw_8bit"


class Recompute(StrEnum):
    """Activation recomputation (Korthikanti et al. 2022, arXiv:2205.05198)."""

    NONE = "none"
    SELECTIVE = "selective"
    FULL = "full"


class FineTuningMethod(StrEnum):
    """Which weights a fine-tuning run trains."""

    FULL = "full"
    LORA = "lora"
    QLORA = "qlora"


class LoraTargets(StrEnum):
    """Which linear layers LoRA adapts."""

    ATTENTION_QV = "attention_qv"
    ATTENTION = "attention"
    ALL_LINEAR = "all_linear"


COMPUTE_PRECISIONS = frozenset(
    {Precision.FP32, Precision.TF32, Precision.BF16, Precision.FP16, Precision.FP8}
)

# Storage size of one element; tf32 is stored as fp32, int4 packs two per byte.
BYTES_PER_ELEMENT: dict[Precision, float] = {
    Precision.FP32: 4,
    Precision.TF32: 4,
    Precision.BF16: 2,
    Precision.FP16: 2,
    Precision.FP8: 1,
    Precision.INT8: 1,
    Precision.INT4: 0.5,
}


@dataclass(frozen=True, slots=True)
class TrainingSpec:
    """A pretraining or fine-tuning run; None fields take the documented default."""

    tokens: int
    sequence_length: int
    micro_batch_size: int = 1
    global_batch_tokens: int | None = None
    global_batch_size: int | None = None
    optimizer: Optimizer | None = None
    zero_stage: int | None = None
    recompute: Recompute | None = None
    method: FineTuningMethod | None = None
    lora_rank: int | None = None
    lora_targets: LoraTargets | None = None


@dataclass(frozen=True, slots=True)
class InferenceSpec:
    """Serving: each request has a prompt and an output; `batch_size` run at once."""

    prompt_tokens: int
    output_tokens: int
    batch_size: int = 1
    requests_per_second: float | None = None
    total_requests: int | None = None
    ttft_target_seconds: float | None = None
    tpot_target_seconds: float | None = None
    weights_precision: Precision | None = None
    kv_cache_precision: Precision | None = None


@dataclass(frozen=True, slots=True)
class AssumptionInputs:
    """Overrides for the assumptions published tools disagree on; None = default."""

    mfu: float | None = None
    memory_bandwidth_utilization: float | None = None
    model_parallel_degree: int | None = None
    gradient_bytes_per_parameter: float | None = None
    master_weights_fp32: bool | None = None
    kv_cache_factor: int | None = None
    memory_headroom_fraction: float | None = None
    include_attention_flops: bool | None = None


@dataclass(frozen=True, slots=True)
class Workload:
    """A job to estimate: the model, the compute precision and the kind's spec."""

    kind: WorkloadKind
    model: ModelArchitecture
    precision: Precision = Precision.BF16
    training: TrainingSpec | None = None
    inference: InferenceSpec | None = None
    assumptions: AssumptionInputs = field(default_factory=AssumptionInputs)


AssumptionValue = float | int | str | bool
T = TypeVar("T", bound=AssumptionValue)
GIVEN = "given in the request"


@dataclass(frozen=True, slots=True)
class Assumption(Generic[T]):
    """A value the estimate used and where it comes from."""

    value: T
    source: str


class AssumptionLog:
    """Collects, in order of first use, every assumption an estimate made."""

    def __init__(self) -> None:
        self.used: dict[str, Assumption[AssumptionValue]] = {}

    def use(self, name: str, given: T | None, default: Assumption[T]) -> T:
        """Return the given value, or the default; record which, with its source."""
        value = default.value if given is None else given
        self.note(name, value, default.source if given is None else GIVEN)
        return value

    def note(self, name: str, value: AssumptionValue, source: str) -> None:
        """Record a value used and its source."""
        entry: Assumption[AssumptionValue] = Assumption(value, source)
        self.used[name] = entry


class _Unrecorded(AssumptionLog):
    """A log that keeps nothing: for sizings tried and thrown away."""

    def note(self, name: str, value: AssumptionValue, source: str) -> None:
        """Record nothing."""


UNRECORDED: AssumptionLog = _Unrecorded()


# -- Defaults shared by training and inference -----------------------------------

# Substrings of an accelerator's id or name, with the MFU to assume at 16 bits.
_MFU_BY_FAMILY: tuple[tuple[tuple[str, ...], Assumption[float]], ...] = (
    (
        ("tpu-v4", "tpu v4"),
        Assumption(0.462, "PaLM 540B on TPU v4: 46.2% MFU (Chowdhery et al. 2022)"),
    ),
    (
        ("tpu",),
        Assumption(0.46, "judgement: PaLM's 46.2% on TPU v4 (Chowdhery et al. 2022)"),
    ),
    (
        ("h100", "h800", "h200", "gh200"),
        Assumption(
            0.40,
            "Llama 3 405B on 8K-16K H100s: 38-43% BF16 MFU (Llama 3 Herd of Models, "
            "Table 4); 0.40 is a judgement near the 41% of most pre-training tokens",
        ),
    ),
    (
        ("a100", "a800"),
        Assumption(
            0.40,
            "A100 runs: OPT-175B 147 TFLOP/s per GPU = 47% (Zhang et al. 2022); "
            "Llama 2 model-card GPU-hours imply 38-43% (6N, back-solved); 0.40 is a "
            "judgement because published GPU-hours include restarts",
        ),
    ),
)
_MFU_FP8 = Assumption(
    0.30,
    "judgement: under NVIDIA's FP8 benchmark of 763 TFLOP/s per H100 = 38.6% of "
    "1,979 (NeMo 24.07 performance summary, Llama 2 70B on 64 GPUs), because short "
    "benchmarks beat long production runs",
)
_MFU_OTHER = Assumption(0.40, "judgement: the H100/A100 default for other chips")
DEFAULT_HEADROOM: Assumption[float] = Assumption(
    0.10,
    "vLLM's gpu_memory_utilization default 0.9 leaves 10% for the CUDA context, "
    "allocator fragmentation and communication buffers",
)
DEFAULT_ATTENTION_FLOPS: Assumption[bool] = Assumption(
    False,
    "Kaplan et al. 2020 count C = 6N, leaving out the attention-score matmuls; set "
    "true to add them as PaLM's MFU does (Chowdhery et al. 2022, App. B)",
)


def default_mfu(accelerator: Accelerator, precision: Precision) -> Assumption[float]:
    """Return the documented model-FLOPs utilisation for a chip and precision."""
    if precision == Precision.FP8:
        return _MFU_FP8
    name = f"{accelerator.id} {accelerator.name}".lower()
    for keys, assumption in _MFU_BY_FAMILY:
        if any(key in name for key in keys):
            return assumption
    return _MFU_OTHER


# -- Results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlopsEstimate:
    """FLOPs the accelerators execute; `model_per_token` leaves out recomputation."""

    per_token: float
    total: float
    tokens: float
    model_per_token: float


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    """Bytes one model replica needs before any sharding (n = 1).

    Activations are for one micro-batch. A part that needs an unknown architecture
    field is None, with the reason in `missing`; `total_bytes` sums the known parts.
    """

    weights_bytes: int
    gradients_bytes: int
    optimizer_bytes: int
    activations_bytes: int | None
    kv_cache_bytes: int | None
    kv_cache_bytes_per_token: int | None
    total_bytes: int
    trainable_parameters: int
    missing: dict[str, str]


def find_accelerator(accelerators: Iterable[Accelerator], name: str) -> Accelerator:
    """Find an accelerator by id, name or alias, ignoring case."""
    wanted = name.strip().lower()
    known = list(accelerators)
    for accelerator in known:
        keys = {accelerator.id, accelerator.name, *accelerator.aliases}
        if wanted in {key.lower() for key in keys}:
            return accelerator
    names = [n for a in known for n in (a.id, *a.aliases)]
    raise UnknownAccelerator(name, nearest_names(wanted, names))


def validate_common(workload: Workload) -> None:
    """Check the precision, that the kind has its spec, and the assumption inputs."""
    if workload.precision not in COMPUTE_PRECISIONS:
        raise InvalidWorkload(
            "precision", "compute precision must be fp32, tf32, bf16, fp16 or fp8"
        )
    inference = workload.kind == WorkloadKind.INFERENCE
    wanted, unwanted = (
        ("inference", "training") if inference else ("training", "inference")
    )
    if getattr(workload, wanted) is None:
        raise InvalidWorkload(wanted, f"is required for kind {workload.kind}")
    if getattr(workload, unwanted) is not None:
        raise InvalidWorkload(unwanted, f"does not apply to kind {workload.kind}")
    given = workload.assumptions
    require_fraction("assumptions.mfu", given.mfu)
    require_fraction(
        "assumptions.memory_bandwidth_utilization", given.memory_bandwidth_utilization
    )
    headroom = given.memory_headroom_fraction
    if headroom is not None and not 0 <= headroom < 1:
        raise InvalidWorkload(
            "assumptions.memory_headroom_fraction", "must be at least 0 and below 1"
        )
    require_positive(
        "assumptions.gradient_bytes_per_parameter", given.gradient_bytes_per_parameter
    )
    require_at_least("assumptions.kv_cache_factor", given.kv_cache_factor, 1)
    degree, heads = given.model_parallel_degree, workload.model.attention_heads
    require_at_least("assumptions.model_parallel_degree", degree, 1)
    if degree and heads and heads % degree:
        raise InvalidWorkload(
            "assumptions.model_parallel_degree",
            f"must divide the {heads} attention heads: tensor parallelism splits "
            "heads across ranks (Shoeybi et al. 2019, Megatron-LM)",
        )
