"""Turn a workload request into the domain's workload, resolving presets."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from service.api.schemas.workload import (
    FineTuningWorkload,
    InferenceWorkload,
    ModelIn,
    PresetModel,
    PretrainingWorkload,
    WorkloadIn,
)
from service.domain.catalog import Precision
from service.domain.models import (
    ModelArchitecture,
    ModelPreset,
    architecture_from_mapping,
    find_preset,
    load_presets,
)
from service.domain.workload import (
    AssumptionInputs,
    InferenceSpec,
    TrainingSpec,
    Workload,
    WorkloadKind,
)
from service.usecases.bundled import read_bundled


@cache
def bundled_presets() -> Mapping[str, ModelPreset]:
    """The model presets of the bundled catalogue, read once."""
    data, _ = read_bundled("models.yaml")
    return load_presets(data)


def resolve_model(
    model: ModelIn, presets: Mapping[str, ModelPreset]
) -> tuple[ModelArchitecture, ModelPreset | None]:
    """The architecture a request names, and its preset if it named one."""
    if isinstance(model, PresetModel):
        preset = find_preset(presets, model.preset)
        return preset.architecture, preset
    return architecture_from_mapping(model.model_dump(exclude_none=True)), None


def to_workload(
    body: WorkloadIn, presets: Mapping[str, ModelPreset]
) -> tuple[Workload, ModelPreset | None]:
    """The domain workload of a request."""
    model, preset = resolve_model(body.model, presets)
    training = None
    if isinstance(body, PretrainingWorkload | FineTuningWorkload):
        spec = body.training.model_dump()
        if spec["zero_stage"] == "fsdp":
            spec["zero_stage"] = 3
        training = TrainingSpec(**spec)
    inference = None
    if isinstance(body, InferenceWorkload):
        spec = body.inference.model_dump()
        for key in ("weights_precision", "kv_cache_precision"):
            if spec[key] is not None:
                spec[key] = Precision(spec[key])
        inference = InferenceSpec(**spec)
    assumptions = AssumptionInputs(
        **body.efficiency.model_dump(), **body.assumptions.model_dump()
    )
    workload = Workload(
        kind=WorkloadKind(body.kind),
        model=model,
        precision=body.compute_precision(),
        training=training,
        inference=inference,
        assumptions=assumptions,
    )
    return workload, preset
