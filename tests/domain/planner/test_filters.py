"""Filters and exclusions: every priced offer is an option or exactly one reason."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.catalog import PricedOffer
from service.domain.models import ModelArchitecture
from service.domain.money import Money
from service.domain.planner import Constraints, Exclusion, plan_quote
from service.domain.planner.index import index_offers
from tests.domain.helpers import serving
from tests.domain.planner.catalogue import (
    CHIP_A,
    CHIP_B,
    CHIP_NO_BF16,
    CHIPS,
    ROUND,
    fleet,
    priced,
    training,
)

MIXED = [
    priced(1, CHIP_A, 4, "8", provider="aws", region="us"),
    priced(2, CHIP_A, 4, "9", provider="gcp", region="eu"),
    priced(3, CHIP_A, 4, "3", "spot", provider="gcp", region="us"),
    priced(4, CHIP_B, 1, "1", provider="aws", region="us"),
    priced(5, CHIP_NO_BF16, 8, "4", provider="aws", region="us"),
    priced(6, "no-such-chip", 8, "4", provider="aws", region="us"),
    priced(7, CHIP_A, 0.5, "1", provider="aws", region="us"),
    priced(8, CHIP_A, 4, "7", "reserved_5y", provider="aws", region="us"),
    priced(9, CHIP_A, 4, "7", currency="EUR", provider="aws", region="us"),
    priced(10, CHIP_A, 4, "0", provider="aws", region="us"),
]


def test_every_reason_is_counted_once() -> None:
    quote = plan_quote(training(zero_stage=1), MIXED, CHIPS)

    # At ZeRO-1, CHIP_B holds 4e9 B of weights and gradients per chip, over its
    # 2 GiB (left to the defaults, ZeRO-3 would shard them: see test_sizing).
    assert quote.excluded == {
        Exclusion.UNKNOWN_PRICING_MODEL: 1,
        Exclusion.CURRENCY_MISMATCH: 1,
        Exclusion.NON_POSITIVE_PRICE: 1,
        Exclusion.UNKNOWN_ACCELERATOR: 1,
        Exclusion.FRACTIONAL_ACCELERATORS: 1,
        Exclusion.NO_PEAK_FOR_PRECISION: 1,
        Exclusion.DOES_NOT_FIT_MEMORY: 1,
    }
    assert quote.considered == 3
    assert quote.considered + sum(quote.excluded.values()) == len(MIXED)


def test_filters_come_first_and_count_what_they_remove() -> None:
    quote = plan_quote(
        training(),
        MIXED,
        CHIPS,
        constraints=Constraints(
            providers=frozenset({"aws", "gcp"}),
            regions=frozenset({"us"}),
            accelerators=frozenset({"tst-a"}),
            pricing_models=frozenset({"on_demand"}),
        ),
    )

    assert quote.excluded == {
        Exclusion.REGION_FILTERED: 1,  # 2
        Exclusion.ACCELERATOR_FILTERED: 3,  # 4, 5, 6
        Exclusion.PRICING_MODEL_FILTERED: 2,  # 3, 8
        Exclusion.CURRENCY_MISMATCH: 1,  # 9
        Exclusion.NON_POSITIVE_PRICE: 1,  # 10
        Exclusion.FRACTIONAL_ACCELERATORS: 1,  # 7
    }
    assert [o.offer.offer_id for o in quote.options] == [1]


def test_a_provider_filter_removes_whole_providers() -> None:
    quote = plan_quote(
        training(), MIXED, CHIPS, constraints=Constraints(providers=frozenset({"gcp"}))
    )

    assert quote.excluded == {Exclusion.PROVIDER_FILTERED: 8}
    assert sorted(o.offer.offer_id for o in quote.options) == [2, 3]


def test_a_budget_in_euros_excludes_dollar_offers_and_flags_the_rest() -> None:
    offers = [
        priced(1, CHIP_A, 4, "8", currency="EUR", region="eu-1"),
        priced(2, CHIP_A, 4, "9", currency="EUR", region="eu-2"),
        priced(3, CHIP_A, 4, "1"),
    ]
    budget = Money(Decimal("850"), "EUR")

    quote = plan_quote(
        training(), offers, CHIPS, constraints=Constraints(budget=budget)
    )

    assert quote.currency == "EUR"
    assert quote.excluded == {Exclusion.CURRENCY_MISMATCH: 1}
    # 100 h on one instance: EUR 800 is within 850, EUR 900 is not.
    assert [(o.cost.total, o.within_budget) for o in quote.options] == [
        (Decimal("800.00"), True),
        (Decimal("900.00"), False),
    ]


def test_a_replica_bigger_than_the_instance_is_excluded_for_serving() -> None:
    # 2e9 parameters in bf16 are 4e9 B: two 2 GiB chips, one per instance.
    workload = serving(ModelArchitecture(parameters=2_000_000_000), assumptions=ROUND)

    quote = plan_quote(workload, [priced(1, CHIP_B, 1, "1")], CHIPS)

    assert quote.excluded == {Exclusion.REPLICA_LARGER_THAN_INSTANCE: 1}


ids = st.sampled_from(["tst-a", "tst-b", "tst-old", "tst-f", "nope"])
models = st.sampled_from(["on_demand", "spot", "reserved_1y", "reserved_3y", "other"])


@st.composite
def catalogues(draw: st.DrawFn) -> list[PricedOffer]:
    """Draw a messy catalogue: unknown chips and models, odd counts and prices."""
    count = draw(st.integers(0, 25))
    return [
        priced(
            i,
            draw(ids),
            draw(st.sampled_from([0.5, 1, 2, 4, 8])),
            str(draw(st.sampled_from([0, 1, 2.5, 8, 30]))),
            draw(models),
            draw(st.sampled_from(["aws", "gcp", "vast"])),
            draw(st.sampled_from(["r1", "r2"])),
            draw(st.sampled_from(["USD", "USD", "EUR"])),
        )
        for i in range(count)
    ]


constraint_sets = st.builds(
    Constraints,
    deadline_hours=st.one_of(st.none(), st.sampled_from([5.0, 60.0, 500.0])),
    providers=st.one_of(st.none(), st.just(frozenset({"aws", "vast"}))),
    regions=st.one_of(st.none(), st.just(frozenset({"r1"}))),
    pricing_models=st.one_of(st.none(), st.just(frozenset({"spot", "on_demand"}))),
    max_instances=st.one_of(st.none(), st.integers(1, 6)),
)


@settings(max_examples=60, deadline=None)
@given(catalogues(), constraint_sets, st.integers(1, 5))
def test_considered_plus_excluded_is_every_priced_offer(
    offers: list[PricedOffer], constraints: Constraints, limit: int
) -> None:
    quote = plan_quote(training(), offers, CHIPS, constraints=constraints, limit=limit)

    assert quote.considered + sum(quote.excluded.values()) == len(offers)
    assert all(count > 0 for count in quote.excluded.values())
    assert len(quote.options) <= min(limit, quote.considered)
    places = [
        (
            o.offer.provider,
            o.offer.accelerator_id,
            o.offer.pricing_model,
            o.offer.region,
        )
        for o in quote.options
    ]
    assert len(places) == len(set(places))  # one option per place


@settings(max_examples=30, deadline=None)
@given(catalogues())
def test_an_index_built_once_gives_the_same_fleet_quote(
    offers: list[PricedOffer],
) -> None:
    from_list = plan_quote(fleet(requests_per_second=3), offers, CHIPS)

    from_index = plan_quote(fleet(requests_per_second=3), index_offers(offers), CHIPS)

    assert from_index == from_list
    assert from_list.considered + sum(from_list.excluded.values()) == len(offers)
