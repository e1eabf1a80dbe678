"""Serving fleets: replicas, instances and cost per hour, month and million tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.domain.errors import InvalidWorkload
from service.domain.money import Money
from service.domain.planner import (
    Constraints,
    InferenceOption,
    PricingAssumptions,
    plan_quote,
)
from tests.domain.planner.catalogue import CHIP_A, CHIPS, fleet, priced

# One 10 GiB chip holds the 2e9 B of bf16 weights. On it, at MFU 0.5 and MBU 0.5:
# TTFT = 2e9 x 1,000 FLOPs / 50e12 = 0.04 s (reading 2e9 B takes only 0.004 s);
# TPOT = 2e9 B / 500e9 B/s = 0.004 s; a request takes 0.04 + 200 x 0.004 = 0.84 s.


def only(quote_options: tuple[object, ...]) -> InferenceOption:
    """Return the single inference option of a quote."""
    (option,) = quote_options
    assert isinstance(option, InferenceOption)
    return option


def test_a_fleet_for_ten_requests_a_second_by_hand() -> None:
    quote = plan_quote(
        fleet(requests_per_second=10), [priced(1, CHIP_A, 4, "2")], CHIPS
    )

    option = only(quote.options)
    assert option.replica_accelerators == 1
    assert option.ttft_seconds == pytest.approx(0.04)
    assert option.tpot_seconds == pytest.approx(0.004)
    assert option.replica_requests_per_second == pytest.approx(1 / 0.84)
    # ceil(10 x 0.84) = 9 replicas, 4 to an instance: 3 instances.
    assert (option.replicas, option.replicas_per_instance) == (9, 4)
    assert (option.instances, option.accelerators) == (3, 12)
    # 3 x $2 an hour; a 30-day month is 720 h.
    assert option.cost_per_hour.total == Decimal("6.00")
    assert option.cost_per_month.total == Decimal("4320.00")
    # 10 x 200 x 3,600 = 7.2e6 output tokens an hour: $6 / 7.2 per million.
    assert option.output_tokens_per_hour == pytest.approx(7.2e6)
    assert option.cost_per_million_tokens == Decimal("0.833333")
    assert option.memory.per_accelerator_gib == pytest.approx(2e9 / 2**30)


def test_a_tight_tpot_target_doubles_the_replica() -> None:
    # Two chips read the weights in 0.002 s; a request takes 0.02 + 0.4 = 0.42 s,
    # so ceil(10 x 0.42) = 5 replicas, 2 to an instance: 3 instances.
    workload = fleet(requests_per_second=10, tpot_target_seconds=0.003)

    quote = plan_quote(workload, [priced(1, CHIP_A, 4, "2")], CHIPS)

    option = only(quote.options)
    assert option.replica_accelerators == 2
    assert option.tpot_seconds == pytest.approx(0.002)
    assert option.meets_tpot_target is True
    assert (option.replicas, option.instances) == (5, 3)


def test_a_target_no_replica_meets_takes_the_fastest_flagged() -> None:
    workload = fleet(requests_per_second=10, tpot_target_seconds=0.0001)

    quote = plan_quote(workload, [priced(1, CHIP_A, 4, "2")], CHIPS)

    option = only(quote.options)
    assert option.replica_accelerators == 4
    assert option.meets_tpot_target is False


def test_no_target_fills_one_instance() -> None:
    quote = plan_quote(fleet(), [priced(1, CHIP_A, 4, "2")], CHIPS)

    option = only(quote.options)
    assert (option.replicas, option.instances) == (4, 1)
    # 4 / 0.84 requests a second x 200 tokens x 3,600 s = 3,428,571 tokens an hour.
    assert option.cost_per_million_tokens == Decimal("0.583333")


def test_spot_fleets_pay_for_spare_capacity() -> None:
    # L x R = 0.01 x 0.25 = 0.0025 extra instance-hours per instance-hour.
    pricing = PricingAssumptions(spot_interruptions_per_instance_hour={"aws": 0.01})

    quote = plan_quote(
        fleet(requests_per_second=10),
        [priced(1, CHIP_A, 4, "2", "spot")],
        CHIPS,
        pricing=pricing,
    )

    option = only(quote.options)
    # $6 x 1.0025 = $6.015, half to even: $6.02.
    assert option.cost_per_hour.parts == {
        "compute": Decimal("6.00"),
        "spot_interruption_overhead": Decimal("0.02"),
    }
    assert option.cost_per_hour.total == Decimal("6.02")
    assert option.cost_per_month.total == Decimal("4330.80")


def test_a_reserved_fleet_is_fully_used() -> None:
    quote = plan_quote(
        fleet(requests_per_second=10),
        [priced(1, CHIP_A, 4, "1.5", "reserved_1y")],
        CHIPS,
    )

    assert only(quote.options).cost_per_hour.parts == {"compute": Decimal("4.50")}


def test_a_monthly_budget_is_checked_against_the_month() -> None:
    budget = Money(Decimal("4000"), "USD")

    quote = plan_quote(
        fleet(requests_per_second=10),
        [priced(1, CHIP_A, 4, "2")],
        CHIPS,
        constraints=Constraints(budget=budget),
    )

    assert only(quote.options).within_budget is False


def test_a_deadline_does_not_apply_to_a_fleet() -> None:
    with pytest.raises(InvalidWorkload) as raised:
        plan_quote(fleet(), [], CHIPS, constraints=Constraints(deadline_hours=5))

    assert raised.value.field == "constraints.deadline_hours"
