"""Scaling: quote latency over synthetic catalogues, offers as_of over 1M points."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.load import (
    LatencyResult,
    LoadResult,
    Probe,
    Request,
    combine,
    probe,
    run_wrk,
    time_requests,
)
from benchmarks.scenarios import (
    LLAMA_7B_PRETRAINING,
    QUOTE_70B,
    distinct,
    published_routes,
    route_missing,
)
from benchmarks.server import Server, fresh_store, serve
from benchmarks.synthetic import (
    HISTORY_STARTS_AT,
    QUOTE_CATALOGUE_OBSERVED_AT,
    Catalogue,
    write_catalogue,
)

QUOTE_SCALES = (1_000, 10_000, 100_000)
HISTORY_OFFERS = 10_000
HISTORY_SNAPSHOTS = 100
# A 7B model fits one accelerator, so this quote prices offers where the 70B one
# may exclude them all; it shows what pricing itself costs as the catalogue grows.
QUOTE_7B = Request(
    "POST",
    "/v1/quotes",
    {**(QUOTE_70B.body or {}), "workload": LLAMA_7B_PRETRAINING},
)


@dataclass(frozen=True)
class QuoteTimings:
    """Quotes on a fresh server: the first one alone, then warm sequential ones.

    The first 70B quote loads the catalogue into the server's memory (cold); the
    7B one is sent once alone too, to see what it answers, then timed warm.
    """

    cold: Probe
    warm: LatencyResult | None
    small: Probe | None
    small_warm: LatencyResult | None
    skipped: str

    def line(self) -> str:
        """A console line: both bodies' latencies and answers."""
        if self.warm is None or self.small is None or self.small_warm is None:
            return self.skipped
        return (
            f"first {self.cold.ms} ms; 70B p50 {self.warm.p50_ms} ms, p99 "
            f"{self.warm.p99_ms} ms ({self.cold.answer}); 7B p50 "
            f"{self.small_warm.p50_ms} ms, p99 {self.small_warm.p99_ms} ms "
            f"({self.small.answer})"
        )


@dataclass(frozen=True)
class QuoteScale:
    """Quote latency over one synthetic catalogue with current prices."""

    catalogue: Catalogue
    quotes: QuoteTimings
    server_log_problems: list[str]


@dataclass(frozen=True)
class HistoryScale:
    """`GET /v1/offers?as_of=` under wrk, and quote latency, over a long history."""

    catalogue: Catalogue
    as_of: str
    offers_cold: Probe
    offers: LoadResult
    quotes: QuoteTimings
    server_log_problems: list[str]
    offers_rounds: tuple[LoadResult, ...] = ()


def measure_quote_scales(postgres_url: str | None) -> list[QuoteScale]:
    """Quote latency with 1k, 10k and 100k offers, each in a fresh store."""
    results = []
    for offers in QUOTE_SCALES:
        with fresh_store(postgres_url) as store:
            catalogue = write_catalogue(
                store.sqlalchemy_url(),
                offers=offers,
                snapshots=1,
                starts_at=QUOTE_CATALOGUE_OBSERVED_AT,
                with_spot=True,
            )
            with serve(store) as server:
                quotes = time_quotes(server)
                problems = server.log_problems()
        print(f"  quotes over {offers} offers: {quotes.line()}")
        results.append(QuoteScale(catalogue, quotes, problems))
    return results


def measure_history(
    postgres_url: str | None, *, seconds: int, rounds: int
) -> HistoryScale:
    """Offers as_of the middle of a 1M-point history under wrk, then quote latency.

    wrk runs `rounds` times, as the real-catalogue scenarios do: the median p99
    counts, so that one slow spell of a shared machine does not decide it.
    """
    with fresh_store(postgres_url) as store:
        catalogue = write_catalogue(
            store.sqlalchemy_url(),
            offers=HISTORY_OFFERS,
            snapshots=HISTORY_SNAPSHOTS,
            starts_at=HISTORY_STARTS_AT,
            with_spot=False,
        )
        as_of = catalogue.middle().isoformat().replace("+00:00", "Z")
        offers_request = Request("GET", f"/v1/offers?as_of={as_of}&limit=50")
        with serve(store) as server:
            offers_cold = probe(server, offers_request)
            offers_rounds = tuple(
                run_wrk(server, offers_request, seconds=seconds) for _ in range(rounds)
            )
            offers = combine(list(offers_rounds))
            quotes = time_quotes(server)
            problems = server.log_problems()
    print(
        f"  offers as_of over {catalogue.price_points} points: first "
        f"{offers_cold.ms} ms, then {offers.requests_per_second} req/s, p99 "
        f"{offers.p99_ms:.1f} ms (worst round {offers.worst_p99_ms} ms), "
        f"{offers.errors} errors; quotes: {quotes.line()}"
    )
    return HistoryScale(
        catalogue, as_of, offers_cold, offers, quotes, problems, offers_rounds
    )


def time_quotes(server: Server) -> QuoteTimings:
    """The first 70B quote alone, then 70B and 7B quotes warm, one at a time."""
    cold = probe(server, QUOTE_70B)
    skipped = route_missing(cold.status, QUOTE_70B, published_routes(server))
    if skipped:
        return QuoteTimings(cold, None, None, None, skipped)
    warm = time_requests(server, distinct(QUOTE_70B))
    small = probe(server, QUOTE_7B)
    small_warm = time_requests(server, distinct(QUOTE_7B))
    return QuoteTimings(cold, warm, small, small_warm, "")
