"""Model architectures, the bundled presets, and the loader that builds them from dicts.

`parameters` is the number of distinct weights, as a model card or a sum over the
checkpoint's tensors gives it: tied input and output embeddings are ONE matrix and
are counted once. FLOPs use `flops_parameters`, which adds that matrix back once for a
tied model because the output projection still costs 2 x vocab x hidden FLOPs per
token; so a tied model and its untied twin (same layers, one more V x h matrix) have
the same FLOPs and different memory.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from service.domain.errors import (
    InvalidPresetData,
    InvalidWorkload,
    UnknownPreset,
    nearest_names,
)


@dataclass(frozen=True, slots=True)
class ModelArchitecture:
    """A decoder-only transformer; every field but `parameters` may be unknown (None).

    For mixture-of-experts models `ffn_hidden_size` is the MLP width of one expert,
    `experts` the routed experts and `experts_per_token` those each token is sent to.
    Multi-head latent attention (DeepSeek-V2/V3) is described by `kv_lora_rank` (the
    compressed KV latent, d_c) and `qk_rope_head_dim` (the decoupled RoPE key, d_h^R);
    DeepSeek-V2 report (arXiv:2405.04434) section 2.1.
    """

    parameters: int
    active_parameters: int | None = None
    layers: int | None = None
    hidden_size: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    ffn_hidden_size: int | None = None
    vocab_size: int | None = None
    tied_embeddings: bool | None = None
    gated_mlp: bool | None = None
    experts: int | None = None
    experts_per_token: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    sliding_window_tokens: int | None = None
    max_context_tokens: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise InvalidWorkload(f"model.{f.name}", "must be at least 1")
        if self.active_parameters is not None and (
            self.active_parameters > self.parameters
        ):
            raise InvalidWorkload(
                "model.active_parameters", "cannot exceed the total `parameters`"
            )
        if (self.experts is None) != (self.experts_per_token is None):
            raise InvalidWorkload(
                "model.experts_per_token", "give both `experts` and `experts_per_token`"
            )
        if (
            self.experts
            and self.experts_per_token
            and (self.experts_per_token > self.experts)
        ):
            raise InvalidWorkload("model.experts_per_token", "cannot exceed `experts`")
        if (self.kv_lora_rank is None) != (self.qk_rope_head_dim is None):
            raise InvalidWorkload(
                "model.qk_rope_head_dim",
                "multi-head latent attention needs both kv_lora_rank and "
                "qk_rope_head_dim",
            )
        heads, kv_heads = self.attention_heads, self.kv_heads
        if heads and kv_heads and (kv_heads > heads or heads % kv_heads):
            raise InvalidWorkload(
                "model.kv_heads",
                "must divide attention_heads (grouped-query attention)",
            )

    @property
    def is_moe(self) -> bool:
        """Say whether tokens are routed to a subset of experts."""
        return bool(self.experts and self.experts_per_token) and (
            self.experts_per_token != self.experts
        )

    @property
    def active_parameters_per_token(self) -> int:
        """Return the parameters each token passes through (all of them when dense)."""
        return self.active_parameters or self.parameters

    @property
    def flops_parameters(self) -> int:
        """Return the parameter count the 2N/6N FLOPs rules multiply.

        Active parameters, plus vocab x hidden once more when the embeddings are tied:
        the tied matrix is stored once but used twice, as input embedding and as the
        output projection (2 x V x h FLOPs per token forward).
        """
        n = self.active_parameters_per_token
        if self.tied_embeddings and self.vocab_size and self.hidden_size:
            n += self.vocab_size * self.hidden_size
        return n

    @property
    def resolved_kv_heads(self) -> int | None:
        """Return kv_heads, or attention_heads when absent (multi-head attention)."""
        return self.kv_heads or self.attention_heads

    @property
    def resolved_head_dim(self) -> int | None:
        """Return head_dim, or hidden_size / attention_heads when absent."""
        if self.head_dim:
            return self.head_dim
        if self.hidden_size and self.attention_heads:
            return self.hidden_size // self.attention_heads
        return None

    @property
    def uses_mla(self) -> bool:
        """Say whether the KV cache holds a compressed latent (DeepSeek MLA)."""
        return self.kv_lora_rank is not None


def kv_cache_bytes_per_token(
    model: ModelArchitecture, bytes_per_element: float, kv_factor: int = 2
) -> int | None:
    """Return KV-cache bytes per token over all layers, or None if unknown.

    Grouped-query attention: kv_factor x layers x kv_heads x head_dim x bytes.
    Multi-head latent attention caches one latent and one RoPE key per layer:
    layers x (kv_lora_rank + qk_rope_head_dim) x bytes (DeepSeek-V2, Table 1).
    """
    if model.layers is None:
        return None
    if model.kv_lora_rank is not None and model.qk_rope_head_dim is not None:
        latent = model.kv_lora_rank + model.qk_rope_head_dim
        return math.ceil(model.layers * latent * bytes_per_element)
    kv_heads, head_dim = model.resolved_kv_heads, model.resolved_head_dim
    if kv_heads is None or head_dim is None:
        return None
    return math.ceil(kv_factor * model.layers * kv_heads * head_dim * bytes_per_element)


def kv_cache_missing_reason(model: ModelArchitecture) -> str:
    """Say which architecture fields the KV cache needs and lacks."""
    absent = [] if model.layers else ["layers"]
    if model.resolved_kv_heads is None:
        absent.append("kv_heads (or attention_heads)")
    if model.resolved_head_dim is None:
        absent.append("head_dim (or hidden_size and attention_heads)")
    return f"needs the model's {', '.join(absent)}"


_INT_FIELDS = frozenset(
    f.name
    for f in fields(ModelArchitecture)
    if f.name not in {"tied_embeddings", "gated_mlp"}
)
_BOOL_FIELDS = frozenset({"tied_embeddings", "gated_mlp"})


def architecture_from_mapping(
    data: Mapping[str, object], field_prefix: str = "model"
) -> ModelArchitecture:
    """Build an architecture from plain values, naming the bad field on error."""
    unknown = sorted(set(data) - _INT_FIELDS - _BOOL_FIELDS)
    if unknown:
        raise InvalidWorkload(f"{field_prefix}.{unknown[0]}", "unknown field")
    if data.get("parameters") is None:
        raise InvalidWorkload(f"{field_prefix}.parameters", "is required")
    values: dict[str, int | bool | None] = {}
    for name, value in data.items():
        is_bool = isinstance(value, bool)
        if (
            value is None
            or (name in _BOOL_FIELDS and is_bool)
            or (name in _INT_FIELDS and isinstance(value, int) and not is_bool)
        ):
            values[name] = value  # type: ignore[assignment]
        else:
            kind = "true or false" if name in _BOOL_FIELDS else "an integer"
            raise InvalidWorkload(f"{field_prefix}.{name}", f"must be {kind}")
    try:
        return ModelArchitecture(**values)  # type: ignore[arg-type]
    except InvalidWorkload as error:
        field = error.field.replace("model.", f"{field_prefix}.", 1)
        raise InvalidWorkload(field, error.reason) from error


@dataclass(frozen=True, slots=True)
class ModelPreset:
    """A published model: its architecture and where the figures come from."""

    id: str
    name: str
    architecture: ModelArchitecture
    source: str
    notes: str = ""


_PRESET_KEYS = frozenset({"id", "name", "source", "notes"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


def load_presets(entries: Sequence[Mapping[str, object]]) -> dict[str, ModelPreset]:
    """Build presets, keyed by id in file order, from the parsed models.yaml list."""
    presets: dict[str, ModelPreset] = {}
    for index, entry in enumerate(entries):
        preset_id = entry.get("id")
        if not isinstance(preset_id, str) or not _SLUG.match(preset_id):
            raise InvalidPresetData(f"#{index}", "id must be a lowercase slug")
        if preset_id in presets:
            raise InvalidPresetData(preset_id, "duplicate id")
        name, source = entry.get("name"), entry.get("source")
        notes = entry.get("notes", "")
        if not isinstance(name, str) or not isinstance(source, str) or not source:
            raise InvalidPresetData(preset_id, "name and source must be non-empty text")
        if not isinstance(notes, str):
            raise InvalidPresetData(preset_id, "notes must be text")
        shape = {k: v for k, v in entry.items() if k not in _PRESET_KEYS}
        try:
            architecture = architecture_from_mapping(shape, field_prefix=preset_id)
        except InvalidWorkload as error:
            raise InvalidPresetData(preset_id, str(error)) from error
        presets[preset_id] = ModelPreset(preset_id, name, architecture, source, notes)
    return presets


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def find_preset(presets: Mapping[str, ModelPreset], name: str) -> ModelPreset:
    """Find a preset by id or display name, ignoring case, spaces and underscores."""
    wanted = _normalise(name)
    for preset in presets.values():
        if wanted in (preset.id, _normalise(preset.name)):
            return preset
    raise UnknownPreset(name, nearest_names(wanted, presets))
