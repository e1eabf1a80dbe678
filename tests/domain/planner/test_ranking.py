"""Ranking by the objective, deterministic ties, and the Pareto set before the cut."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from service.domain.catalog import PricedOffer
from service.domain.planner import (
    Objective,
    PricingAssumptions,
    TrainingOption,
    plan_quote,
)
from service.domain.planner.sweep import best_of_places, pareto_front
from tests.domain.planner.catalogue import CHIP_A, CHIP_FAST, CHIPS, priced, training

# One 4-chip instance runs 100 h; single-chip instances need 2 and run 220 h
# (1 + 0.1 log2 2: one chip to an instance counts as slow interconnect).
OFFERS = [
    priced(1, CHIP_A, 4, "8", region="r1"),  # 100 h, $800
    priced(2, CHIP_A, 1, "1", region="r2"),  # 220 h, $440
    priced(3, CHIP_FAST, 1, "3", region="r3"),  # 220 h, $1,320: slower, dearer
    priced(4, CHIP_A, 4, "4.4", region="r4"),  # 100 h, $440: as cheap as 2, faster
]


def ids(options: tuple[object, ...]) -> list[int]:
    """Return the offer ids of options, in order."""
    return [o.offer.offer_id for o in options if isinstance(o, TrainingOption)]


def test_cost_ranks_cheapest_first_and_breaks_ties_by_time() -> None:
    quote = plan_quote(training(), OFFERS, CHIPS)

    assert [o.cost.total for o in quote.options if isinstance(o, TrainingOption)] == [
        Decimal("440.00"),
        Decimal("440.00"),
        Decimal("800.00"),
        Decimal("1320.00"),
    ]
    assert ids(quote.options) == [4, 2, 1, 3]


def test_time_ranks_fastest_first_and_breaks_ties_by_cost() -> None:
    quote = plan_quote(training(), OFFERS, CHIPS, objective=Objective.TIME)

    # 2 and 3 both take 220 h: the cheaper first.
    assert ids(quote.options) == [4, 1, 2, 3]


def test_equal_cost_and_time_fall_back_to_offer_id_then_pricing_model() -> None:
    offers = [
        priced(9, CHIP_A, 4, "8", "spot", region="r9"),
        priced(7, CHIP_A, 4, "8", region="r7"),
        priced(9, CHIP_A, 4, "8", region="r9"),
    ]

    never = PricingAssumptions(spot_interruptions_per_instance_hour={"aws": 0.0})

    quote = plan_quote(
        training(), offers, CHIPS, objective=Objective.TIME, pricing=never
    )

    # Never interrupted, spot takes as long and costs as much: ids, then models.
    assert [(o.offer.offer_id, o.offer.pricing_model) for o in quote.options] == [
        (7, "on_demand"),
        (9, "on_demand"),
        (9, "spot"),
    ]


def test_the_pareto_set_is_computed_before_the_limit() -> None:
    quote = plan_quote(training(), OFFERS, CHIPS, limit=1)

    assert ids(quote.options) == [4]
    assert ids(quote.pareto) == [4]
    assert quote.considered == 4


def test_the_pareto_set_keeps_a_faster_dearer_option() -> None:
    offers = [priced(1, CHIP_A, 4, "8"), priced(2, CHIP_A, 1, "1")]

    quote = plan_quote(training(), offers, CHIPS, limit=1)

    assert ids(quote.options) == [2]
    assert ids(quote.pareto) == [2, 1]  # $440 in 220 h, $800 in 100 h


def dominates(a: tuple[Decimal, float], b: tuple[Decimal, float]) -> bool:
    """Say whether a is no worse than b on both and better on one."""
    return a[0] <= b[0] and a[1] <= b[1] and a != b


points = st.lists(
    st.tuples(st.integers(1, 30).map(Decimal), st.integers(1, 30).map(float)),
    max_size=40,
)


@given(points)
def test_pareto_points_are_exactly_the_non_dominated_ones(
    cloud: list[tuple[Decimal, float]],
) -> None:
    cloud.sort(key=lambda p: (p[1], p[0]))

    on = pareto_front(
        np.array([float(c) for c, _ in cloud]), np.array([t for _, t in cloud])
    )

    for i, point in enumerate(cloud):
        beaten = any(dominates(other, point) for other in cloud)
        assert bool(on[i]) == (not beaten)


@given(st.lists(st.sampled_from(["1", "2.5", "4", "8", "12"]), max_size=12))
def test_quote_pareto_options_beat_every_other_option(prices: list[str]) -> None:
    offers = [
        priced(i, (CHIP_A, CHIP_FAST)[i % 2], (1, 4)[i % 3 == 0], price, region=f"r{i}")
        for i, price in enumerate(prices)
    ]

    quote = plan_quote(training(), offers, CHIPS, limit=len(offers) or 1)

    every = [o for o in quote.options if isinstance(o, TrainingOption)]
    front = [o for o in quote.pareto if isinstance(o, TrainingOption)]
    point = {id(o): (o.cost.total, o.wall_clock_hours) for o in every}
    assert all(any(o is f for o in every) for f in front)
    for option in every:
        beaten = any(dominates(point[id(o)], point[id(option)]) for o in every)
        assert any(option is f for f in front) == (not beaten)


def test_the_list_keeps_the_best_option_of_each_place() -> None:
    # Same chip, pricing model and region: a 4-chip and a 1-chip instance type.
    offers = [priced(1, CHIP_A, 4, "8"), priced(2, CHIP_A, 1, "1")]

    quote = plan_quote(training(), offers, CHIPS, limit=5)

    assert ids(quote.options) == [2]  # $440 beats $800 in region r1
    assert ids(quote.pareto) == [2, 1]
    assert quote.considered == 2


def test_offers_alike_but_for_their_place_are_one_option() -> None:
    offers = [
        priced(1, CHIP_A, 4, "8", region="eu"),
        priced(2, CHIP_A, 4, "8", region="us"),
    ]
    offers = [
        PricedOffer(
            replace(p.offer, instance_type="same"),
            p.pricing_model,
            p.price_per_hour,
            p.currency,
        )
        for p in offers
    ]

    quote = plan_quote(training(), offers, CHIPS, limit=5)

    option = quote.options[0]
    assert len(quote.options) == 1
    assert [p.region for p in option.also_available_in] == ["us"]


rows_of_places = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.sampled_from([1.0, 2.0, 3.0, 5.0, np.inf]),
        st.integers(0, 3),
    ),
    max_size=30,
)


@given(rows_of_places, st.integers(1, 8))
def test_best_of_places_is_what_sorting_every_row_gives(
    rows: list[tuple[int, float, int]], limit: int
) -> None:
    place = np.array([p for p, _, _ in rows], dtype=np.int64)
    first = np.array([f for _, f, _ in rows])
    then = np.array([t for _, _, t in rows], dtype=np.int64)
    # Every row sorted by (first, then, position); each place's first row, in turn.
    order = sorted(range(len(rows)), key=lambda i: (first[i], then[i], i))
    expected: list[int] = []
    for i in order:
        if place[i] not in {place[j] for j in expected}:
            expected.append(i)

    found = best_of_places(place, first, (np.arange(len(rows)), then), limit)

    assert found.tolist() == expected[:limit]
