"""Training options: instances from memory, hours from FLOPs, cost from price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.domain.planner import Constraints, Exclusion, TrainingOption, plan_quote
from service.domain.planner.inputs import PricingAssumptions
from tests.domain.planner.catalogue import (
    CHIP_A,
    CHIP_FAST,
    CHIPS,
    priced,
    training,
)

GIB = 2**30


def only(quote_options: tuple[object, ...]) -> TrainingOption:
    """Return the single training option of a quote."""
    assert len(quote_options) == 1
    option = quote_options[0]
    assert isinstance(option, TrainingOption)
    return option


def test_one_instance_of_four_holds_the_job_and_runs_400_accelerator_hours() -> None:
    # Memory: ZeRO-1 keeps 4e9 B (weights + gradients) on every accelerator and
    # shards 12e9 B of optimizer state; 10 GiB = 10,737,418,240 B holds it on
    # ceil(12e9 / (10,737,418,240 - 4e9)) = 2 accelerators: one 4-chip instance.
    quote = plan_quote(training(), [priced(1, CHIP_A, 4, "8")], CHIPS)

    option = only(quote.options)
    assert (option.instances, option.accelerators) == (1, 4)
    # 4e9 kept + 12e9 / 4 sharded = 7e9 bytes on each of the 4.
    assert option.memory.per_accelerator_gib == pytest.approx(7e9 / GIB)
    assert option.memory.usable_per_accelerator_gib == 10
    assert option.memory.fits
    assert option.memory.note is not None and "lower bound" in option.memory.note
    # 7.2e19 FLOPs / (4 x 100e12 x 0.5) / 3600 = 100 h; one instance, efficiency 1.
    assert option.scaling_efficiency == 1
    assert option.wall_clock_hours == pytest.approx(100)
    assert option.accelerator_hours == pytest.approx(400)
    assert option.ideal_accelerator_hours == pytest.approx(400)
    # 1 instance x $8 x 100 h.
    assert option.cost.total == Decimal("800.00")
    assert option.cost.parts == {"compute": Decimal("800.00")}
    assert option.offer.price_per_accelerator_hour == Decimal("2.000000")
    assert option.meets_deadline is None
    assert option.within_budget is None


def test_two_single_chip_instances_pay_the_scaling_loss() -> None:
    # Two accelerators hold the job; with one per instance that is 2 instances,
    # efficiency 1 / (1 + 0.1 x log2 2) = 1 / 1.1 (no interconnect figure: c = 0.1).
    quote = plan_quote(training(), [priced(1, CHIP_A, 1, "2")], CHIPS)

    option = only(quote.options)
    assert option.instances == 2
    assert option.scaling_efficiency == pytest.approx(1 / 1.1)
    # 7.2e19 / (2 x 100e12 x 0.5 / 1.1) / 3600 = 220 h; billed 2 x 220 = 440.
    assert option.wall_clock_hours == pytest.approx(220)
    assert option.accelerator_hours == pytest.approx(440)
    assert option.memory.per_accelerator_gib == pytest.approx(1e10 / GIB)
    # 2 instances x $2 x 220 h.
    assert option.cost.total == Decimal("880.00")


def test_nvlink_class_servers_lose_less_across_instances() -> None:
    # 900 GB/s chips, 4 to an instance: c = 0.02. One instance takes 100 h, over
    # the 60 h deadline; two: 400 accelerator-hours / 8 x (1 + 0.02) = 51 h.
    quote = plan_quote(
        training(),
        [priced(1, CHIP_FAST, 4, "8")],
        CHIPS,
        constraints=Constraints(deadline_hours=60),
    )

    option = only(quote.options)
    assert option.instances == 2
    assert option.scaling_efficiency == pytest.approx(1 / 1.02)
    assert option.wall_clock_hours == pytest.approx(51)


def test_single_accelerator_instances_count_as_slow_interconnect() -> None:
    # The same chip one to an instance: c = 0.10; two instances (memory needs
    # two chips) take 400 / 2 x (1 + 0.1) = 220 h.
    quote = plan_quote(training(), [priced(1, CHIP_FAST, 1, "2")], CHIPS)

    option = only(quote.options)
    assert option.scaling_efficiency == pytest.approx(1 / 1.1)
    assert option.wall_clock_hours == pytest.approx(220)


def test_a_deadline_adds_instances_until_it_is_met() -> None:
    # On 4-chip instances: 1 -> 100 h, 2 -> 50 x 1.1 = 55 h, 3 -> 100 / 3 x
    # (1 + 0.1 log2 3) = 38.6165 h; the first under 50 h is 3 instances.
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8")],
        CHIPS,
        constraints=Constraints(deadline_hours=50),
    )

    option = only(quote.options)
    assert option.instances == 3
    assert option.wall_clock_hours == pytest.approx(38.6165, abs=1e-4)
    assert option.meets_deadline is True
    # 3 x $8 x 38.616541 h = $926.797.
    assert option.cost.total == Decimal("926.80")


def test_an_unreachable_deadline_returns_the_fastest_count_flagged() -> None:
    # Up to 4 instances: 100 / 4 x (1 + 0.1 x 2) = 30 h, still over 10 h.
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8")],
        CHIPS,
        constraints=Constraints(deadline_hours=10, max_instances=4),
    )

    option = only(quote.options)
    assert option.instances == 4
    assert option.wall_clock_hours == pytest.approx(30)
    assert option.meets_deadline is False


def test_max_accelerators_caps_the_deadline_search() -> None:
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8")],
        CHIPS,
        constraints=Constraints(deadline_hours=10, max_accelerators=9),
    )

    assert only(quote.options).instances == 2


def test_the_fewest_instances_over_the_limits_are_excluded() -> None:
    offers = [priced(1, CHIP_A, 1, "2"), priced(2, CHIP_A, 4, "8")]

    by_instances = plan_quote(
        training(), offers, CHIPS, constraints=Constraints(max_instances=1)
    )
    by_accelerators = plan_quote(
        training(), offers, CHIPS, constraints=Constraints(max_accelerators=3)
    )

    assert by_instances.excluded == {Exclusion.OVER_MAX_INSTANCES: 1}
    assert by_accelerators.excluded == {Exclusion.OVER_MAX_ACCELERATORS: 1}


def test_fractional_gpus_are_excluded_for_training() -> None:
    quote = plan_quote(training(), [priced(1, CHIP_A, 0.125, "0.5")], CHIPS)

    assert quote.excluded == {Exclusion.FRACTIONAL_ACCELERATORS: 1}


def test_a_global_batch_smaller_than_an_instance_excludes_it() -> None:
    # 2 sequences of 4096 tokens, micro-batch 1: at most 2 data-parallel ranks.
    workload = training(global_batch_size=2)

    quote = plan_quote(workload, [priced(1, CHIP_A, 4, "8")], CHIPS)

    assert quote.excluded == {Exclusion.BATCH_TOO_SMALL_FOR_INSTANCE: 1}


def test_the_global_batch_caps_instances_added_for_a_deadline() -> None:
    # 4 ranks allowed: 4 single-chip instances, 400 / 4 x (1 + 0.1 x 2) = 120 h.
    workload = training(global_batch_size=4)

    quote = plan_quote(
        workload,
        [priced(1, CHIP_A, 1, "2")],
        CHIPS,
        constraints=Constraints(deadline_hours=1),
    )

    option = only(quote.options)
    assert option.instances == 4
    assert option.wall_clock_hours == pytest.approx(120)


def test_scaling_overheads_can_be_overridden() -> None:
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 1, "2")],
        CHIPS,
        pricing=PricingAssumptions(scaling_overhead_slow_interconnect=0.0),
    )

    assert only(quote.options).wall_clock_hours == pytest.approx(200)
    assert quote.assumptions["scaling_overhead.slow_interconnect"].value == 0.0
