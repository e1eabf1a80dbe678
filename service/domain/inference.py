"""Inference: weights and KV-cache memory, FLOPs, and what one replica sustains.

Prefill is bound by compute; decode by memory bandwidth, since each decode step reads
the weights and the KV cache once, shared by the batch (roofline: the step takes the
longer of its memory time and its compute time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.domain.catalog import Accelerator, Precision
from service.domain.errors import InvalidWorkload, require_at_least, require_positive
from service.domain.models import (
    ModelArchitecture,
    kv_cache_bytes_per_token,
    kv_cache_missing_reason,
)
from service.domain.workload import (
    BYTES_PER_ELEMENT,
    DEFAULT_ATTENTION_FLOPS,
    Assumption,
    AssumptionLog,
    FlopsEstimate,
    InferenceSpec,
    MemoryEstimate,
    Workload,
)

# Forward pass: one multiply and one add per parameter per token (Kaplan et al. 2020).
FORWARD_FLOPS_PER_PARAMETER = 2
# QK^T and attention-times-V, 2 FLOPs per multiply-add each, per context token.
ATTENTION_FORWARD_FLOPS_FACTOR = 4

DEFAULT_MBU: Assumption[float] = Assumption(
    0.60,
    "judgement: memory-bandwidth utilisation (MBU as defined by Databricks/MosaicML, "
    "'LLM Inference Performance Engineering: Best Practices', 2023, whose worked "
    "example runs at 50%); tuned servers such as vLLM and TensorRT-LLM reach more",
)
DEFAULT_KV_FACTOR: Assumption[int] = Assumption(
    2, "one K and one V vector per token, layer and KV head"
)
SAME_AS_COMPUTE = "the compute precision"
HF_KV_HEADS_DEFAULT = (
    "attention_heads: Hugging Face configs default num_key_value_heads to "
    "num_attention_heads (multi-head attention)"
)


@dataclass(frozen=True, slots=True)
class _Settings:
    spec: InferenceSpec
    weights_bytes_per_parameter: float
    kv_bytes_per_element: float
    kv_factor: int
    include_attention_flops: bool


def _settings(workload: Workload, log: AssumptionLog) -> _Settings:
    spec = workload.inference
    assert spec is not None, "validate_workload requires it for inference"
    given = workload.assumptions
    compute: Assumption[Precision] = Assumption(workload.precision, SAME_AS_COMPUTE)
    weights = log.use("weights_precision", spec.weights_precision, compute)
    kv = log.use("kv_cache_precision", spec.kv_cache_precision, compute)
    factor = log.use("kv_cache_factor", given.kv_cache_factor, DEFAULT_KV_FACTOR)
    model = workload.model
    if model.kv_heads is None and model.attention_heads and not model.uses_mla:
        log.note("kv_heads", model.attention_heads, HF_KV_HEADS_DEFAULT)
    if model.head_dim is None and model.resolved_head_dim:
        log.note("head_dim", model.resolved_head_dim, "hidden_size / attention_heads")
    attention = log.use(
        "include_attention_flops",
        given.include_attention_flops,
        DEFAULT_ATTENTION_FLOPS,
    )
    return _Settings(
        spec,
        BYTES_PER_ELEMENT[weights],
        BYTES_PER_ELEMENT[kv],
        factor,
        attention,
    )


def _cached_tokens(model: ModelArchitecture, tokens: float) -> float:
    """Tokens whose K and V are kept: all, or the sliding window (Mistral 7B)."""
    window = model.sliding_window_tokens
    return min(tokens, window) if window else tokens


def inference_memory(workload: Workload, log: AssumptionLog) -> MemoryEstimate:
    """Return weights plus the KV cache of the whole batch at full context.

    Transient activations of a forward pass are small next to these and are left
    to the memory headroom.
    """
    settings, model = _settings(workload, log), workload.model
    spec = settings.spec
    weights = math.ceil(model.parameters * settings.weights_bytes_per_parameter)
    per_token = kv_cache_bytes_per_token(
        model, settings.kv_bytes_per_element, settings.kv_factor
    )
    missing: dict[str, str] = {}
    kv_total: int | None = None
    if per_token is None:
        missing["kv_cache_bytes"] = kv_cache_missing_reason(model)
    else:
        context = _cached_tokens(model, spec.prompt_tokens + spec.output_tokens)
        kv_total = math.ceil(per_token * spec.batch_size * context)
    return MemoryEstimate(
        weights_bytes=weights,
        gradients_bytes=0,
        optimizer_bytes=0,
        activations_bytes=0,
        kv_cache_bytes=kv_total,
        kv_cache_bytes_per_token=per_token,
        total_bytes=weights + (kv_total or 0),
        trainable_parameters=0,
        missing=missing,
    )


def _attention_flops_per_context_token(
    model: ModelArchitecture, settings: _Settings
) -> float:
    """Return forward attention FLOPs per (query, context) token pair, or 0."""
    heads, head_dim = model.attention_heads, model.resolved_head_dim
    if not settings.include_attention_flops or not model.layers or not heads:
        return 0.0
    return float(
        ATTENTION_FORWARD_FLOPS_FACTOR * model.layers * heads * (head_dim or 0)
    )


def _request_flops(workload: Workload, settings: _Settings) -> tuple[float, float]:
    """Return (prefill, decode) FLOPs of one request; causal attention."""
    model, spec = workload.model, settings.spec
    dense = FORWARD_FLOPS_PER_PARAMETER * model.flops_parameters
    attention = _attention_flops_per_context_token(model, settings)
    p, o = spec.prompt_tokens, spec.output_tokens
    prefill = dense * p + attention * p * (p + 1) / 2
    decode = dense * o + attention * (o * p + o * (o + 1) / 2)
    return prefill, decode


def inference_flops(workload: Workload, log: AssumptionLog) -> FlopsEstimate:
    """Return 2N FLOPs per prompt and output token, over total_requests or a batch."""
    settings = _settings(workload, log)
    spec = settings.spec
    prefill, decode = _request_flops(workload, settings)
    requests = spec.total_requests or spec.batch_size
    tokens = float(requests * (spec.prompt_tokens + spec.output_tokens))
    total = (prefill + decode) * requests
    return FlopsEstimate(total / tokens, total, tokens, total / tokens)


def weights_read_bytes(
    model: ModelArchitecture, bytes_per_parameter: float, tokens_in_step: int
) -> float:
    """Return weight bytes one forward step reads for a number of tokens.

    Dense: all weights. MoE: the shared weights plus the experts any token picks,
    with uniform routing, 1 - (1 - k/E)^tokens of them (a judgement: real routers
    are not uniform). Shared and expert weights are split from the total and active
    counts: active = shared + experts x k/E and total = shared + experts.
    """
    total = float(model.parameters)
    if model.is_moe and model.experts and model.experts_per_token:
        share = model.experts_per_token / model.experts
        expert_weights = (total - model.active_parameters_per_token) / (1 - share)
        touched = 1 - (1 - share) ** tokens_in_step
        total = total - expert_weights + expert_weights * touched
    return total * bytes_per_parameter


@dataclass(frozen=True, slots=True)
class InferencePerformance:
    """What one replica of `replica_accelerators` sustains at the given batch size.

    ttft: one prompt's prefill on an idle replica. tpot: one decode step of the full
    batch at the mean context, prompt + (output + 1) / 2. Throughput: a batch's
    prefills run one after another, then its output_tokens decode steps.
    """

    replica_accelerators: int
    ttft_seconds: float
    tpot_seconds: float
    decode_bound: str
    output_tokens_per_second: float
    requests_per_second: float
    replicas_for_target: int | None
    accelerators_for_target: int | None
    meets_ttft_target: bool | None
    meets_tpot_target: bool | None


def inference_performance(
    workload: Workload,
    accelerator: Accelerator,
    replica_accelerators: int,
    mfu: float,
    log: AssumptionLog,
) -> tuple[InferencePerformance | None, str | None]:
    """Return one replica's latency and throughput, or None and the reason."""
    settings, model = _settings(workload, log), workload.model
    spec = settings.spec
    peak = accelerator.peak_tflops(workload.precision)
    if peak is None:
        return None, f"{accelerator.name} has no {workload.precision} peak"
    if accelerator.memory_bandwidth_gbps is None:
        return None, f"{accelerator.name} has no memory bandwidth figure"
    mbu = log.use(
        "memory_bandwidth_utilization",
        workload.assumptions.memory_bandwidth_utilization,
        DEFAULT_MBU,
    )
    flops_per_second = replica_accelerators * peak * 1e12 * mfu
    bytes_per_second = (
        replica_accelerators * accelerator.memory_bandwidth_gbps * 1e9 * mbu
    )
    w_bytes = settings.weights_bytes_per_parameter

    prefill_flops, _ = _request_flops(workload, settings)
    prefill_read = weights_read_bytes(model, w_bytes, spec.prompt_tokens)
    ttft = max(prefill_flops / flops_per_second, prefill_read / bytes_per_second)

    batch = spec.batch_size
    context = spec.prompt_tokens + (spec.output_tokens + 1) / 2
    per_token = kv_cache_bytes_per_token(
        model, settings.kv_bytes_per_element, settings.kv_factor
    )
    kv_read = batch * (per_token or 0) * _cached_tokens(model, context)
    step_bytes = weights_read_bytes(model, w_bytes, batch) + kv_read
    dense = FORWARD_FLOPS_PER_PARAMETER * model.flops_parameters
    step_flops = batch * (
        dense + _attention_flops_per_context_token(model, settings) * context
    )
    memory_time = step_bytes / bytes_per_second
    compute_time = step_flops / flops_per_second
    tpot = max(memory_time, compute_time)

    seconds_per_batch = batch * ttft + spec.output_tokens * tpot
    rps = batch / seconds_per_batch
    target = spec.requests_per_second
    replicas = math.ceil(target / rps) if target and rps > 0 else None
    return (
        InferencePerformance(
            replica_accelerators=replica_accelerators,
            ttft_seconds=ttft,
            tpot_seconds=tpot,
            decode_bound="memory bandwidth"
            if memory_time >= compute_time
            else "compute",
            output_tokens_per_second=rps * spec.output_tokens,
            requests_per_second=rps,
            replicas_for_target=replicas,
            accelerators_for_target=replicas * replica_accelerators
            if replicas
            else None,
            meets_ttft_target=None
            if spec.ttft_target_seconds is None
            else ttft <= spec.ttft_target_seconds,
            meets_tpot_target=None
            if spec.tpot_target_seconds is None
            else tpot <= spec.tpot_target_seconds,
        ),
        None,
    )


def validate_inference_spec(spec: InferenceSpec, model: ModelArchitecture) -> None:
    """Raise InvalidWorkload for an inference spec no server can have."""
    for name in ("prompt_tokens", "output_tokens", "batch_size", "total_requests"):
        require_at_least(f"inference.{name}", getattr(spec, name), 1)
    for name in ("requests_per_second", "ttft_target_seconds", "tpot_target_seconds"):
        require_positive(f"inference.{name}", getattr(spec, name))
    context = spec.prompt_tokens + spec.output_tokens
    if model.max_context_tokens and context > model.max_context_tokens:
        raise InvalidWorkload(
            "inference.output_tokens",
            f"prompt + output = {context} tokens exceeds the model's context of "
            f"{model.max_context_tokens}",
        )
