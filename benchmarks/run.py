"""Benchmark the API as a user runs it: `python -m benchmarks.run --help`."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import CONNECTIONS, THREADS, TIMEOUT, WARMUP_SECONDS, wrk_path
from benchmarks.machine import (
    describe_machine,
    load_average,
    postgres_version,
    tree_sha256,
)
from benchmarks.report import DatabaseRun, write_results
from benchmarks.scaling import measure_history, measure_quote_scales
from benchmarks.scenarios import (
    CATALOGUE_FILES,
    ROUNDS,
    ScenarioResult,
    import_catalogue,
    measure_scenarios,
)
from benchmarks.server import ROOT, BenchmarkError, fresh_store, serve

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on SQLite (and PostgreSQL when given) and write results."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on this PostgreSQL server (a bench_* database is created "
        "and dropped), e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument(
        "--seconds", type=int, default=5, help="measured seconds per wrk run"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="runs of every scenario, in turn (their ratios to the floor are "
        "compared round by round)",
    )
    parser.add_argument(
        "--skip-scaling",
        action="store_true",
        help="skip the synthetic 1k/10k/100k-offer and 1M-price-point runs",
    )
    args = parser.parse_args(argv)

    try:
        wrk_path()
        catalogs = catalogue_folder()
        machine = describe_machine()
    except BenchmarkError as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return USAGE_ERROR

    databases: list[str | None] = [None]
    if args.postgres:
        databases.append(args.postgres)
    try:
        for postgres_url in databases:
            run = run_database(postgres_url, catalogs, machine, args)
            json_path, markdown_path = write_results(run)
            print(markdown_path.read_text())
            print(
                f"wrote {json_path.relative_to(ROOT)} and "
                f"{markdown_path.relative_to(ROOT)}\n"
            )
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except httpx.TransportError as error:
        print(
            f"benchmark failed: the server stopped answering: {error}", file=sys.stderr
        )
        return 1
    return 0


def catalogue_folder() -> Path:
    """The real catalogue files, from SHARED_DATA_DIR or ../shared/data."""
    shared = Path(os.environ.get("SHARED_DATA_DIR") or ROOT.parent / "shared" / "data")
    catalogs = shared / "catalogs"
    missing = [p for p, _ in CATALOGUE_FILES if not (catalogs / f"{p}.csv").is_file()]
    if missing:
        raise BenchmarkError(
            f"the real catalogue files are absent from {catalogs} "
            f"(missing: {', '.join(f'{p}.csv' for p in missing)}); "
            "set SHARED_DATA_DIR to the folder holding catalogs/"
        )
    return catalogs


def run_database(
    postgres_url: str | None,
    catalogs: Path,
    machine: dict[str, Any],
    args: argparse.Namespace,
) -> DatabaseRun:
    """The real-catalogue run, then the scaling runs, on one database."""
    database = "postgresql" if postgres_url else "sqlite"
    print(f"== {database}")
    settings: dict[str, Any] = {
        "connections": CONNECTIONS,
        "threads": THREADS,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup_seconds": WARMUP_SECONDS,
        "wrk_timeout": TIMEOUT,
        "load_average_start": load_average(),
    }
    if postgres_url:
        settings["postgresql_server"] = postgres_version(postgres_url)
    service_hash = tree_sha256(ROOT / "service")
    run = DatabaseRun(
        database=database,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine={**machine, "service_tree_sha256": service_hash},
        settings=settings,
    )

    with fresh_store(postgres_url) as store, serve(store) as server:
        run.imports = import_catalogue(server, catalogs)
        for item in run.imports:
            print(f"  import {item.provider}: {item.status}, {item.seconds} s")
        run.scenarios = measure_scenarios(
            server, seconds=args.seconds, rounds=args.rounds
        )
        for scenario in run.scenarios:
            print(f"  {scenario.name}: {_scenario_line(scenario)}")
        run.server_log_problems = server.log_problems()

    if args.skip_scaling:
        run.scaling_skipped = "skipped (--skip-scaling)"
    else:
        run.quote_scales = measure_quote_scales(postgres_url)
        run.history = measure_history(
            postgres_url, seconds=args.seconds, rounds=args.rounds
        )
    run.load_average_end = load_average()
    run.service_changed_during_run = tree_sha256(ROOT / "service") != service_hash
    return run


def _scenario_line(scenario: ScenarioResult) -> str:
    load = scenario.load
    if load is None:
        return scenario.skipped
    return (
        f"{load.requests_per_second} req/s, p50 {load.p50_ms:.1f} ms, "
        f"p99 {load.p99_ms:.1f} ms, {load.errors} errors"
    )


if __name__ == "__main__":
    sys.exit(main())
