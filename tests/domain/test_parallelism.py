"""When the request leaves parallelism to the defaults, a job that does not fit gets
tensor parallelism within a server, then ZeRO-3, and says so."""

from __future__ import annotations

from dataclasses import replace

from service.domain.sizing import estimate_workload
from service.domain.workload import Workload
from tests.domain.helpers import H100, model, pretraining


def llama_2_70b(**spec: object) -> Workload:
    """Pretrain Llama 2 70B on 2T tokens of 4,096."""
    return pretraining(
        model("llama-2-70b"),
        tokens=2_000_000_000_000,
        sequence_length=4096,
        **spec,
    )


def test_a_70b_model_gets_tensor_parallelism_to_fit_80_gb() -> None:
    estimate = estimate_workload(llama_2_70b(), [H100])

    fit = estimate.accelerators[0]
    # Llama 2 70B at ZeRO-1 keeps 2 + 2 bytes of weights and gradients per
    # parameter on every rank: 280 GB, over 80 GB; split 8 ways it is 35 GB.
    assert fit.model_parallel_degree == 8
    assert fit.min_count.count is not None and fit.min_count.count % 8 == 0
    assert "parallelism.h100-sxm" in estimate.assumptions


def test_parallelism_the_request_sets_is_kept_even_if_it_never_fits() -> None:
    workload = llama_2_70b()
    workload = replace(
        workload, assumptions=replace(workload.assumptions, model_parallel_degree=1)
    )

    fit = estimate_workload(workload, [H100]).accelerators[0]

    assert fit.min_count.count is None
    assert fit.min_count.reason is not None and "never fits" in fit.min_count.reason


def test_a_model_that_fits_keeps_the_default_parallelism() -> None:
    small = pretraining(model("llama-2-7b"), tokens=10**12, sequence_length=4096)

    estimate = estimate_workload(small, [H100])

    assert estimate.accelerators[0].model_parallel_degree == 1
    assert "parallelism.h100-sxm" not in estimate.assumptions
