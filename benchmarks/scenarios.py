"""The real-catalogue run: the five imports, then four request shapes under wrk."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import LoadResult, Probe, Request, combine, probe, run_wrk
from benchmarks.server import Server

# Provider, and the instant each real file was observed (catalogs/SOURCE.md).
CATALOGUE_FILES = (
    ("aws", "2026-01-21T00:00:00Z"),
    ("gcp", "2026-05-20T00:00:00Z"),
    ("azure", "2026-05-20T00:00:00Z"),
    ("lambda", "2026-05-07T00:00:00Z"),
    ("vast", "2026-04-29T00:00:00Z"),
)
LLAMA_7B_PRETRAINING = {
    "kind": "pretraining",
    "model": {"preset": "llama-2-7b"},
    "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
}
QUOTE_70B = Request(
    "POST",
    "/v1/quotes",
    {
        "workload": {
            "kind": "pretraining",
            "model": {"preset": "llama-2-70b"},
            "training": {"tokens": 2_000_000_000_000, "sequence_length": 4096},
        },
        "constraints": {"deadline_hours": 720},
        "limit": 10,
    },
)


def distinct(request: Request) -> Request:
    """The same request with a token count of its own each time: nothing reused."""
    assert request.body is not None
    body = json.loads(json.dumps(request.body))
    body["workload"]["training"]["tokens"] = "__N__"
    return Request(request.method, request.path, body, vary=True)


ESTIMATE_7B = Request("POST", "/v1/estimates", {"workload": LLAMA_7B_PRETRAINING})
# The floor first: every other scenario is compared with it. The service keeps the
# answer of a repeated request (per catalogue version), so each computed path is
# also measured with requests that all differ ("... distinct").
SCENARIOS = {
    "validate": Request("POST", "/v1/workloads/validate", LLAMA_7B_PRETRAINING),
    "estimates": ESTIMATE_7B,
    "estimates distinct": distinct(ESTIMATE_7B),
    "quotes": QUOTE_70B,
    "quotes distinct": distinct(QUOTE_70B),
    "offers": Request(
        "GET",
        "/v1/offers?accelerator=H100&pricing_model=on_demand"
        "&as_of=2026-06-01T00:00:00Z&limit=50",
    ),
}
FLOOR = "validate"
# Every scenario is measured this many times, in turn, so that a slow spell of
# the shared machine falls on all of them rather than on one.
ROUNDS = 5


@dataclass(frozen=True)
class ImportResult:
    """One real file imported over HTTP, timed from the client."""

    provider: str
    observed_at: str
    status: int
    rows_read: int
    seconds: float
    detail: str


@dataclass(frozen=True)
class ScenarioResult:
    """One request shape: what wrk measured in each round and in all, or why it
    was skipped."""

    name: str
    method: str
    path: str
    probe: Probe
    load: LoadResult | None
    skipped: str
    rounds: tuple[LoadResult, ...] = ()


def import_catalogue(server: Server, catalogs: Path) -> list[ImportResult]:
    """Import the five real files one after the other through the API."""
    results = []
    with server.client(timeout=600.0) as client:
        for provider, observed_at in CATALOGUE_FILES:
            path = catalogs / f"{provider}.csv"
            started = time.perf_counter()
            answer = client.post(
                "/v1/catalog/imports",
                data={"provider": provider, "observed_at": observed_at},
                files={"file": (path.name, path.read_bytes(), "text/csv")},
            )
            seconds = time.perf_counter() - started
            body = answer.json()
            results.append(
                ImportResult(
                    provider=provider,
                    observed_at=observed_at,
                    status=answer.status_code,
                    rows_read=body.get("rows_read", 0) if answer.is_success else 0,
                    seconds=round(seconds, 3),
                    detail="" if answer.is_success else str(body.get("detail")),
                )
            )
    return results


def published_routes(server: Server) -> set[tuple[str, str]]:
    """The (method, path) pairs the server's OpenAPI document lists."""
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def route_missing(status: int, request: Request, routes: set[tuple[str, str]]) -> str:
    """Why a scenario is skipped when its route is not there (404/405), else ''."""
    route = (request.method, request.path.split("?")[0])
    if status in (404, 405) and route not in routes:
        return (
            f"{route[0]} {route[1]} answered {status} and is not in /openapi.json: "
            "the route is not there yet, scenario skipped"
        )
    return ""


def measure_scenarios(
    server: Server, *, seconds: int, rounds: int = ROUNDS
) -> list[ScenarioResult]:
    """Probe each request shape once, then measure them all with wrk, in turn,
    `rounds` times (each run after its own warm-up)."""
    routes = published_routes(server)
    probes = {name: probe(server, request) for name, request in SCENARIOS.items()}
    skipped = {
        name: route_missing(probes[name].status, request, routes)
        for name, request in SCENARIOS.items()
    }
    measured: dict[str, list[LoadResult]] = {name: [] for name in SCENARIOS}
    for _ in range(rounds):
        for name, request in SCENARIOS.items():
            if not skipped[name]:
                measured[name].append(run_wrk(server, request, seconds=seconds))
    return [
        ScenarioResult(
            name=name,
            method=request.method,
            path=request.path,
            probe=probes[name],
            load=combine(measured[name]) if measured[name] else None,
            skipped=skipped[name],
            rounds=tuple(measured[name]),
        )
        for name, request in SCENARIOS.items()
    ]
