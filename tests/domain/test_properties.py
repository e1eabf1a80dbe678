"""Properties that hold for any workload, checked with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.catalog import Precision
from service.domain.models import ModelArchitecture
from service.domain.sizing import (
    accelerator_hours,
    estimate_flops,
    estimate_workload,
    memory_per_accelerator_bytes,
)
from service.domain.workload import AssumptionInputs, Recompute
from tests.domain.helpers import chip, pretraining, serving


@st.composite
def architectures(draw: st.DrawFn, tied: bool | None = None) -> ModelArchitecture:
    """Draw a consistent dense decoder; parameters summed from its shapes."""
    heads = draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64]))
    kv_heads = draw(
        st.sampled_from([k for k in (1, 2, 4, 8, 16, 32, 64) if k <= heads])
    )
    head_dim = draw(st.sampled_from([32, 64, 128]))
    hidden, layers = heads * head_dim, draw(st.integers(1, 96))
    ffn = draw(st.integers(hidden, 4 * hidden))
    vocab = draw(st.integers(100, 200_000))
    is_tied = draw(st.booleans()) if tied is None else tied
    per_layer = (
        2 * hidden * hidden + 2 * hidden * kv_heads * head_dim + 3 * hidden * ffn
    )
    embeddings = vocab * hidden * (1 if is_tied else 2)
    return ModelArchitecture(
        parameters=layers * per_layer + embeddings,
        layers=layers,
        hidden_size=hidden,
        attention_heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        ffn_hidden_size=ffn,
        vocab_size=vocab,
        tied_embeddings=is_tied,
        gated_mlp=True,
    )


recomputes = st.sampled_from(list(Recompute))
attention = st.booleans()


@given(
    architectures(),
    st.integers(1, 10**13),
    st.integers(1, 10**13),
    recomputes,
    attention,
)
def test_more_tokens_never_mean_fewer_flops(
    model: ModelArchitecture, a: int, b: int, recompute: Recompute, scores: bool
) -> None:
    fewer, more = sorted((a, b))
    given_ = AssumptionInputs(include_attention_flops=scores)

    low = estimate_flops(
        pretraining(model, fewer, recompute=recompute, assumptions=given_)
    )
    high = estimate_flops(
        pretraining(model, more, recompute=recompute, assumptions=given_)
    )

    assert low.total <= high.total


@given(
    architectures(),
    st.integers(0, 3),
    recomputes,
    st.integers(1, 4096),
    st.integers(1, 4096),
)
def test_more_accelerators_never_mean_more_memory_each_in_training(
    model: ModelArchitecture, stage: int, recompute: Recompute, a: int, b: int
) -> None:
    fewer, more = sorted((a, b))
    workload = pretraining(model, zero_stage=stage, recompute=recompute)

    assert memory_per_accelerator_bytes(workload, more) <= memory_per_accelerator_bytes(
        workload, fewer
    )


@given(architectures(), st.integers(1, 256), st.integers(1, 256), st.integers(1, 64))
def test_more_accelerators_never_mean_more_memory_each_in_inference(
    model: ModelArchitecture, a: int, b: int, batch: int
) -> None:
    fewer, more = sorted((a, b))
    workload = serving(model, 512, 128, batch_size=batch)

    assert memory_per_accelerator_bytes(workload, more) <= memory_per_accelerator_bytes(
        workload, fewer
    )


@given(architectures(tied=True), recomputes, attention)
def test_tied_and_untied_twins_cost_the_same_flops(
    tied: ModelArchitecture, recompute: Recompute, scores: bool
) -> None:
    assert tied.vocab_size is not None and tied.hidden_size is not None
    untied = ModelArchitecture(
        **{
            **{f: getattr(tied, f) for f in tied.__dataclass_fields__},
            "parameters": tied.parameters + tied.vocab_size * tied.hidden_size,
            "tied_embeddings": False,
        }
    )
    given_ = AssumptionInputs(include_attention_flops=scores)

    train_tied = estimate_flops(
        pretraining(tied, recompute=recompute, assumptions=given_)
    )
    train_untied = estimate_flops(
        pretraining(untied, recompute=recompute, assumptions=given_)
    )
    serve_tied = estimate_flops(serving(tied, 300, 50, assumptions=given_))
    serve_untied = estimate_flops(serving(untied, 300, 50, assumptions=given_))

    assert train_tied.total == train_untied.total
    assert serve_tied.total == serve_untied.total
    assert untied.parameters > tied.parameters


@given(
    architectures(),
    st.integers(1, 10**13),
    st.floats(0.01, 1.0),
    st.floats(1.0, 5000.0),
    st.sampled_from([Precision.BF16, Precision.FP8]),
)
def test_hours_times_peak_times_mfu_give_back_the_flops(
    model: ModelArchitecture,
    tokens: int,
    mfu: float,
    peak: float,
    precision: Precision,
) -> None:
    accelerator = chip("x", "Chip X", 80, 3000, peak, fp8=peak)
    workload = pretraining(
        model, tokens, precision=precision, assumptions=AssumptionInputs(mfu=mfu)
    )

    estimate = estimate_workload(workload, [accelerator])
    hours = estimate.accelerators[0].accelerator_hours

    assert hours is not None
    assert hours * peak * 1e12 * mfu * 3600 == pytest.approx(estimate.flops.total)
    assert accelerator_hours(estimate.flops.total, peak, mfu) == hours
