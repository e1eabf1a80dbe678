"""How many accelerators hold a job, and the shardings tried when it does not fit.

Memory per accelerator for n accelerators and the fewest that hold the job. A
model-parallel (tensor-parallel) degree t splits every part, activations included
(Korthikanti et al. 2022 with sequence parallelism); the n / t data-parallel ranks
shard the optimizer state with ZeRO-1, also the gradients with ZeRO-2 and also the
weights with ZeRO-3 (Rajbhandari et al. 2020). An inference replica with no degree
given spans all n accelerators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from service.domain.catalog import Accelerator
from service.domain.errors import InvalidWorkload
from service.domain.estimate import training_memory, training_settings
from service.domain.inference import inference_memory
from service.domain.workload import (
    DEFAULT_HEADROOM,
    GIVEN,
    UNRECORDED,
    AssumptionLog,
    MemoryEstimate,
    Workload,
    WorkloadKind,
)

# Tensor parallelism stays within one server of up to 8 accelerators, where NVLink
# carries its all-reduces (Narayanan et al. 2021, "Efficient Large-Scale Language
# Model Training on GPU Clusters Using Megatron-LM", section 3.3).
TENSOR_DEGREES = (1, 2, 4, 8)
REPLICA_DEFAULT = (
    "one replica on the fewest accelerators that hold it, a count that divides the "
    "attention heads (tensor parallelism splits heads; Shoeybi et al. 2019)"
)


@dataclass(frozen=True, slots=True)
class AcceleratorCount:
    """The fewest accelerators that hold the job, or None and why.

    `reason` also says when the count is only a lower bound (a part is unknown).
    """

    count: int | None
    memory_per_accelerator_bytes: int | None
    usable_memory_bytes: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class Needs:
    """What one sharding of a job asks of every accelerator model alike."""

    memory: MemoryEstimate
    model_parallel_degree: int | None
    zero_stage: int
    max_data_parallel: int | None


def job_needs(workload: Workload, log: AssumptionLog) -> Needs:
    """Return the job's memory, degree, ZeRO stage and data-parallel ceiling."""
    if workload.kind == WorkloadKind.INFERENCE:
        memory = inference_memory(workload, log)
        degree = workload.assumptions.model_parallel_degree
        if degree is None:
            log.note("model_parallel_degree", "smallest that fits", REPLICA_DEFAULT)
        else:
            log.note("model_parallel_degree", degree, GIVEN)
        return Needs(memory, degree, 0, None)
    settings = training_settings(workload, log)
    memory = training_memory(workload, log)
    return Needs(
        memory,
        settings.model_parallel_degree,
        settings.zero_stage,
        max_data_parallel(workload),
    )


def max_data_parallel(workload: Workload) -> int | None:
    """Return the data-parallel ranks the global batch allows (None: no limit)."""
    spec = workload.training
    assert spec is not None, "a training workload has its spec"
    sequences = spec.global_batch_size or (
        spec.global_batch_tokens // spec.sequence_length
        if spec.global_batch_tokens
        else None
    )
    return sequences // spec.micro_batch_size if sequences else None


def _sharded_bytes(memory: MemoryEstimate, zero_stage: int) -> float:
    """Return the bytes the data-parallel ranks split between them at a ZeRO stage."""
    return (
        (memory.optimizer_bytes if zero_stage >= 1 else 0)
        + (memory.gradients_bytes if zero_stage >= 2 else 0)
        + (memory.weights_bytes if zero_stage >= 3 else 0)
    )


def per_accelerator_bytes(needs: Needs, count: int) -> int:
    """Return the bytes each of `count` accelerators holds."""
    degree = needs.model_parallel_degree or count
    if count < 1 or count % degree:
        raise InvalidWorkload(
            "accelerator_count",
            f"must be a positive multiple of the model-parallel degree {degree}",
        )
    data_parallel = count // degree
    sharded = _sharded_bytes(needs.memory, needs.zero_stage)
    kept = needs.memory.total_bytes - sharded
    return math.ceil((kept + sharded / data_parallel) / degree)


def usable_memory_bytes(
    workload: Workload, accelerator: Accelerator, log: AssumptionLog | None = None
) -> int:
    """Return an accelerator's memory less the headroom kept for the framework."""
    given = workload.assumptions.memory_headroom_fraction
    headroom = (log or UNRECORDED).use(
        "memory_headroom_fraction", given, DEFAULT_HEADROOM
    )
    return int(accelerator.memory_bytes * (1 - headroom))


def _lower_bound_note(memory: MemoryEstimate) -> str | None:
    if not memory.missing:
        return None
    parts = "; ".join(f"{part} {why}" for part, why in memory.missing.items())
    return f"a lower bound: {parts}"


def min_count(
    workload: Workload,
    accelerator: Accelerator,
    needs: Needs,
    log: AssumptionLog,
    *,
    explain: bool = True,
) -> AcceleratorCount:
    """Return the fewest accelerators; `explain=False` leaves out why none do."""
    usable = usable_memory_bytes(workload, accelerator, log)
    if usable <= 0:
        return AcceleratorCount(None, None, usable, "the accelerator has no memory")
    note = _lower_bound_note(needs.memory)
    degree = needs.model_parallel_degree
    if degree is None:
        count = max(1, math.ceil(needs.memory.total_bytes / usable))
        heads = workload.model.attention_heads
        # Tensor parallelism splits attention heads (Shoeybi et al. 2019).
        while heads and count <= heads and heads % count:
            count += 1
        if heads and count > heads:
            why = f"needs more accelerators than the model's {heads} attention heads"
            return AcceleratorCount(None, None, usable, why)
        return AcceleratorCount(
            count, per_accelerator_bytes(needs, count), usable, note
        )
    sharded = _sharded_bytes(needs.memory, needs.zero_stage) / degree
    kept = needs.memory.total_bytes / degree - sharded
    if kept > usable or (sharded > 0 and kept >= usable):
        never = _never_fits(needs, kept, usable) if explain else None
        return AcceleratorCount(None, None, usable, never)
    data_parallel = 1 if sharded == 0 else max(1, math.ceil(sharded / (usable - kept)))
    while per_accelerator_bytes(needs, degree * data_parallel) > usable:
        data_parallel += 1
    most = needs.max_data_parallel
    if most is not None and data_parallel > most:
        why = (
            f"needs {data_parallel} data-parallel ranks, but the global batch allows "
            f"{most} at this micro_batch_size"
        )
        return AcceleratorCount(None, None, usable, why)
    count = degree * data_parallel
    return AcceleratorCount(count, per_accelerator_bytes(needs, count), usable, note)


def _never_fits(needs: Needs, kept: float, usable: int) -> str:
    memory, stage = needs.memory, needs.zero_stage
    parts = [
        name
        for name, size, shards in (
            ("activations", memory.activations_bytes, False),
            ("KV cache", memory.kv_cache_bytes, False),
            ("weights", memory.weights_bytes, stage >= 3),
            ("gradients", memory.gradients_bytes, stage >= 2),
            ("optimizer state", memory.optimizer_bytes, stage >= 1),
        )
        if size and not shards
    ]
    hint = (
        "; a higher zero_stage shards more of it"
        if stage < 3 and memory.gradients_bytes
        else "; more recomputation or a higher model_parallel_degree shrinks it"
    )
    return (
        f"never fits: {' + '.join(parts)} take {kept / 1e9:.1f} GB per accelerator "
        f"whatever the count, over the {usable / 1e9:.1f} GB usable{hint}"
    )


@dataclass(frozen=True, slots=True)
class Sizing:
    """A way to shard the job, with what it needs; the same for every accelerator."""

    workload: Workload
    needs: Needs


class Shardings:
    """The shardings one workload may be sized with, each built once.

    When the request sets neither the model-parallel degree nor the ZeRO stage, the
    shardings tried are tensor parallelism 1, 2, 4, 8 (up to a cap, e.g. the
    accelerators of one instance, and dividing the attention heads), then ZeRO-3
    on the widest; otherwise only the workload as given. Ladders under different
    caps share their shardings, and whether a sharding fits an accelerator is
    worked out once, so a quote that sizes the job again within smaller instances
    reuses what its estimate found.
    """

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self._sizings: dict[tuple[int, bool], Sizing] = {}
        self._ladders: dict[int, list[Sizing]] = {}
        self._fits: dict[tuple[int, str], bool] = {}

    def ladder(self, max_tensor: int = TENSOR_DEGREES[-1]) -> list[Sizing]:
        """Return the shardings to try, in order, with at most `max_tensor`."""
        ladder = self._ladders.get(max_tensor)
        if ladder is None:
            keys = _ladder(self.workload, max_tensor)
            ladder = self._ladders[max_tensor] = [self._sizing(*key) for key in keys]
        return ladder

    def fits(self, sizing: Sizing, accelerator: Accelerator) -> bool:
        """Say whether some count of an accelerator holds the job so sharded."""
        key = (id(sizing), accelerator.id)
        known = self._fits.get(key)
        if known is None:
            count = min_count(
                sizing.workload,
                accelerator,
                sizing.needs,
                UNRECORDED,
                explain=False,
            )
            known = self._fits[key] = count.count is not None
        return known

    def _sizing(self, degree: int, zero_3: bool) -> Sizing:
        sizing = self._sizings.get((degree, zero_3))
        if sizing is None:
            workload = _sharded(self.workload, degree, zero_3)
            sizing = Sizing(workload, job_needs(workload, UNRECORDED))
            self._sizings[degree, zero_3] = sizing
        return sizing


def _ladder(workload: Workload, max_tensor: int) -> list[tuple[int, bool]]:
    """Return the (tensor degree, ZeRO-3) pairs to try; degree 0 is as given."""
    spec = workload.training
    given = workload.assumptions
    if spec is None or given.model_parallel_degree or spec.zero_stage is not None:
        return [(0, False)]
    heads = workload.model.attention_heads or 1
    degrees = [t for t in TENSOR_DEGREES if t <= max_tensor and heads % t == 0]
    return [(0, False), *((t, False) for t in degrees if t > 1), (degrees[-1], True)]


def _sharded(workload: Workload, degree: int, zero_3: bool) -> Workload:
    """Return the workload with a tensor degree (0: as given) and maybe ZeRO-3 set."""
    if degree > 1:
        assumptions = replace(workload.assumptions, model_parallel_degree=degree)
        workload = replace(workload, assumptions=assumptions)
    if zero_3:
        assert workload.training is not None, "only training shards ZeRO-3"
        workload = replace(workload, training=replace(workload.training, zero_stage=3))
    return workload
