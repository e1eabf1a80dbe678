"""POST /v1/quotes over the five real catalogues."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

# Every real snapshot is valid on this day (../shared/data/catalogs/SOURCE.md).
AS_OF = "2026-06-01T00:00:00Z"
LLAMA_2_7B = {
    "kind": "pretraining",
    "model": {"preset": "llama-2-7b"},
    "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
}
CENT = Decimal("0.01")


def quote(client: TestClient, **body: Any) -> dict[str, Any]:
    """POST a quote at AS_OF and return the answer."""
    response = client.post("/v1/quotes", json={"as_of": AS_OF} | body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def priced_pairs(client: TestClient) -> int:
    """(offer, pricing model) pairs with a price at AS_OF, counted through the API."""
    total, offset = 0, 0
    while True:
        page = client.get(
            "/v1/offers", params={"as_of": AS_OF, "limit": 500, "offset": offset}
        ).json()
        total += sum(len(offer["prices"]) for offer in page["items"])
        offset += 500
        if offset >= page["total"]:
            return total


def test_llama_2_7b_in_30_days_has_ranked_options_from_four_providers(
    real_client: TestClient,
) -> None:
    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"deadline_hours": 720},
        limit=200,
    )

    options = answer["options"]
    providers = {o["provider"] for o in options}
    assert {"aws", "gcp", "azure", "lambda"} <= providers
    totals = [Decimal(o["cost"]["total"]) for o in options]
    assert totals == sorted(totals)
    assert all(o["meets_deadline"] for o in options[:10])
    assert answer["catalog_version"] >= 1


def test_every_number_of_an_option_traces_to_a_price_and_a_formula(
    real_client: TestClient,
) -> None:
    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"deadline_hours": 720, "pricing_models": ["on_demand"]},
        limit=50,
    )

    for option in answer["options"]:
        price = Decimal(option["price_per_hour"])
        hours = option["wall_clock_hours"]
        parts = {k: Decimal(v) for k, v in option["cost"]["parts"].items()}
        total = Decimal(option["cost"]["total"])
        assert option["accelerators"] == (
            option["instances"] * option["accelerators_per_instance"]
        )
        assert option["accelerator_hours"] == pytest.approx(
            option["accelerators"] * hours
        )
        assert sum(parts.values()) == total
        # On-demand, billed per second: price x instances x hours, rounded once.
        exact = price * option["instances"] * Decimal(repr(hours))
        assert abs(total - exact) <= CENT
        # Hours from FLOPs: 6 x 6.74e9 x 2e12 / (accelerators x peak x MFU x eff).
        flops = 6 * 6_738_415_616 * 2e12
        rate = option["accelerators"] * option["peak_tflops"] * 1e12 * option["mfu"]
        assert option["work_hours"] == pytest.approx(
            flops / (rate * option["scaling_efficiency"]) / 3600, rel=1e-6
        )


def test_spot_costs_more_than_its_sticker_price_implies(
    real_client: TestClient,
) -> None:
    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"pricing_models": ["spot"]},
        limit=20,
    )

    for option in answer["options"]:
        sticker = (
            Decimal(option["price_per_hour"])
            * option["instances"]
            * Decimal(repr(option["work_hours"]))
        )
        assert option["wall_clock_hours"] > option["work_hours"]
        assert Decimal(option["cost"]["total"]) > sticker - CENT
        assert Decimal(option["cost"]["parts"]["spot_interruption_overhead"]) > 0
    assert "spot_interruptions_per_instance_hour.aws" in answer["assumptions"] or any(
        name.startswith("spot") for name in answer["assumptions"]
    )


def test_filters_and_excluded_agree(real_client: TestClient) -> None:
    everything = priced_pairs(real_client)

    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"providers": ["lambda"]},
        limit=200,
    )

    assert {o["provider"] for o in answer["options"]} == {"lambda"}
    assert answer["considered"] + sum(answer["excluded"].values()) == everything
    assert answer["excluded"]["provider_filtered"] > 0


def test_the_pareto_set_is_really_non_dominated(real_client: TestClient) -> None:
    answer = quote(real_client, workload=LLAMA_2_7B, limit=200)

    def point(option: dict[str, Any]) -> tuple[Decimal, float]:
        return Decimal(option["cost"]["total"]), option["wall_clock_hours"]

    front = [point(o) for o in answer["pareto"]]
    assert front
    for cost, hours in front:
        assert not any(
            (c <= cost and h <= hours) and (c < cost or h < hours)
            for c, h in map(point, answer["options"])
        )
    for option in answer["options"]:
        cost, hours = point(option)
        assert any(c <= cost and h <= hours for c, h in front)


def test_objective_time_ranks_by_wall_clock(real_client: TestClient) -> None:
    answer = quote(real_client, workload=LLAMA_2_7B, objective="time", limit=20)

    hours = [o["wall_clock_hours"] for o in answer["options"]]
    assert hours == sorted(hours)


def test_a_budget_marks_options_within_it(real_client: TestClient) -> None:
    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"budget": {"amount": "80000", "currency": "USD"}},
        limit=100,
    )

    for option in answer["options"]:
        within = Decimal(option["cost"]["total"]) <= Decimal("80000")
        assert option["within_budget"] is within


def test_a_reserved_term_is_charged_whole(real_client: TestClient) -> None:
    answer = quote(
        real_client,
        workload=LLAMA_2_7B,
        constraints={"pricing_models": ["reserved_1y"]},
        limit=5,
    )

    option = answer["options"][0]
    assert option["reserved_terms"] >= 1
    # A 1-year term is 8,760 hours of each instance, used or not.
    charged = (
        Decimal(option["price_per_hour"])
        * option["instances"]
        * 8760
        * option["reserved_terms"]
    )
    assert abs(Decimal(option["cost"]["total"]) - charged) <= CENT
    assert Decimal(option["cost"]["parts"]["reserved_idle"]) > 0


def test_an_inference_quote_is_a_serving_fleet(real_client: TestClient) -> None:
    workload = {
        "kind": "inference",
        "model": {"preset": "llama-3.1-8b"},
        "inference": {
            "prompt_tokens": 1000,
            "output_tokens": 200,
            "batch_size": 16,
            "requests_per_second": 20,
        },
    }

    answer = quote(real_client, workload=workload, limit=10)

    for option in answer["options"]:
        assert option["type"] == "serving_fleet"
        per_hour = Decimal(option["cost_per_hour"]["total"])
        # Each is rounded once from the exact cost: 720 half-cents apart at most.
        month = Decimal(option["cost_per_month"]["total"])
        assert abs(month - per_hour * 720) <= Decimal("3.60")
        # 20 requests/s x 200 tokens x 3,600 s = 14.4 M tokens an hour.
        assert option["output_tokens_per_hour"] == pytest.approx(14_400_000)
        per_million = per_hour / Decimal("14.4")
        assert abs(Decimal(option["cost_per_million_tokens"]) - per_million) <= CENT


def test_an_unknown_provider_names_the_nearest(real_client: TestClient) -> None:
    response = real_client.post(
        "/v1/quotes",
        json={"workload": LLAMA_2_7B, "constraints": {"providers": ["azur"]}},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["nearest"] == ["azure"]
    assert body["errors"][0]["field"] == "body.constraints.providers"


def test_a_deadline_of_zero_is_refused(real_client: TestClient) -> None:
    response = real_client.post(
        "/v1/quotes",
        json={"workload": LLAMA_2_7B, "constraints": {"deadline_hours": 0}},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.constraints.deadline_hours"


def test_prices_before_any_snapshot_leave_no_option(real_client: TestClient) -> None:
    response = real_client.post(
        "/v1/quotes",
        json={"workload": LLAMA_2_7B, "as_of": "2020-01-01T00:00:00Z"},
    )

    answer = response.json()
    assert answer["options"] == []
    assert answer["excluded"]["no_price_at_as_of"] > 0


def test_a_repeated_quote_is_the_computed_one_at_its_own_instant(
    real_client: TestClient,
) -> None:
    # The first answer is computed (in a worker thread), the second is the kept
    # one; both instants fall between the same price changes (catalogs/SOURCE.md).
    computed = quote(real_client, workload=LLAMA_2_7B)
    kept = real_client.post(
        "/v1/quotes", json={"workload": LLAMA_2_7B, "as_of": "2026-06-02T00:00:00Z"}
    ).json()

    assert kept["as_of"] == "2026-06-02T00:00:00Z"
    assert computed["as_of"] == "2026-06-01T00:00:00Z"
    assert kept | {"as_of": AS_OF} == computed
