"""Sizing a workload on accelerators: the planner's entry points.

Memory per accelerator for n accelerators, the fewest that hold the job (sharded as
sharding.py describes), accelerator-hours, and the whole estimate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.domain.catalog import Accelerator, Precision
from service.domain.estimate import training_flops, validate_training_spec
from service.domain.inference import (
    InferencePerformance,
    inference_flops,
    inference_performance,
    validate_inference_spec,
)
from service.domain.sharding import (
    TENSOR_DEGREES,
    AcceleratorCount,
    Needs,
    Shardings,
    job_needs,
    min_count,
    per_accelerator_bytes,
)
from service.domain.workload import (
    UNRECORDED,
    Assumption,
    AssumptionLog,
    AssumptionValue,
    FlopsEstimate,
    MemoryEstimate,
    Workload,
    WorkloadKind,
    default_mfu,
    validate_common,
)

SECONDS_PER_HOUR = 3600
RAISED = (
    "raised from the default because the job does not fit otherwise: tensor "
    "parallelism within an 8-accelerator server first (Narayanan et al. 2021, "
    "section 3.3), then ZeRO-3 (Rajbhandari et al. 2020); set "
    "assumptions.model_parallel_degree or training.zero_stage to choose"
)


@dataclass(frozen=True, slots=True)
class AcceleratorFit:
    """A workload on one accelerator model: how many, how long, how fast."""

    accelerator_id: str
    min_count: AcceleratorCount
    peak_tflops: float | None
    mfu: float
    accelerator_hours: float | None
    accelerator_hours_reason: str | None
    inference: InferencePerformance | None = None
    inference_reason: str | None = None
    # What the count assumes: the tensor-parallel degree and ZeRO stage, raised
    # from the defaults on this accelerator when the job would not fit otherwise,
    # and the workload with them set (the planner sizes with it).
    model_parallel_degree: int | None = None
    zero_stage: int | None = None
    workload: Workload | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a workload needs, independent of price, with every assumption used."""

    kind: WorkloadKind
    precision: Precision
    flops: FlopsEstimate
    memory: MemoryEstimate
    model_parallel_degree: int | None
    zero_stage: int | None
    accelerators: tuple[AcceleratorFit, ...]
    assumptions: dict[str, Assumption[AssumptionValue]]


def memory_per_accelerator_bytes(workload: Workload, accelerator_count: int) -> int:
    """Return the bytes each of n accelerators holds, sharded as the workload asks."""
    validate_workload(workload)
    return per_accelerator_bytes(job_needs(workload, UNRECORDED), accelerator_count)


def min_accelerator_count(
    workload: Workload, accelerator: Accelerator
) -> AcceleratorCount:
    """Return the fewest accelerators of one model that hold the job, or why none do."""
    validate_workload(workload)
    log = AssumptionLog()
    return min_count(workload, accelerator, job_needs(workload, log), log)


def accelerator_hours(flops: float, peak_tflops: float, mfu: float) -> float:
    """Return accelerator-hours: FLOPs / (dense peak x MFU) / 3600."""
    return flops / (peak_tflops * 1e12 * mfu) / SECONDS_PER_HOUR


def mfu_for(workload: Workload, accelerator: Accelerator, log: AssumptionLog) -> float:
    """Return the MFU used on an accelerator: the one given, or its default."""
    default = default_mfu(accelerator, workload.precision)
    return log.use(f"mfu.{accelerator.id}", workload.assumptions.mfu, default)


def estimate_flops(workload: Workload) -> FlopsEstimate:
    """Return the FLOPs of a workload."""
    validate_workload(workload)
    if workload.kind == WorkloadKind.INFERENCE:
        return inference_flops(workload, AssumptionLog())
    return training_flops(workload, AssumptionLog())


def estimate_workload(
    workload: Workload,
    accelerators: Iterable[Accelerator],
    shardings: Shardings | None = None,
) -> Estimate:
    """Estimate FLOPs, memory, and per accelerator model the count, hours and speed.

    `shardings` of this workload may be passed to be reused after (see Shardings).
    """
    validate_workload(workload)
    log = AssumptionLog()
    inference = workload.kind == WorkloadKind.INFERENCE
    flops = (inference_flops if inference else training_flops)(workload, log)
    needs = job_needs(workload, log)
    shardings = shardings or Shardings(workload)
    fits = tuple(
        fit_accelerator(workload, a, flops, log, shardings=shardings)
        for a in accelerators
    )
    return Estimate(
        kind=workload.kind,
        precision=workload.precision,
        flops=flops,
        memory=needs.memory,
        model_parallel_degree=needs.model_parallel_degree,
        zero_stage=None if inference else needs.zero_stage,
        accelerators=fits,
        assumptions=dict(log.used),
    )


def fit_accelerator(
    workload: Workload,
    accelerator: Accelerator,
    flops: FlopsEstimate,
    log: AssumptionLog,
    *,
    max_tensor: int = TENSOR_DEGREES[-1],
    shardings: Shardings | None = None,
) -> AcceleratorFit:
    """Size a workload on one accelerator model, raising the parallelism if needed.

    The first of the shardings (see Shardings) that fits is used and, when it is
    not the workload as given, noted in the assumptions. `shardings` passes those
    built once for many accelerators.
    """
    shardings = shardings or Shardings(workload)
    ladder = shardings.ladder(max_tensor)
    chosen = next((s for s in ladder if shardings.fits(s, accelerator)), ladder[0])
    if chosen.workload is not workload:
        log.note(f"parallelism.{accelerator.id}", _describe(chosen.workload), RAISED)
    return _fit(chosen.workload, accelerator, flops, chosen.needs, log)


def _describe(workload: Workload) -> str:
    spec = workload.training
    stage = spec.zero_stage if spec and spec.zero_stage is not None else "default"
    degree = workload.assumptions.model_parallel_degree or 1
    return f"tensor parallel {degree}, ZeRO stage {stage}"


def _fit(
    workload: Workload,
    accelerator: Accelerator,
    flops: FlopsEstimate,
    needs: Needs,
    log: AssumptionLog,
) -> AcceleratorFit:
    """Size a workload on an accelerator with one sharding: count, hours and speed."""
    count = min_count(workload, accelerator, needs, log)
    mfu = mfu_for(workload, accelerator, log)
    peak = accelerator.peak_tflops(workload.precision)
    degree = needs.model_parallel_degree
    stage = None if degree is None else needs.zero_stage

    # Built whole, not with dataclasses.replace: an estimate makes one per
    # accelerator and a quote more, and replace() costs several constructors.
    def fit(
        hours: float | None,
        hours_why: str | None,
        perf: InferencePerformance | None = None,
        perf_why: str | None = None,
    ) -> AcceleratorFit:
        return AcceleratorFit(
            accelerator.id,
            count,
            peak,
            mfu,
            hours,
            hours_why,
            perf,
            perf_why,
            degree,
            stage,
            workload,
        )

    if workload.kind != WorkloadKind.INFERENCE:
        if peak is None:
            return fit(
                None, f"{accelerator.name} has no dense {workload.precision} peak"
            )
        return fit(accelerator_hours(flops.total, peak, mfu), None)
    if count.count is None:
        return fit(None, count.reason, None, count.reason)
    perf, why = inference_performance(workload, accelerator, count.count, mfu, log)
    requests = workload.inference.total_requests if workload.inference else None
    if perf is None or not requests:
        hours_why = why or "set inference.total_requests for accelerator-hours"
        return fit(None, hours_why, perf, why)
    replica_hours = requests / perf.requests_per_second / SECONDS_PER_HOUR
    return fit(replica_hours * perf.replica_accelerators, None, perf, None)


def validate_workload(workload: Workload) -> None:
    """Raise InvalidWorkload, naming the field, for inputs no real job can have."""
    validate_common(workload)
    if workload.training is not None:
        validate_training_spec(workload.training, workload.kind)
    if workload.inference is not None:
        validate_inference_spec(workload.inference, workload.model)
