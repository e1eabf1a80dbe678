"""POST /v1/tco: buying accelerators against renting them, checked by hand."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from service.app import create_app
from service.settings import Settings
from tests.conftest import make_key

# Every real snapshot is valid on this day (../shared/data/catalogs/SOURCE.md).
AS_OF = "2026-06-01T00:00:00Z"
# 512 H100s busy 80% of 730 hours a month: the issue's case.
MONTHLY_HOURS = 512 * 730 * Decimal("0.8")
ISSUE_CASE: dict[str, Any] = {
    "accelerator": "H100",
    "demand": {
        "accelerator_hours_per_month": float(MONTHLY_HOURS),
        "horizon_months": 36,
        "utilisation": 0.8,
    },
    "buying": {"accelerator_count": 512},
    "rental": {"as_of": AS_OF},
}
LLAMA_2_7B = {
    "kind": "pretraining",
    "model": {"preset": "llama-2-7b"},
    "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
}
CENT = Decimal("0.01")
TENTH_OF_A_CENT = Decimal("0.001")


def compare(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    """POST a comparison and return the answer."""
    response = client.post("/v1/tco", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def strategy(answer: dict[str, Any], name: str) -> dict[str, Any]:
    """One strategy of an answer."""
    found: dict[str, Any] = next(
        s for s in answer["strategies"] if s["strategy"] == name
    )
    return found


def money(value: str) -> Decimal:
    """An amount of the answer."""
    return Decimal(value)


def assert_totals_add_up(answer: dict[str, Any]) -> None:
    """Each total is its parts and its months, give or take their rounding."""
    for result in answer["strategies"]:
        if not result["available"]:
            assert result["reason"]
            continue
        total = money(result["total"])
        parts = [money(v) for v in result["parts"].values()]
        months = [money(v) for v in result["cash_flow_per_month"]]
        amortised = [money(v) for v in result["amortised_cost_per_month"]]
        # Each figure is rounded half-even on its own: at most half a cent apart.
        assert abs(sum(parts) - total) <= len(parts) * CENT / 2
        assert abs(sum(months) - total) <= len(months) * CENT / 2
        assert abs(sum(amortised) - total) <= len(amortised) * CENT / 2
        assert len(months) == answer["horizon_months"]


def cloud_servers(client: TestClient) -> list[int]:
    """H100 offers of 8-GPU servers priced at AS_OF, but Vast's marketplace hosts."""
    page = client.get(
        "/v1/offers",
        params={
            "as_of": AS_OF,
            "accelerator": "H100",
            "min_accelerators": 8,
            "limit": 500,
        },
    ).json()
    assert page["total"] <= 500
    return [o["id"] for o in page["items"] if o["provider"] != "vast"]


def test_512_h100s_for_three_years_from_the_clouds_break_even_by_hand(
    real_client: TestClient,
) -> None:
    # A 512-GPU cluster rents whole 8-GPU servers of a cloud, not marketplace hosts.
    body = ISSUE_CASE | {
        "rental": {"as_of": AS_OF, "offer_ids": cloud_servers(real_client)}
    }

    answer = compare(real_client, body)

    offers = {o["pricing_model"]: o for o in answer["rental_offers"]}
    assert offers.keys() == {"on_demand", "spot"}
    on_demand = offers["on_demand"]
    assert (on_demand["provider"], on_demand["instance_type"]) == (
        "lambda",
        "gpu_8x_h100_sxm5",
    )
    assert money(on_demand["price_per_accelerator_hour"]) == Decimal("3.99")
    # The real catalogue prices no H100 reservation.
    for term in ("rent_reserved_1y", "rent_reserved_3y"):
        assert not strategy(answer, term)["available"]
        assert "no reserved" in strategy(answer, term)["reason"]
    rented = strategy(answer, "rent_on_demand")
    assert money(rented["total"]) == MONTHLY_HOURS * 36 * Decimal("3.99")
    buy = strategy(answer, "buy")
    assert buy["owned_accelerators"] == 512
    # 512 x $33,600 list price x 1.23 for the network.
    assert money(buy["parts"]["capital"]) == Decimal("21159936.00")

    units = answer["owned_unit_costs"]
    fixed = money(units["fixed_per_owned_hour"])
    variable = money(units["variable_per_used_hour"])
    row = next(r for r in answer["break_even"] if r["pricing_model"] == "on_demand")
    assert 0 < row["utilisation"] < 1
    price = money(row["rental_price_per_accelerator_hour"])
    assert price == money(on_demand["price_per_accelerator_hour"])
    utilisation = Decimal(repr(row["utilisation"]))
    assert abs(fixed / utilisation + variable - price) <= TENTH_OF_A_CENT

    # Owned hardware used 80% of the time, above the 48% break-even, beats renting
    # its hours on demand: the best hybrid owns the whole peak fleet.
    assert row["utilisation"] == pytest.approx(0.4805, abs=1e-4)
    hybrid = strategy(answer, "hybrid")
    assert answer["hybrid_owned_accelerators"] == 512
    assert hybrid["owned_accelerators"] == 512
    assert money(hybrid["total"]) <= min(money(buy["total"]), money(rented["total"]))
    cheapest = min(
        (s for s in answer["strategies"] if s["available"]),
        key=lambda s: money(s["total"]),
    )
    assert answer["cheapest"] == cheapest["strategy"]
    assert_totals_add_up(answer)


def test_512_h100s_at_the_cheapest_real_prices_never_break_even(
    real_client: TestClient,
) -> None:
    answer = compare(real_client, ISSUE_CASE)

    offers = {o["pricing_model"]: o for o in answer["rental_offers"]}
    assert offers["on_demand"]["provider"] == "vast"
    assert money(offers["on_demand"]["price_per_accelerator_hour"]) == Decimal("1.8")
    units = answer["owned_unit_costs"]
    fixed = money(units["fixed_per_owned_hour"])
    variable = money(units["variable_per_used_hour"])
    for row in answer["break_even"]:
        # Owning costs more per used hour than renting even fully used: u > 1.
        price = money(row["rental_price_per_accelerator_hour"])
        assert row["utilisation"] is None
        assert fixed + variable > price
        needed = re.search(r"utilisation of ([0-9.]+)", row["reason"])
        assert needed is not None
        assert abs(Decimal(needed[1]) - fixed / (price - variable)) <= Decimal("0.002")
    assert answer["hybrid_owned_accelerators"] == 0
    assert answer["cheapest"] == "rent_spot"
    assert answer["catalog_version"] >= 1
    assert answer["as_of"] == "2026-06-01T00:00:00Z"
    assert_totals_add_up(answer)


def test_demand_from_a_workload_is_its_estimated_hours_times_its_runs(
    client: TestClient,
) -> None:
    estimate = client.post(
        "/v1/estimates", json={"workload": LLAMA_2_7B, "accelerators": ["h100"]}
    ).json()
    per_run = estimate["accelerators"][0]["accelerator_hours"]

    answer = compare(
        client,
        {
            "accelerator": "h100",
            "demand": {
                "workload": LLAMA_2_7B,
                "runs_per_month": 2,
                "horizon_months": 12,
            },
        },
    )

    demand = answer["demand"]
    assert demand["source"] == "workload"
    assert demand["accelerator_hours_per_run"] == pytest.approx(per_run)
    assert demand["accelerator_hours_per_month"] == pytest.approx([2 * per_run] * 12)
    delivered = strategy(answer, "rent_on_demand")["accelerator_hours_delivered"]
    assert delivered == pytest.approx(24 * per_run)


@pytest.fixture
def other_team(real_catalog_sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client of another team over the same real catalogues."""
    settings = Settings(
        auto_migrate=False, load_bundled_catalog=False, database_url="test"
    )
    app = create_app(settings, sessions=real_catalog_sessions)
    key = make_key(real_catalog_sessions, f"team-{uuid.uuid4().hex[:8]}", "read")
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def test_demand_from_a_saved_plan_is_its_workload_and_only_its_team_sees_it(
    real_client: TestClient, other_team: TestClient
) -> None:
    saved = real_client.post(
        "/v1/plans",
        json={"name": "llama 2 7b", "workload": LLAMA_2_7B, "as_of": AS_OF},
    )
    assert saved.status_code == 201, saved.text
    plan_id = saved.json()["id"]
    body = {
        "accelerator": "h100",
        "demand": {"plan_id": plan_id, "runs_per_month": 3, "horizon_months": 6},
        "rental": {"as_of": AS_OF},
    }
    estimate = real_client.post(
        "/v1/estimates", json={"workload": LLAMA_2_7B, "accelerators": ["h100"]}
    ).json()

    answer = compare(real_client, body)
    elsewhere = other_team.post("/v1/tco", json=body)

    per_run = estimate["accelerators"][0]["accelerator_hours"]
    assert answer["demand"]["source"] == "plan_id"
    assert answer["demand"]["plan_id"] == plan_id
    assert answer["demand"]["accelerator_hours_per_month"] == pytest.approx(
        [3 * per_run] * 6
    )
    assert elsewhere.status_code == 404
    assert elsewhere.json()["type"] == "/problems/not-found"


def test_edge_devices_and_transfer_cost_every_strategy_alike(
    client: TestClient,
) -> None:
    edge = {
        "device_count": 10,
        "unit_cost": "2000",
        "power_watts": 50,
        "lifetime_months": 24,
        "work_share": 0.25,
        "transfer_gb_per_month": 1000,
        "price_per_gb": "0.05",
    }

    answer = compare(
        client,
        {
            "accelerator": "h100",
            "demand": {
                "accelerator_hours_per_month": [800, 1600, 2400],
                "horizon_months": 3,
            },
            "edge": edge,
        },
    )

    # 10 x $2,000 / 24 a month, and 10 x 50 W x 730 h x $0.0806/kWh, for 3 months.
    devices = 10 * Decimal(2000) / 24 * 3
    power = 10 * Decimal(50) * 730 / 1000 * Decimal("0.0806") * 3
    for result in answer["strategies"]:
        if result["available"]:
            assert money(result["parts"]["edge"]) == round(devices + power, 2)
            assert money(result["parts"]["transfer"]) == Decimal("150.00")
    # The edge does a quarter of the work: 3,600 of 4,800 hours are rented.
    rented = strategy(answer, "rent_on_demand")["rented_accelerator_hours"]
    assert rented == pytest.approx(3600)


def test_spot_values_left_out_keep_their_defaults_and_sources(
    client: TestClient,
) -> None:
    answer = compare(
        client,
        {
            "accelerator": "h100",
            "demand": {"accelerator_hours_per_month": 7300, "horizon_months": 12},
            "spot": {"interruptions_per_month": 0.1, "checkpoint_interval_hours": 0.5},
        },
    )

    used = answer["assumptions"]
    assert used["spot.checkpoint_interval_hours"] == {
        "value": 0.5,
        "source": "given in the request",
    }
    assert used["spot.restart_hours"]["value"] == 0.25
    assert used["spot.restart_hours"]["source"].startswith("judgement")
    rate = used["spot.interruptions_per_instance_hour"]
    assert rate["value"] == pytest.approx(-math.log(1 - 0.1) / 730)
    assert "spot.interruptions_per_month" in rate["source"]


HOURS = "accelerator_hours_per_month"


@pytest.mark.parametrize(
    ("demand", "field", "says"),
    [
        ({HOURS: -1}, HOURS, "got -1"),
        ({HOURS: 1e-300}, HOURS, "must be 0 or 0.001 to 1e+12"),
        ({HOURS: [10, -2, 10]}, HOURS, "month 1: must be 0 or"),
        ({HOURS: 10, "utilisation": 1.5}, "utilisation", "less than or equal to 1"),
        ({HOURS: 10, "horizon_months": 0}, "horizon_months", "greater than or equal"),
        ({HOURS: 10, "workload": LLAMA_2_7B}, "", "exactly one of"),
        ({}, "", "exactly one of"),
        ({HOURS: 10, "runs_per_month": 2}, "", "runs_per_month applies"),
    ],
)
def test_impossible_demand_is_refused_naming_the_field(
    client: TestClient, demand: dict[str, Any], field: str, says: str
) -> None:
    body = {"accelerator": "h100", "demand": {"horizon_months": 12} | demand}

    response = client.post("/v1/tco", json=body)

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    at = f"body.demand.{field}".rstrip(".")
    error = next(e for e in problem["errors"] if e["field"] == at)
    assert says in error["message"]


def test_an_unknown_accelerator_names_the_nearest(client: TestClient) -> None:
    response = client.post(
        "/v1/tco",
        json={
            "accelerator": "h100-sxm6",
            "demand": {"accelerator_hours_per_month": 10, "horizon_months": 12},
        },
    )

    assert response.status_code == 422
    problem = response.json()
    assert "h100-sxm" in problem["nearest"]
    assert problem["errors"][0]["field"] == "body.accelerator"


def test_an_offer_of_another_accelerator_is_refused(client: TestClient) -> None:
    a100 = client.get("/v1/offers", params={"accelerator": "a100-sxm4-80gb"}).json()

    response = client.post(
        "/v1/tco",
        json={
            "accelerator": "h100",
            "demand": {"accelerator_hours_per_month": 10, "horizon_months": 12},
            "rental": {"offer_ids": [a100["items"][0]["id"]]},
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.rental.offer_ids"


def test_a_currency_without_a_list_price_needs_the_price(client: TestClient) -> None:
    response = client.post(
        "/v1/tco",
        json={
            "accelerator": "h100",
            "demand": {"accelerator_hours_per_month": 10, "horizon_months": 12},
            "currency": "EUR",
        },
    )

    assert response.status_code == 422
    error = response.json()["errors"][0]
    # The prefix is `body.` once problems.REQUEST_FIELDS lists the TCO's fields.
    assert error["field"].endswith(".buying.price_per_accelerator")
    assert "in USD" in error["message"]
