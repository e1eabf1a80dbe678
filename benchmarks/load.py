"""Drive the server: wrk at a fixed concurrency, or timed sequential requests."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.server import BenchmarkError, Server

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
CONNECTIONS = 16
THREADS = 2
WARMUP_SECONDS = 3
TIMEOUT = "5s"
SETTLE_MAX_SECONDS = 60.0
IDLE_HEALTHZ_SECONDS = 0.02


@dataclass(frozen=True)
class Request:
    """One request shape: method, path with its query, and an optional JSON body."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    # Each request sends a number of its own where the body says "__N__".
    vary: bool = False


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    # Over several rounds: p99 is their median, this their worst.
    worst_p99_ms: float | None = None

    @property
    def errors(self) -> int:
        """Non-2xx answers plus connect, read, write and timeout errors."""
        return self.non_2xx + self.socket_errors

    @property
    def failed(self) -> bool:
        """Whether any request failed, or none completed (wrk then reports p99 0)."""
        return self.errors > 0 or self.requests == 0


@dataclass(frozen=True)
class LatencyResult:
    """Sequential requests after a warm-up: p50 and p99."""

    p50_ms: float
    p99_ms: float
    samples: int
    non_2xx: int


def wrk_path() -> str:
    """Where wrk is, or a clear failure."""
    found = shutil.which("wrk")
    if found is None:
        raise BenchmarkError("wrk is not installed (Debian: apt-get install wrk)")
    return found


def run_wrk(server: Server, request: Request, *, seconds: int) -> LoadResult:
    """Warm up, then measure one request shape with wrk at the fixed concurrency."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as body_file:
        if request.body is not None:
            body_file.write(json.dumps(request.body).replace('"__N__"', "__N__"))
            body_file.flush()
        env = {
            **os.environ,
            "BENCH_METHOD": request.method,
            "BENCH_TOKEN": server.token,
            "BENCH_BODY_FILE": body_file.name if request.body is not None else "",
            "BENCH_VARY": "1" if request.vary else "",
        }
        _wrk(server.base_url + request.path, env, WARMUP_SECONDS)
        settle(server)
        report = _wrk(server.base_url + request.path, env, seconds)
        settle(server)
    duration = report["duration_us"] / 1e6
    return LoadResult(
        requests=report["requests"],
        seconds=round(duration, 3),
        requests_per_second=round(report["requests"] / duration, 1),
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        max_ms=report["max_us"] / 1000,
        non_2xx=report["non_2xx"],
        socket_errors=sum(
            report[kind] for kind in ("connect", "read", "write", "timeout")
        ),
    )


def combine(rounds: list[LoadResult]) -> LoadResult:
    """Several runs of one request shape as one: requests over seconds, the median
    p50 and p99 (and the worst p99), the worst max, every error."""
    requests = sum(r.requests for r in rounds)
    seconds = sum(r.seconds for r in rounds)
    return LoadResult(
        requests=requests,
        seconds=round(seconds, 3),
        requests_per_second=round(requests / seconds, 1) if seconds else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        worst_p99_ms=max(r.p99_ms for r in rounds),
        max_ms=max(r.max_ms for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
    )


def settle(server: Server) -> None:
    """Wait until the requests wrk left in flight are done and the server is idle."""
    deadline = time.monotonic() + SETTLE_MAX_SECONDS
    with httpx.Client(base_url=server.base_url, timeout=SETTLE_MAX_SECONDS) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.get("/healthz")
            if time.perf_counter() - started < IDLE_HEALTHZ_SECONDS:
                return
            time.sleep(0.5)


def _wrk(url: str, env: dict[str, str], seconds: int) -> dict[str, int]:
    command = [
        wrk_path(),
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        f"--timeout={TIMEOUT}",
        f"--script={LUA_SCRIPT}",
        url,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise BenchmarkError(f"wrk failed on {url}: {done.stderr or done.stdout}")
    report: dict[str, int] = json.loads(lines[-1])
    return report


def time_requests(
    server: Server, request: Request, *, samples: int = 30, warmup: int = 5
) -> LatencyResult:
    """Time sequential requests on one kept-alive connection (all different when
    the request varies, so that no answer is reused)."""
    timings: list[float] = []
    non_2xx = 0
    with server.client() as client:
        for number in range(warmup + samples):
            body = numbered(request, 2_000_000_000_000 + number)
            started = time.perf_counter()
            answer = client.request(request.method, request.path, json=body)
            timings.append((time.perf_counter() - started) * 1000)
            non_2xx += not answer.is_success
    measured = sorted(timings[warmup:])
    return LatencyResult(
        p50_ms=round(statistics.median(measured), 2),
        p99_ms=round(percentile(measured, 99), 2),
        samples=samples,
        non_2xx=non_2xx,
    )


def percentile(ordered: list[float], rank: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Probe:
    """One request sent alone: its status, latency and what the answer held."""

    status: int
    ms: float
    answer: str


def numbered(request: Request, number: int) -> dict[str, Any] | None:
    """The request's body, with `number` in place of __N__ when it varies."""
    if not request.vary or request.body is None:
        return request.body
    body: dict[str, Any] = json.loads(
        json.dumps(request.body).replace('"__N__"', str(number))
    )
    return body


def probe(server: Server, request: Request) -> Probe:
    """Send a request once: is the route there, does it answer 2xx, with what."""
    body = numbered(request, 1_999_999_999_999)
    with server.client() as client:
        started = time.perf_counter()
        response = client.request(request.method, request.path, json=body)
        ms = (time.perf_counter() - started) * 1000
    return Probe(response.status_code, round(ms, 1), summarise(response))


def summarise(response: httpx.Response) -> str:
    """A few words on an answer: its size and counts, or its problem body."""
    if not response.is_success:
        return response.text[:300]
    body = response.json()
    parts = [f"{len(response.content)} bytes"]
    if isinstance(body, dict) and "options" in body:
        parts.append(
            f"{len(body['options'])} options, {body.get('considered')} considered, "
            f"excluded {body.get('excluded')}"
        )
    if isinstance(body, dict) and "items" in body:
        parts.append(f"{len(body['items'])} items of {body.get('total')}")
    return ", ".join(parts)
