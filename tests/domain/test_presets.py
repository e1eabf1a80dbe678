"""The bundled presets: they load, and their counts agree with their configs."""

from __future__ import annotations

import pytest

from service.domain.errors import InvalidPresetData, UnknownPreset
from service.domain.models import ModelArchitecture, find_preset, load_presets
from tests.domain.helpers import presets

REQUIRED = {
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "mixtral-8x7b",
    "deepseek-v3",
    "qwen3-30b-a3b",
    "gpt-3-175b",
    "gpt-2-124m",
    "tinyllama-1.1b",
    "mistral-7b",
    "llama-3.2-1b",
}


def _dense_parameters(m: ModelArchitecture, experts: int = 1) -> int:
    """Sum a Llama/GPT-style checkpoint's tensors from its config (no biases)."""
    assert m.layers and m.hidden_size and m.attention_heads and m.ffn_hidden_size
    assert m.vocab_size and m.head_dim and m.kv_heads
    h, d = m.hidden_size, m.head_dim
    attention = h * m.attention_heads * d * 2 + h * m.kv_heads * d * 2
    mlp = (3 if m.gated_mlp else 2) * h * m.ffn_hidden_size * experts
    router = h * experts if experts > 1 else 0
    embeddings = m.vocab_size * h * (1 if m.tied_embeddings else 2)
    return m.layers * (attention + mlp + router + 2 * h) + embeddings + h


def test_every_required_preset_is_bundled_with_a_source() -> None:
    loaded = presets()

    assert set(loaded) >= REQUIRED
    assert all(p.source for p in loaded.values())
    assert all(p.architecture.max_context_tokens for p in loaded.values())


@pytest.mark.parametrize(
    "preset_id",
    [
        "llama-2-7b",
        "llama-2-13b",
        "llama-2-70b",
        "llama-3.1-8b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "llama-3.2-1b",
        "tinyllama-1.1b",
        "mistral-7b",
    ],
)
def test_summed_config_tensors_give_the_stated_parameters(preset_id: str) -> None:
    m = presets()[preset_id].architecture

    assert _dense_parameters(m) == m.parameters


def test_mixtral_config_sums_to_the_blog_totals() -> None:
    # Mistral AI, "Mixtral of experts": 46.7B total, 12.9B per token.
    m = presets()["mixtral-8x7b"].architecture
    assert m.experts_per_token is not None

    total = _dense_parameters(m, experts=8)
    active = total - 6 * 3 * 4096 * 14336 * 32  # 6 of 8 experts idle per layer

    assert total == pytest.approx(m.parameters, rel=0.001)
    assert active == pytest.approx(m.active_parameters, rel=0.002)


def test_qwen3_moe_sums_to_the_model_card_totals() -> None:
    # Qwen3-30B-A3B model card: 30.5B total, 3.3B activated.
    m = presets()["qwen3-30b-a3b"].architecture
    per_expert = 3 * 2048 * 768
    attention = 2048 * 32 * 128 * 2 + 2048 * 4 * 128 * 2
    embeddings = 2 * 151936 * 2048

    total = 48 * (attention + 128 * per_expert) + embeddings
    active = 48 * (attention + 8 * per_expert) + embeddings

    assert total == pytest.approx(m.parameters, rel=0.01)
    assert active == pytest.approx(m.active_parameters, rel=0.03)


def test_gpt2_ties_its_embeddings_and_counts_them_once() -> None:
    m = presets()["gpt-2-124m"].architecture
    # 124,439,808 = wte 50257x768 + wpe 1024x768 + 12 layers of 7,087,872 + ln_f.
    by_hand = 50257 * 768 + 1024 * 768 + 12 * 7_087_872 + 2 * 768

    assert m.tied_embeddings is True
    assert m.parameters == by_hand


def test_find_preset_accepts_the_display_name() -> None:
    assert find_preset(presets(), "Llama 2 7B").id == "llama-2-7b"
    assert find_preset(presets(), "LLAMA_3.1_405B").id == "llama-3.1-405b"


def test_unknown_preset_names_the_nearest_ids() -> None:
    with pytest.raises(UnknownPreset) as caught:
        find_preset(presets(), "llama-2-7")

    assert "llama-2-7b" in caught.value.nearest


def test_loader_rejects_a_preset_without_a_source() -> None:
    entry = {"id": "tiny", "name": "Tiny", "source": "", "parameters": 10}

    with pytest.raises(InvalidPresetData, match="tiny"):
        load_presets([entry])


def test_loader_names_the_field_with_a_wrong_type() -> None:
    entry = {
        "id": "tiny",
        "name": "Tiny",
        "source": "x",
        "parameters": 10,
        "layers": "2",
    }

    with pytest.raises(InvalidPresetData, match=r"tiny\.layers"):
        load_presets([entry])


def test_loader_rejects_duplicate_ids() -> None:
    entry = {"id": "tiny", "name": "Tiny", "source": "x", "parameters": 10}

    with pytest.raises(InvalidPresetData, match="duplicate"):
        load_presets([entry, entry])
