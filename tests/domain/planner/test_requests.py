"""What a quote echoes and what it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.domain.errors import InvalidWorkload
from service.domain.money import Money, UnknownCurrency
from service.domain.planner import Constraints, PricingAssumptions, plan_quote
from tests.domain.planner.catalogue import CHIP_A, CHIPS, priced, training


def test_assumptions_merge_the_estimate_and_the_planner_with_sources() -> None:
    quote = plan_quote(
        training(),
        [priced(1, CHIP_A, 4, "8"), priced(2, CHIP_A, 4, "3", "spot", "gcp")],
        CHIPS,
    )

    names = list(quote.assumptions)
    assert names.index("zero_stage") < names.index("currency")
    assert quote.assumptions["mfu.tst-a"].source == "given in the request"
    assert quote.assumptions["currency"].value == "USD"
    assert quote.assumptions["billing"].value == "per second"
    assert (
        "Megatron-LM" in quote.assumptions["scaling_overhead.fast_interconnect"].source
    )
    assert quote.assumptions["spot.checkpoint_interval_hours"].value == 1.0
    assert quote.assumptions["spot.restart_hours"].value == 0.25
    assert "spot.interruptions_per_instance_hour.gcp" in quote.assumptions
    assert "spot.interruptions_per_instance_hour.aws" not in quote.assumptions
    assert all(a.source for a in quote.assumptions.values())


@pytest.mark.parametrize(
    ("constraints", "pricing", "limit", "field"),
    [
        (Constraints(deadline_hours=0), PricingAssumptions(), 10, "deadline_hours"),
        (Constraints(max_instances=0), PricingAssumptions(), 10, "max_instances"),
        (Constraints(), PricingAssumptions(), 0, "limit"),
        (
            Constraints(),
            PricingAssumptions(spot_monthly_interruption_fraction={"aws": 1.0}),
            10,
            "spot_monthly_interruption_fraction.aws",
        ),
        (
            Constraints(),
            PricingAssumptions(reserved_utilization_elsewhere=1.5),
            10,
            "reserved_utilization_elsewhere",
        ),
        (
            Constraints(),
            PricingAssumptions(scaling_overhead_fast_interconnect=0.9),
            10,
            "scaling_overhead_fast_interconnect",
        ),
        (
            Constraints(budget=Money(Decimal(-1), "USD")),
            PricingAssumptions(),
            10,
            "budget.amount",
        ),
    ],
)
def test_inputs_no_quote_can_answer_are_refused_by_field(
    constraints: Constraints, pricing: PricingAssumptions, limit: int, field: str
) -> None:
    with pytest.raises(InvalidWorkload) as raised:
        plan_quote(
            training(), [], CHIPS, constraints=constraints, pricing=pricing, limit=limit
        )

    assert raised.value.field.endswith(field)


def test_a_budget_in_an_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        plan_quote(
            training(),
            [],
            CHIPS,
            constraints=Constraints(budget=Money(Decimal(5), "XYZ")),
        )


def test_an_empty_catalogue_gives_an_empty_quote() -> None:
    quote = plan_quote(training(), [], CHIPS)

    assert (quote.options, quote.pareto, quote.considered) == ((), (), 0)
    assert quote.excluded == {}
