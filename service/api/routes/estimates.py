"""Estimates: what a workload needs, and the model presets it can name."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Response

from service.api.auth import require
from service.api.deps import CatalogDep
from service.api.problems import problem_responses
from service.api.schemas.estimates import (
    GIB,
    AcceleratorEstimateRead,
    AssumptionRead,
    EstimateRead,
    EstimateRequest,
    FlopsRead,
    InferenceRead,
    MemoryRead,
    ModelRead,
    PresetRead,
)
from service.api.schemas.workload import WorkloadIn
from service.domain.models import ModelArchitecture, ModelPreset
from service.domain.sizing import AcceleratorFit, Estimate, estimate_workload
from service.domain.workload import Assumption, AssumptionValue, find_accelerator
from service.usecases.workloads import bundled_presets, to_workload

router = APIRouter(
    tags=["workload"],
    dependencies=[Depends(require("read"))],
    responses=problem_responses(401, 403),
)


def _gib(value: int | None) -> float | None:
    return None if value is None else round(value / GIB, 3)


def assumptions_read(
    assumptions: dict[str, Assumption[AssumptionValue]],
) -> dict[str, AssumptionRead]:
    """The response body of the assumptions an answer used."""
    return {
        name: AssumptionRead(value=a.value, source=a.source)
        for name, a in assumptions.items()
    }


def model_read(model: ModelArchitecture, preset: ModelPreset | None) -> ModelRead:
    """The response body of the architecture used."""
    return ModelRead(
        **asdict(model),
        preset=preset.id if preset else None,
        name=preset.name if preset else None,
        source=preset.source if preset else None,
    )


def fit_read(fit: AcceleratorFit) -> AcceleratorEstimateRead:
    """The response body of a workload on one accelerator model."""
    count = fit.min_count
    perf = fit.inference
    return AcceleratorEstimateRead(
        accelerator=fit.accelerator_id,
        min_count=count.count,
        min_count_reason=count.reason,
        memory_per_accelerator_bytes=count.memory_per_accelerator_bytes,
        memory_per_accelerator_gib=_gib(count.memory_per_accelerator_bytes),
        usable_memory_gib=round(count.usable_memory_bytes / GIB, 3),
        model_parallel_degree=fit.model_parallel_degree,
        zero_stage=fit.zero_stage,
        peak_tflops=fit.peak_tflops,
        mfu=fit.mfu,
        accelerator_hours=fit.accelerator_hours,
        accelerator_hours_reason=fit.accelerator_hours_reason,
        inference=InferenceRead(**asdict(perf)) if perf else None,
        inference_reason=fit.inference_reason,
    )


def estimate_read(
    estimate: Estimate, model: ModelArchitecture, preset: ModelPreset | None
) -> EstimateRead:
    """The response body of an estimate."""
    memory = estimate.memory
    return EstimateRead(
        kind=estimate.kind,
        precision=estimate.precision,
        model=model_read(model, preset),
        flops=FlopsRead(
            per_token=estimate.flops.per_token,
            total=estimate.flops.total,
            tokens=estimate.flops.tokens,
            model_per_token=estimate.flops.model_per_token,
        ),
        memory=MemoryRead(
            weights_bytes=memory.weights_bytes,
            weights_gib=_gib(memory.weights_bytes) or 0.0,
            gradients_bytes=memory.gradients_bytes,
            gradients_gib=_gib(memory.gradients_bytes) or 0.0,
            optimizer_bytes=memory.optimizer_bytes,
            optimizer_gib=_gib(memory.optimizer_bytes) or 0.0,
            activations_bytes=memory.activations_bytes,
            activations_gib=_gib(memory.activations_bytes),
            kv_cache_bytes=memory.kv_cache_bytes,
            kv_cache_gib=_gib(memory.kv_cache_bytes),
            kv_cache_bytes_per_token=memory.kv_cache_bytes_per_token,
            total_bytes=memory.total_bytes,
            total_gib=_gib(memory.total_bytes) or 0.0,
            trainable_parameters=memory.trainable_parameters,
            missing=memory.missing,
        ),
        model_parallel_degree=estimate.model_parallel_degree,
        zero_stage=estimate.zero_stage,
        accelerators=[fit_read(fit) for fit in estimate.accelerators],
        assumptions=assumptions_read(estimate.assumptions),
    )


@router.post(
    "/v1/estimates",
    response_model=EstimateRead,
    summary="Estimate what a workload needs",
    responses=problem_responses(413, 422),
)
async def create_estimate(body: EstimateRequest, catalog: CatalogDep) -> Response:
    """Estimate FLOPs, memory and, per accelerator, count, hours and serving speed.

    Peaks are dense (no 2:4 sparsity). Every default used is echoed in
    `assumptions` with its source, and each can be overridden in the request.
    """

    def compute() -> bytes:
        workload, preset = to_workload(body.workload, bundled_presets())
        known = list(catalog.accelerators.values())
        chosen = (
            [find_accelerator(known, name) for name in body.accelerators]
            if body.accelerators
            else known
        )
        estimate = estimate_workload(workload, chosen)
        answer = estimate_read(estimate, workload.model, preset)
        return answer.model_dump_json().encode()

    # The same body against the same catalogue version has the same answer.
    key = ("estimate.json", body.model_dump_json())
    return Response(
        catalog.answers.get_or_compute(key, compute), media_type="application/json"
    )


@router.post(
    "/v1/workloads/validate",
    summary="Check a workload body",
    responses=problem_responses(413, 422),
)
async def validate_workload_body(body: WorkloadIn) -> WorkloadIn:
    """Check a workload against the schema and return it with defaults filled in.

    Only the shape and ranges are checked here; `POST /v1/estimates` also checks
    the workload against the model (e.g. that a preset exists).
    """
    return body


@router.get("/v1/models", summary="List model presets")
async def list_models() -> list[PresetRead]:
    """List the published models a workload can name as `{"preset": id}`."""
    return [
        PresetRead(
            id=p.id,
            name=p.name,
            source=p.source,
            notes=p.notes,
            **asdict(p.architecture),
        )
        for p in bundled_presets().values()
    ]
