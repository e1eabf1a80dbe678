"""Spot and reserved capacity charged honestly: interruptions and idle terms."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from service.domain.planner import Constraints, Exclusion, TrainingOption, plan_quote
from service.domain.planner.inputs import PricingAssumptions
from service.domain.spot import rate_from_monthly_fraction
from tests.domain.planner.catalogue import CHIP_A, CHIP_B, CHIPS, priced, training

# Rate 0.01 per instance-hour, checkpoints every hour, half an hour to restart.
SPOT = PricingAssumptions(
    spot_interruptions_per_instance_hour={"aws": 0.01},
    checkpoint_interval_hours=1.0,
    restart_hours=0.5,
    scaling_overhead_slow_interconnect=0.0,
)


def option_of(quote_options: tuple[object, ...]) -> TrainingOption:
    """Return the single training option of a quote."""
    (option,) = quote_options
    assert isinstance(option, TrainingOption)
    return option


def test_spot_pays_for_the_work_lost_to_interruptions() -> None:
    # ZeRO-3 shards all 16e9 B: ceil(16e9 / 2 GiB) = 8 single-chip instances.
    # No scaling loss: W = 400 / 8 = 50 h. Job rate 8 x 0.01 = 0.08 per hour,
    # each interruption loses tau / 2 + R = 1 h: lost fraction 0.08, T = W / 0.92.
    workload = training(zero_stage=3)

    quote = plan_quote(
        workload, [priced(1, CHIP_B, 1, "1", "spot")], CHIPS, pricing=SPOT
    )

    option = option_of(quote.options)
    assert option.instances == 8
    assert option.work_hours == pytest.approx(50)
    assert option.wall_clock_hours == pytest.approx(50 / 0.92)
    assert option.expected_interruptions == pytest.approx(0.08 * 50 / 0.92)
    # 8 x $1 x 54.3478 h = $434.78, of which 8 x $1 x 50 h = $400 is the work.
    assert option.cost.total == Decimal("434.78")
    assert option.cost.parts == {
        "compute": Decimal("400.00"),
        "spot_interruption_overhead": Decimal("34.78"),
    }


def test_spot_that_never_finishes_is_excluded() -> None:
    # 8 x 0.2 per hour x 1 h lost each time: a lost fraction of 1.6.
    pricing = PricingAssumptions(
        spot_interruptions_per_instance_hour={"aws": 0.2},
        checkpoint_interval_hours=1.0,
        restart_hours=0.5,
    )

    quote = plan_quote(
        training(zero_stage=3),
        [priced(1, CHIP_B, 1, "1", "spot")],
        CHIPS,
        pricing=pricing,
    )

    assert quote.excluded == {Exclusion.SPOT_NEVER_FINISHES: 1}
    assert quote.options == ()


def test_spot_adds_instances_for_a_deadline_on_expected_hours() -> None:
    # 4-chip instances: 1 -> 100 h uninterrupted, 2 -> 50 h. On spot at 0.01 per
    # instance-hour with 1 h lost each time, 2 instances expect 50 / 0.98 = 51.02 h,
    # over a 51 h deadline; 3 expect 33.33 / 0.97 = 34.36 h.
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8", "spot")],
        CHIPS,
        constraints=Constraints(deadline_hours=51),
        pricing=SPOT,
    )

    option = option_of(quote.options)
    assert option.instances == 3
    assert option.wall_clock_hours == pytest.approx(100 / 3 / 0.97)


def test_default_spot_rate_comes_from_the_monthly_fraction() -> None:
    quote = plan_quote(training(), [priced(1, CHIP_A, 4, "8", "spot")], CHIPS)

    rate = quote.assumptions["spot.interruptions_per_instance_hour.aws"]
    # 15% of instances a month: -ln(0.85) / 730 h.
    assert rate.value == pytest.approx(-math.log(0.85) / 730)
    assert rate.value == rate_from_monthly_fraction(0.15)
    assert "Spot Instance Advisor" in rate.source


def test_a_monthly_fraction_given_for_a_provider_is_used() -> None:
    pricing = PricingAssumptions(spot_monthly_interruption_fraction={"vast": 0.5})

    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8", "spot", provider="vast")],
        CHIPS,
        pricing=pricing,
    )

    rate = quote.assumptions["spot.interruptions_per_instance_hour.vast"]
    assert rate.value == pytest.approx(math.log(2) / 730)
    assert "given in the request" in rate.source


def test_a_reserved_year_is_charged_whole_for_a_100_hour_job() -> None:
    # One 4-chip instance for 100 h, reserved at $5/h: 8,760 h are paid.
    quote = plan_quote(training(), [priced(1, CHIP_A, 4, "5", "reserved_1y")], CHIPS)

    option = option_of(quote.options)
    assert option.reserved_terms == 1
    assert option.billed_instance_hours == 8760
    assert option.cost.parts == {
        "compute": Decimal("500.00"),
        "reserved_idle": Decimal("43300.00"),
    }
    assert option.cost.total == Decimal("43800.00")


def test_idle_reserved_hours_used_elsewhere_are_not_charged_to_the_job() -> None:
    pricing = PricingAssumptions(reserved_utilization_elsewhere=0.5)

    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "5", "reserved_1y")],
        CHIPS,
        pricing=pricing,
    )

    # $500 of work + half of the 8,660 idle hours x $5 = $21,650.
    assert option_of(quote.options).cost.total == Decimal("22150.00")
    assert quote.assumptions["reserved_utilization_elsewhere"].value == 0.5


def test_a_job_longer_than_the_term_pays_whole_terms() -> None:
    # 100 x 1.2e10 tokens: 10,000 h on one instance, two 1-year terms.
    workload = training(tokens=1_200_000_000_000)

    quote = plan_quote(workload, [priced(1, CHIP_A, 4, "5", "reserved_1y")], CHIPS)

    option = option_of(quote.options)
    assert option.reserved_terms == 2
    assert option.cost.total == Decimal("87600.00")  # 2 x 8,760 h x $5


def test_a_three_year_term_is_26280_hours() -> None:
    quote = plan_quote(training(), [priced(1, CHIP_A, 4, "2", "reserved_3y")], CHIPS)

    assert option_of(quote.options).cost.total == Decimal("52560.00")
