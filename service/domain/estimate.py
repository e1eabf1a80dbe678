"""Training and fine-tuning: FLOPs, and memory before sharding."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.domain.catalog import Precision
from service.domain.errors import InvalidWorkload, require_at_least
from service.domain.models import ModelArchitecture
from service.domain.workload import (
    BYTES_PER_ELEMENT,
    DEFAULT_ATTENTION_FLOPS,
    Assumption,
    AssumptionLog,
    FineTuningMethod,
    FlopsEstimate,
    LoraTargets,
    MemoryEstimate,
    Optimizer,
    Recompute,
    TrainingSpec,
    Workload,
    WorkloadKind,
)

# 2 forward + 4 backward FLOPs per parameter per token (Kaplan et al. 2020, section
# 2.1; EleutherAI "Transformer Math 101", 2023).
TRAINING_FLOPS_PER_PARAMETER = 6
FORWARD_FLOPS_PER_PARAMETER = 2
# The 4N backward is 2N for activation gradients plus 2N for weight gradients; frozen
# weights skip the latter (Hobbhahn & Sevilla 2021, Epoch AI, "What's the
# backward-forward FLOP ratio for neural networks?"). LoRA: 2N + 2N + 6 x adapters.
ACTIVATION_GRADIENT_FLOPS_PER_PARAMETER = 2
# Full recomputation runs the forward pass once more: 8N in all (Narayanan et al.
# 2021, whose 96 B s l h^2 FLOPs per iteration count it; Korthikanti et al. 2022).
RECOMPUTE_FLOPS_PER_PARAMETER = 2
# Attention scores and scores-times-V: 12 x layers x heads x head_dim x seq per token
# for forward and backward (PaLM, Chowdhery et al. 2022, App. B); 4 more to recompute.
ATTENTION_TRAINING_FLOPS_FACTOR = 12
ATTENTION_FORWARD_FLOPS_FACTOR = 4

# Optimizer state besides the master weights, bytes per trained parameter.
OPTIMIZER_STATE_BYTES: dict[Optimizer, float] = {
    Optimizer.ADAMW: 8,  # two fp32 moments (ZeRO, Rajbhandari et al. 2020: K = 12)
    Optimizer.ADAM: 8,
    Optimizer.SGD: 4,  # one fp32 momentum buffer
    # Factored second moment, rows + columns per matrix, no first moment (Shazeer &
    # Stern 2018): under 0.1% of the weights for h >= 1000, counted as 0.
    Optimizer.ADAFACTOR: 0,
    Optimizer.ADAMW_8BIT: 2,  # two 8-bit moments (Dettmers et al. 2022, block-wise)
}
MASTER_WEIGHT_BYTES = 4
# 4-bit NormalFloat plus double-quantised constants, 0.127 bits per parameter
# (QLoRA, Dettmers et al. 2023, section 3).
QLORA_BYTES_PER_PARAMETER = (4 + 0.127) / 8

# Korthikanti et al. 2022 (arXiv:2205.05198) section 4.1, Table 1 and eq. 1: bytes per
# layer in 16 bits, s*b*h*(34 + 5*a*s/h): 11 attention + 19 MLP (4h wide) + 4 norms,
# and 5as/h for the s x s scores. Selective recomputation drops the scores term and
# full recomputation keeps only each layer's input, 2*s*b*h (section 5).
ATTENTION_ACTIVATION_COEFF = 11
MLP_ACTIVATION_COEFF = 19
NORM_ACTIVATION_COEFF = 4
SCORES_ACTIVATION_COEFF = 5
FULL_RECOMPUTE_ACTIVATION_COEFF = 2
# The 19 generalised to an MLP of width f: its input (2), a dropout mask (1) and
# 2 bytes per f-wide tensor kept for the backward pass, 2 of them in a plain MLP
# (GeLU input, second matmul input) and 3 in a gated one: 3 + 4f/h, or 3 + 6f/h.
MLP_INPUT_COEFF = 2
DROPOUT_MASK_COEFF = 1


DEFAULT_RECOMPUTE: Assumption[Recompute] = Assumption(
    Recompute.SELECTIVE,
    "Korthikanti et al. 2022: selective recomputation, Megatron-LM's default and the "
    "memory of FlashAttention, which never stores the s x s scores; its 2.7% extra "
    "FLOPs on GPT-3 175B (same paper) are left out",
)
DEFAULT_ZERO_STAGE: Assumption[int] = Assumption(
    1,
    "judgement: optimizer state sharded over data-parallel ranks (ZeRO-1), as in "
    "Megatron-LM's distributed optimizer and DeepSeek-V3 (report section 3.2)",
)
DEFAULT_OPTIMIZER: Assumption[Optimizer] = Assumption(
    Optimizer.ADAMW, "AdamW, as in Llama 2 and 3"
)
DEFAULT_MODEL_PARALLEL: Assumption[int] = Assumption(
    1, "no tensor parallelism unless asked: data parallelism with ZeRO only"
)
DEFAULT_METHOD: Assumption[FineTuningMethod] = Assumption(
    FineTuningMethod.FULL, "full fine-tuning"
)
DEFAULT_LORA_RANK: Assumption[int] = Assumption(
    8, "Hugging Face PEFT LoraConfig default r = 8"
)
DEFAULT_LORA_TARGETS: Assumption[LoraTargets] = Assumption(
    LoraTargets.ALL_LINEAR,
    "QLoRA (Dettmers et al. 2023, section 4): adapting all linear layers is needed to "
    "match full fine-tuning; LoRA (Hu et al. 2021) adapted q and v only",
)


def _precision_defaults(
    precision: Precision,
) -> tuple[Assumption[float], Assumption[float], Assumption[bool]]:
    """Return the weight bytes, gradient bytes and master-copy defaults."""
    if BYTES_PER_ELEMENT[precision] >= 4:
        return (
            Assumption(4.0, "fp32 weights"),
            Assumption(4.0, "fp32 gradients in fp32 training"),
            Assumption(False, "the weights are already fp32"),
        )
    weights = (
        Assumption(2.0, "bf16 weights cast per GEMM (DeepSeek-V3 report section 3.3)")
        if precision == Precision.FP8
        else Assumption(2.0, f"{precision.value} weights")
    )
    return (
        weights,
        Assumption(
            2.0,
            "ZeRO (Rajbhandari et al. 2020, section 3.1): 16-bit gradients; 4 when "
            "accumulated in fp32 (Megatron-LM --accumulate-allreduce-grads-in-fp32)",
        ),
        Assumption(True, "mixed precision keeps fp32 master weights (ZeRO, 2020)"),
    )


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """Every training input after defaults were applied."""

    spec: TrainingSpec
    optimizer: Optimizer
    zero_stage: int
    recompute: Recompute
    method: FineTuningMethod
    model_parallel_degree: int
    weights_bytes_per_parameter: float
    gradient_bytes_per_parameter: float
    master_weights_fp32: bool
    lora_rank: int
    lora_targets: LoraTargets
    include_attention_flops: bool


def training_settings(workload: Workload, log: AssumptionLog) -> TrainingSettings:
    """Apply the documented defaults to a training workload, logging each."""
    spec, given = workload.training, workload.assumptions
    assert spec is not None, "validate_workload requires it for training"
    weights, gradients, master = _precision_defaults(workload.precision)
    # Pretraining trains every weight; only fine-tuning has a method to choose.
    method = (
        log.use("method", spec.method, DEFAULT_METHOD)
        if workload.kind == WorkloadKind.FINE_TUNING
        else FineTuningMethod.FULL
    )
    tuned = method != FineTuningMethod.FULL
    return TrainingSettings(
        spec=spec,
        optimizer=log.use("optimizer", spec.optimizer, DEFAULT_OPTIMIZER),
        zero_stage=log.use("zero_stage", spec.zero_stage, DEFAULT_ZERO_STAGE),
        recompute=log.use("recompute", spec.recompute, DEFAULT_RECOMPUTE),
        method=method,
        model_parallel_degree=log.use(
            "model_parallel_degree", given.model_parallel_degree, DEFAULT_MODEL_PARALLEL
        ),
        weights_bytes_per_parameter=log.use(
            "weights_bytes_per_parameter", None, weights
        ),
        gradient_bytes_per_parameter=log.use(
            "gradient_bytes_per_parameter",
            given.gradient_bytes_per_parameter,
            gradients,
        ),
        master_weights_fp32=log.use(
            "master_weights_fp32", given.master_weights_fp32, master
        ),
        lora_rank=log.use("lora_rank", spec.lora_rank, DEFAULT_LORA_RANK)
        if tuned
        else 0,
        lora_targets=log.use("lora_targets", spec.lora_targets, DEFAULT_LORA_TARGETS)
        if tuned
        else LoraTargets.ALL_LINEAR,
        include_attention_flops=log.use(
            "include_attention_flops",
            given.include_attention_flops,
            DEFAULT_ATTENTION_FLOPS,
        ),
    )


LORA_FIELDS = (
    "layers, hidden_size and attention_heads (all_linear: ffn_hidden_size, gated_mlp)"
)


def lora_parameters(
    model: ModelArchitecture, rank: int, targets: LoraTargets, active_only: bool = False
) -> int | None:
    """Return LoRA adapter parameters, r x (d_in + d_out) per adapted matrix.

    Attention: q (h -> heads x head_dim), k and v (h -> kv_heads x head_dim), o.
    All linear adds the MLP's 3 matrices (2 when not gated) of every expert, or of the
    experts a token uses when `active_only`. None when the architecture is unknown.
    """
    h, layers, heads = model.hidden_size, model.layers, model.attention_heads
    head_dim, kv_heads = model.resolved_head_dim, model.resolved_kv_heads
    if not (h and layers and heads and head_dim and kv_heads):
        return None
    q_out, kv_out = heads * head_dim, kv_heads * head_dim
    q, kv, o = rank * (h + q_out), rank * (h + kv_out), rank * (q_out + h)
    per_layer = q + kv if targets == LoraTargets.ATTENTION_QV else q + 2 * kv + o
    if targets == LoraTargets.ALL_LINEAR:
        if model.ffn_hidden_size is None or model.gated_mlp is None:
            return None
        matrices = 3 if model.gated_mlp else 2
        experts = 1
        if model.is_moe and model.experts and model.experts_per_token:
            experts = model.experts_per_token if active_only else model.experts
        per_layer += experts * matrices * rank * (h + model.ffn_hidden_size)
    return layers * per_layer


def activation_bytes(
    model: ModelArchitecture, settings: TrainingSettings, bytes_per_value: float
) -> int | None:
    """Return activation bytes of one micro-batch over all layers, or None if unknown.

    With mixture of experts each of the experts_per_token MLPs keeps its own input
    and f-wide tensors (a judgement extending the paper's dense count).
    """
    h, layers, heads = model.hidden_size, model.layers, model.attention_heads
    if not (h and layers and heads):
        return None
    s, b = settings.spec.sequence_length, settings.spec.micro_batch_size
    routed = model.experts_per_token if model.is_moe and model.experts_per_token else 1
    f, gated = model.ffn_hidden_size, model.gated_mlp
    if f is None or gated is None:
        mlp = float(routed * MLP_ACTIVATION_COEFF)
    else:
        wide = (6 if gated else 4) * f / h
        mlp = routed * (MLP_INPUT_COEFF + wide) + DROPOUT_MASK_COEFF
    linear = ATTENTION_ACTIVATION_COEFF + mlp + NORM_ACTIVATION_COEFF
    if settings.recompute == Recompute.NONE:
        per_layer = s * b * h * (linear + SCORES_ACTIVATION_COEFF * heads * s / h)
    elif settings.recompute == Recompute.SELECTIVE:
        per_layer = s * b * h * linear
    else:
        per_layer = float(FULL_RECOMPUTE_ACTIVATION_COEFF * s * b * h)
    # The paper counts 16-bit values (2 bytes); fp32 training stores twice as much.
    return math.ceil(layers * per_layer * max(bytes_per_value, 2) / 2)


def training_memory(workload: Workload, log: AssumptionLog) -> MemoryEstimate:
    """Return weights, gradients, optimizer state and activations before sharding."""
    settings, model = training_settings(workload, log), workload.model
    missing: dict[str, str] = {}
    state_bytes = OPTIMIZER_STATE_BYTES[settings.optimizer] + (
        MASTER_WEIGHT_BYTES if settings.master_weights_fp32 else 0
    )
    weight_bytes = settings.weights_bytes_per_parameter
    if settings.method == FineTuningMethod.FULL:
        trainable, frozen_bytes = model.parameters, 0.0
    else:
        adapters = lora_parameters(model, settings.lora_rank, settings.lora_targets)
        if adapters is None:
            missing["adapters"] = f"LoRA adapters need the model's {LORA_FIELDS}"
        trainable = adapters or 0
        base = (
            QLORA_BYTES_PER_PARAMETER
            if settings.method == FineTuningMethod.QLORA
            else weight_bytes
        )
        frozen_bytes = model.parameters * base
    weights = math.ceil(frozen_bytes + trainable * weight_bytes)
    gradients = math.ceil(trainable * settings.gradient_bytes_per_parameter)
    optimizer = math.ceil(trainable * state_bytes)
    activations = activation_bytes(
        model, settings, BYTES_PER_ELEMENT[workload.precision]
    )
    if activations is None:
        missing["activations_bytes"] = (
            "needs the model's layers, hidden_size and attention_heads"
        )
    return MemoryEstimate(
        weights_bytes=weights,
        gradients_bytes=gradients,
        optimizer_bytes=optimizer,
        activations_bytes=activations,
        kv_cache_bytes=0,
        kv_cache_bytes_per_token=None,
        total_bytes=weights + gradients + optimizer + (activations or 0),
        trainable_parameters=trainable,
        missing=missing,
    )


def training_flops(workload: Workload, log: AssumptionLog) -> FlopsEstimate:
    """Return 6N per token (8N with full recomputation); LoRA 4N plus 6 x adapters."""
    settings, model = training_settings(workload, log), workload.model
    n = model.flops_parameters
    if settings.method == FineTuningMethod.FULL:
        per_token = float(TRAINING_FLOPS_PER_PARAMETER * n)
    else:
        active = lora_parameters(
            model, settings.lora_rank, settings.lora_targets, active_only=True
        )
        frozen = FORWARD_FLOPS_PER_PARAMETER + ACTIVATION_GRADIENT_FLOPS_PER_PARAMETER
        per_token = float(frozen * n + TRAINING_FLOPS_PER_PARAMETER * (active or 0))
    extra = (
        RECOMPUTE_FLOPS_PER_PARAMETER * n
        if settings.recompute == Recompute.FULL
        else 0.0
    )
    if settings.include_attention_flops:
        heads, head_dim = model.attention_heads, model.resolved_head_dim
        if model.layers and heads and head_dim:
            scores = model.layers * heads * head_dim * settings.spec.sequence_length
            per_token += ATTENTION_TRAINING_FLOPS_FACTOR * scores
            if settings.recompute == Recompute.FULL:
                extra += ATTENTION_FORWARD_FLOPS_FACTOR * scores
        else:
            log.note(
                "include_attention_flops",
                False,
                "asked for, but needs the model's layers and attention_heads",
            )
    tokens = float(settings.spec.tokens)
    executed = per_token + extra
    return FlopsEstimate(executed, executed * tokens, tokens, per_token)


def validate_training_spec(spec: TrainingSpec, kind: WorkloadKind) -> None:
    """Raise InvalidWorkload for a training spec no run can have."""
    for name in ("tokens", "sequence_length", "micro_batch_size", "lora_rank"):
        require_at_least(f"training.{name}", getattr(spec, name), 1)
    require_at_least("training.global_batch_tokens", spec.global_batch_tokens, 1)
    require_at_least("training.global_batch_size", spec.global_batch_size, 1)
    if spec.zero_stage is not None and spec.zero_stage not in (0, 1, 2, 3):
        raise InvalidWorkload("training.zero_stage", "must be 0, 1, 2 or 3")
    tuned = spec.method not in (None, FineTuningMethod.FULL)
    if tuned and kind != WorkloadKind.FINE_TUNING:
        raise InvalidWorkload("training.method", "lora and qlora are fine-tuning")
    if (spec.lora_rank or spec.lora_targets) and not tuned:
        raise InvalidWorkload("training.lora_rank", "needs method lora or qlora")
    size, batch_tokens = spec.global_batch_size, spec.global_batch_tokens
    if size and batch_tokens and size * spec.sequence_length != batch_tokens:
        raise InvalidWorkload(
            "training.global_batch_tokens",
            "must equal global_batch_size x sequence_length when both are given",
        )
