"""Training and fine-tuning: FLOPs and memory before sharding."""

from __future__ import annotations

from typing import Any

import pytest

from service.domain.errors import InvalidWorkload
from service.domain.estimate import lora_parameters
from service.domain.models import ModelArchitecture
from service.domain.sizing import (
    estimate_flops,
    estimate_workload,
)
from service.domain.workload import (
    AssumptionInputs,
    FineTuningMethod,
    LoraTargets,
    Optimizer,
    Recompute,
    TrainingSpec,
    Workload,
    WorkloadKind,
)
from tests.domain.helpers import model, pretraining


def fine_tuning(architecture: ModelArchitecture, **training: Any) -> Workload:
    spec = TrainingSpec(tokens=10**8, sequence_length=4096, **training)
    return Workload(WorkloadKind.FINE_TUNING, architecture, training=spec)


def test_training_costs_six_flops_per_parameter_per_token() -> None:
    # Kaplan et al. 2020; Transformer Math 101: 2 forward + 4 backward.
    llama = model("llama-2-7b")

    flops = estimate_flops(pretraining(llama, tokens=2 * 10**12))

    assert flops.per_token == 6 * 6_738_415_616
    assert flops.total == 6 * 6_738_415_616 * 2e12


def test_full_recomputation_costs_eight_flops_per_parameter() -> None:
    flops = estimate_flops(pretraining(model("llama-2-7b"), recompute=Recompute.FULL))

    assert flops.per_token == 8 * 6_738_415_616
    assert flops.model_per_token == 6 * 6_738_415_616


def test_moe_flops_use_active_parameters() -> None:
    # Mixtral: 12.9B of 46.7B parameters per token (Mistral AI, 2023).
    flops = estimate_flops(pretraining(model("mixtral-8x7b")))

    assert flops.per_token == 6 * 12.9e9


def test_moe_memory_uses_all_parameters() -> None:
    estimate = estimate_workload(pretraining(model("mixtral-8x7b")), [])

    assert estimate.memory.weights_bytes == 2 * 46.7e9


def test_tied_output_projection_still_costs_flops_but_no_memory() -> None:
    # GPT-2: the 50257 x 768 matrix is stored once and multiplied twice.
    gpt2 = model("gpt-2-124m")

    flops = estimate_flops(pretraining(gpt2))
    memory = estimate_workload(pretraining(gpt2), []).memory

    assert flops.per_token == 6 * (124_439_808 + 50257 * 768)
    assert memory.weights_bytes == 2 * 124_439_808


def test_lora_on_q_and_v_of_llama2_7b_trains_4_2m_parameters() -> None:
    # 32 layers x 2 matrices x r=8 x (4096 + 4096); PEFT prints 4,194,304 trainable.
    adapters = lora_parameters(model("llama-2-7b"), 8, LoraTargets.ATTENTION_QV)

    assert adapters == 32 * 2 * 8 * (4096 + 4096) == 4_194_304


def test_lora_skips_weight_gradients_of_the_frozen_base() -> None:
    # Forward 2N + activation gradients 2N, no 2N weight gradients (Epoch AI 2021),
    # plus 6 FLOPs per adapter parameter.
    workload = fine_tuning(
        model("llama-2-7b"),
        method=FineTuningMethod.LORA,
        lora_targets=LoraTargets.ATTENTION_QV,
    )

    flops = estimate_flops(workload)

    assert flops.per_token == 4 * 6_738_415_616 + 6 * 4_194_304


def test_lora_keeps_optimizer_state_only_for_the_adapters() -> None:
    workload = fine_tuning(
        model("llama-2-7b"),
        method=FineTuningMethod.LORA,
        lora_targets=LoraTargets.ATTENTION_QV,
    )

    memory = estimate_workload(workload, []).memory

    assert memory.trainable_parameters == 4_194_304
    assert memory.gradients_bytes == 2 * 4_194_304
    assert memory.optimizer_bytes == 12 * 4_194_304
    assert memory.weights_bytes == 2 * (6_738_415_616 + 4_194_304)


def test_qlora_stores_the_base_in_four_bits_plus_constants() -> None:
    # NF4 with double quantisation: 4 + 0.127 bits per parameter (Dettmers 2023).
    workload = fine_tuning(
        model("llama-2-70b"),
        method=FineTuningMethod.QLORA,
        lora_targets=LoraTargets.ATTENTION_QV,
    )

    memory = estimate_workload(workload, []).memory
    adapters = memory.trainable_parameters

    assert memory.weights_bytes == pytest.approx(
        68_976_648_192 * 4.127 / 8 + 2 * adapters, abs=1
    )


def test_activations_follow_korthikanti_without_recomputation() -> None:
    # GPT-3 175B: plain 4h MLP, so s*b*h*(34 + 5as/h) per layer exactly
    # (Korthikanti et al. 2022, eq. 1): s 2048, b 1, h 12288, a 96, 96 layers.
    workload = pretraining(
        model("gpt-3-175b"), sequence_length=2048, recompute=Recompute.NONE
    )
    per_layer = 2048 * 1 * 12288 * (34 + 5 * 96 * 2048 / 12288)

    memory = estimate_workload(workload, []).memory

    assert memory.activations_bytes == pytest.approx(96 * per_layer, rel=1e-9)


def test_selective_recomputation_drops_the_attention_scores() -> None:
    workload = pretraining(
        model("gpt-3-175b"), sequence_length=2048, recompute=Recompute.SELECTIVE
    )

    memory = estimate_workload(workload, []).memory

    assert memory.activations_bytes == pytest.approx(96 * 2048 * 12288 * 34, rel=1e-9)


def test_full_recomputation_keeps_two_bytes_per_hidden_value() -> None:
    workload = pretraining(
        model("gpt-3-175b"), sequence_length=2048, recompute=Recompute.FULL
    )

    memory = estimate_workload(workload, []).memory

    assert memory.activations_bytes == 96 * 2 * 2048 * 12288


def test_optimizer_bytes_per_parameter_follow_the_optimizer() -> None:
    tiny = ModelArchitecture(parameters=1000)
    expected = {
        Optimizer.ADAMW: 12,
        Optimizer.SGD: 8,
        Optimizer.ADAMW_8BIT: 6,
        Optimizer.ADAFACTOR: 4,
    }

    for optimizer, per_parameter in expected.items():
        workload = pretraining(tiny, optimizer=optimizer)
        memory = estimate_workload(workload, []).memory
        assert memory.optimizer_bytes == per_parameter * 1000, optimizer


def test_gradient_bytes_and_master_copy_are_overridable() -> None:
    tiny = ModelArchitecture(parameters=1000)
    given = AssumptionInputs(gradient_bytes_per_parameter=4, master_weights_fp32=False)

    estimate = estimate_workload(pretraining(tiny, assumptions=given), [])

    assert estimate.memory.gradients_bytes == 4000
    assert estimate.memory.optimizer_bytes == 8000
    assert estimate.assumptions["gradient_bytes_per_parameter"].source.startswith(
        "given"
    )


def test_lora_is_refused_for_pretraining() -> None:
    workload = pretraining(model("llama-2-7b"), method=FineTuningMethod.LORA)

    with pytest.raises(InvalidWorkload) as caught:
        estimate_workload(workload, [])

    assert caught.value.field == "training.method"


def test_qlora_fits_a_65b_model_on_one_48_gb_card() -> None:
    # QLoRA (Dettmers et al. 2023) abstract: a 65B model fine-tunes on a single 48GB
    # GPU; LoRA r = 64 on all linear layers, gradient checkpointing. LLaMA-65B shape
    # from Touvron et al. 2023a, Table 2; 512-token sequences are a judgement.
    llama_65b = ModelArchitecture(
        parameters=65_200_000_000,
        layers=80,
        hidden_size=8192,
        attention_heads=64,
        head_dim=128,
        ffn_hidden_size=22016,
        vocab_size=32000,
        tied_embeddings=False,
        gated_mlp=True,
    )
    spec = TrainingSpec(
        tokens=10**8,
        sequence_length=512,
        method=FineTuningMethod.QLORA,
        lora_rank=64,
        recompute=Recompute.FULL,
    )
    workload = Workload(WorkloadKind.FINE_TUNING, llama_65b, training=spec)

    memory = estimate_workload(workload, []).memory

    assert 40 * 2**30 < memory.total_bytes < 48 * 2**30
