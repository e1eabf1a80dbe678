"""Saved plans: save, list, read, delete, price again; one team's plans are its own."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store.tables import PlanRow
from tests.conftest import CATALOG_DATES, real_catalog

AS_OF = "2026-06-01T00:00:00Z"
PLAN = {
    "name": "llama 2 7b on gcp",
    "workload": {
        "kind": "pretraining",
        "model": {"preset": "llama-2-7b"},
        "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
    },
    "constraints": {
        "providers": ["gcp"],
        "regions": ["us-central1"],
        "pricing_models": ["on_demand"],
    },
    "as_of": AS_OF,
    "limit": 5,
}


def save(client: TestClient, body: dict[str, Any] = PLAN, **headers: str) -> Any:
    """POST a plan."""
    return client.post("/v1/plans", json=body, headers=headers)


def plans_stored(session: Session) -> int:
    """How many plans the store holds."""
    return session.scalar(select(func.count()).select_from(PlanRow)) or 0


def with_gcp(client: TestClient) -> None:
    """Import the real GCP catalogue at its date."""
    response = client.post(
        "/v1/catalog/imports",
        files={"file": ("gcp.csv", real_catalog("gcp").read_bytes(), "text/csv")},
        data={"provider": "gcp", "observed_at": CATALOG_DATES["gcp"].isoformat()},
    )
    assert response.status_code == 201


def test_a_plan_is_saved_listed_read_and_deleted(client: TestClient) -> None:
    with_gcp(client)

    created = save(client)

    assert created.status_code == 201, created.text
    plan = created.json()
    assert created.headers["location"] == f"/v1/plans/{plan['id']}"
    assert plan["as_of"] == "2026-06-01T00:00:00Z"
    assert plan["request"]["workload"]["model"] == {"preset": "llama-2-7b"}
    assert plan["quote"]["options"]
    assert client.get(f"/v1/plans/{plan['id']}").json() == plan
    listed = client.get("/v1/plans").json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    best = plan["quote"]["options"][0]["cost"]["total"]
    assert listed["items"][0]["best_total"] == best
    assert client.delete(f"/v1/plans/{plan['id']}").status_code == 204
    assert client.get(f"/v1/plans/{plan['id']}").status_code == 404


def test_another_team_sees_404_and_changes_nothing(
    client: TestClient, team_b: TestClient, session: Session
) -> None:
    with_gcp(client)
    plan_id = save(client).json()["id"]
    before = plans_stored(session)

    read = team_b.get(f"/v1/plans/{plan_id}")
    reprice = team_b.post(f"/v1/plans/{plan_id}/reprice", json={"as_of": AS_OF})
    delete = team_b.delete(f"/v1/plans/{plan_id}")

    assert (read.status_code, reprice.status_code, delete.status_code) == (
        404,
        404,
        404,
    )
    assert read.json()["type"] == "/problems/not-found"
    assert team_b.get("/v1/plans").json()["total"] == 0
    assert plans_stored(session) == before
    assert client.get(f"/v1/plans/{plan_id}").status_code == 200


def test_a_read_key_cannot_save_a_plan(
    anonymous: TestClient, sessions: Any, session: Session
) -> None:
    from tests.conftest import make_key

    key = make_key(sessions, "team-r", "read")
    before = plans_stored(session)

    response = save(anonymous, Authorization=f"Bearer {key}")

    assert response.status_code == 403
    assert plans_stored(session) == before


def test_the_same_idempotency_key_saves_one_plan(
    client: TestClient, session: Session
) -> None:
    with_gcp(client)
    before = plans_stored(session)

    first = save(client, **{"Idempotency-Key": "plan-1"})
    second = save(client, **{"Idempotency-Key": "plan-1"})
    other = save(client, {**PLAN, "name": "other"}, **{"Idempotency-Key": "plan-1"})

    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert plans_stored(session) == before + 1


def test_repricing_after_a_later_snapshot_reports_exactly_the_changed_prices(
    client: TestClient,
) -> None:
    with_gcp(client)
    plan = save(client).json()
    saved = {o["offer_id"]: o for o in plan["quote"]["options"]}
    # A GPU VM's price is its host row plus its GPU row: change the host row.
    hosts = {(r["InstanceType"], r["AvailabilityZone"]) for r in _host_rows()}
    changed_id, changed = next(
        (i, o) for i, o in saved.items() if (o["instance_type"], o["zone"]) in hosts
    )
    later = _gcp_with_price(changed["instance_type"], changed["zone"], Decimal("0.5"))
    client.post(
        "/v1/catalog/imports",
        files={"file": ("gcp-later.csv", later, "text/csv")},
        data={"provider": "gcp", "observed_at": "2026-07-01T00:00:00Z"},
    )

    at_saved = client.post(f"/v1/plans/{plan['id']}/reprice", json={"as_of": AS_OF})
    later_answer = client.post(
        f"/v1/plans/{plan['id']}/reprice", json={"as_of": "2026-07-02T00:00:00Z"}
    )

    assert {c["change"] for c in at_saved.json()["changes"]} == {"unchanged"}
    changes = later_answer.json()["changes"]
    moved = [c for c in changes if c["change"] != "unchanged"]
    assert [(c["offer_id"], c["change"]) for c in moved] == [(changed_id, "price_down")]
    assert Decimal(moved[0]["price_per_hour_after"]) == (
        Decimal(changed["price_per_hour"])
        - Decimal(_host_price(changed))
        + Decimal("0.5")
    )
    assert Decimal(moved[0]["total_after"]) < Decimal(moved[0]["total_before"])
    assert Decimal(later_answer.json()["best_total_after"]) <= Decimal(
        later_answer.json()["best_total_before"]
    )


def _host_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(real_catalog("gcp").read_text())))


def _host_price(option: dict[str, Any]) -> str:
    for row in _host_rows():
        if (
            row["InstanceType"] == option["instance_type"]
            and row["AvailabilityZone"] == option["zone"]
        ):
            return row["Price"]
    raise AssertionError("no host row")


def _gcp_with_price(instance_type: str, zone: str, host_price: Decimal) -> bytes:
    """The GCP file with one host row's on-demand price changed."""
    rows = _host_rows()
    for row in rows:
        if row["InstanceType"] == instance_type and row["AvailabilityZone"] == zone:
            row["Price"] = str(host_price)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
