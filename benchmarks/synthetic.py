"""Synthetic catalogues written straight into a migrated store with Core inserts."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, insert, text

from service.domain.snapshot import offer_key
from service.store import catalog as store
from service.store.engine import begin_write, make_engine, make_sessionmaker
from service.store.tables import Base
from service.usecases.bundled import bundled_accelerators

PROVIDERS = (
    "acme-cloud",
    "bluesky-gpu",
    "cirrus",
    "deepcompute",
    "edgeflops",
    "fjord-ai",
    "gridworks",
    "helio",
)
REGIONS = tuple(
    f"{area}-{number}"
    for area in ("us-east", "us-west", "eu-west", "eu-central", "ap-south", "ap-ne")
    for number in (1, 2, 3)
)
ZONES = ("a", "b", "c")
# Real accelerator ids of the bundled catalogue, with a plausible range of on-demand
# USD per accelerator-hour (roughly what the real AWS/GCP/Lambda files list).
ACCELERATORS = (
    ("h100-sxm", 2.2, 6.9),
    ("h200-sxm", 3.0, 8.0),
    ("a100-sxm4-80gb", 1.2, 4.1),
    ("l40s", 0.8, 2.0),
    ("l4", 0.45, 0.95),
    ("a10g", 0.7, 1.5),
)
PRICE_RANGES = {
    accelerator_id: (low, high) for accelerator_id, low, high in ACCELERATORS
}
COUNTS = (1, 2, 4, 8)
PRICE_STEP = Decimal("0.0001")
BATCH_ROWS = 20_000
QUOTE_CATALOGUE_OBSERVED_AT = datetime(2026, 1, 5, tzinfo=UTC)
HISTORY_STARTS_AT = datetime(2024, 7, 1, tzinfo=UTC)
SNAPSHOT_EVERY = timedelta(weeks=1)


@dataclass(frozen=True)
class Catalogue:
    """What was written: counts, the span of the history and the time it took."""

    offers: int
    snapshots: int
    price_points: int
    first_observed_at: datetime
    last_observed_at: datetime
    write_seconds: float

    def middle(self) -> datetime:
        """An instant inside the middle snapshot's week (not on a boundary)."""
        return (
            self.first_observed_at
            + SNAPSHOT_EVERY * (self.snapshots // 2)
            + (SNAPSHOT_EVERY / 2)
        )


def write_catalogue(
    url: str,
    *,
    offers: int,
    snapshots: int,
    starts_at: datetime,
    with_spot: bool,
    seed: int = 20260601,
) -> Catalogue:
    """Write the bundled accelerators, `offers` offers and their weekly history.

    Each snapshot gives every offer a new on-demand price (a random walk of a few
    percent): the points of one offer are closed back to back and the last stays
    open, so no two overlap. With `with_spot`, half the offers also have one open
    spot price. One import row per provider and snapshot holds the points.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    observed = [starts_at + SNAPSHOT_EVERY * week for week in range(snapshots)]
    tables = Base.metadata.tables
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            begin_write(session)
            now = datetime.now(UTC)
            store.lock_catalog(session, now)
            store.add_accelerators(session, *bundled_accelerators())
            connection = session.connection()
            imports = _insert_imports(connection, tables["catalog_imports"], observed)
            offer_rows = [_offer(index, imports) for index in range(offers)]
            offer_ids = _insert_returning_ids(connection, tables["offers"], offer_rows)
            history = _price_points(
                offer_rows, offer_ids, imports, observed, rng, with_spot=with_spot
            )
            points = 0
            with _overlap_guard_suspended(connection):
                for batch in _batches(history):
                    connection.execute(insert(tables["price_points"]), batch)
                    points += len(batch)
            store.bump_version(session, now)
            session.commit()
        if engine.dialect.name == "postgresql":
            # Autovacuum would analyse tables this size soon after a real load.
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return Catalogue(
        offers=offers,
        snapshots=snapshots,
        price_points=points,
        first_observed_at=observed[0],
        last_observed_at=observed[-1],
        write_seconds=round(time.perf_counter() - started, 1),
    )


@contextmanager
def _overlap_guard_suspended(connection: Connection) -> Iterator[None]:
    """Drop the price points' overlap triggers for a bulk write, then restore them.

    The guard checks each new point against every point of its offer (~0.1 ms a row
    at 100 points per offer on SQLite); the points written here are back to back by
    construction, and the unique indexes stay on throughout.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE price_points DISABLE TRIGGER USER"))
        yield
        connection.execute(text("ALTER TABLE price_points ENABLE TRIGGER USER"))
        return
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'price_points'"
        )
    ).all()
    for name, _ in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _, sql in triggers:
        connection.execute(text(sql))


def _insert_imports(
    connection: Connection, table: Table, observed: list[datetime]
) -> dict[tuple[str, int], int]:
    keys = [(provider, week) for week in range(len(observed)) for provider in PROVIDERS]
    rows = [
        {
            "provider": provider,
            "source": "synthetic benchmark catalogue",
            "format": "synthetic",
            "scope": "full",
            "checksum_sha256": "0" * 64,
            "observed_at": observed[week],
            "started_at": observed[week],
            "finished_at": observed[week],
            "rows_read": 0,
            "offers_created": 0,
            "price_points_opened": 0,
            "price_points_closed": 0,
            "price_points_unchanged": 0,
            "anomalies": [],
            "catalog_version": 1,
            "created_by": "benchmark",
        }
        for provider, week in keys
    ]
    return dict(zip(keys, _insert_returning_ids(connection, table, rows), strict=True))


def _insert_returning_ids(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_ROWS):
        result = connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            list(rows[start : start + BATCH_ROWS]),
        )
        ids.extend(result.scalars())
    return ids


def _offer(index: int, imports: dict[tuple[str, int], int]) -> dict[str, Any]:
    index, count = divmod(index, len(COUNTS))
    index, accelerator = divmod(index, len(ACCELERATORS))
    index, zone = divmod(index, len(ZONES))
    index, region = divmod(index, len(REGIONS))
    variant, provider = divmod(index, len(PROVIDERS))
    accelerator_id = ACCELERATORS[accelerator][0]
    accelerators = Decimal(COUNTS[count])
    place = (PROVIDERS[provider], REGIONS[region], f"{REGIONS[region]}{ZONES[zone]}")
    instance_type = f"{accelerator_id}-{accelerators}x.v{variant + 1}"
    return {
        "offer_key": offer_key(*place, instance_type, accelerator_id, accelerators),
        "provider": place[0],
        "region": place[1],
        "zone": place[2],
        "instance_type": instance_type,
        "accelerator_id": accelerator_id,
        "accelerator_count": accelerators,
        "vcpus": float(12 * accelerators),
        "host_memory_gib": float(96 * accelerators),
        "created_import_id": imports[(place[0], 0)],
    }


def _price_points(
    offers: list[dict[str, Any]],
    offer_ids: list[int],
    imports: dict[tuple[str, int], int],
    observed: list[datetime],
    rng: random.Random,
    *,
    with_spot: bool,
) -> Iterator[dict[str, Any]]:
    last = len(observed) - 1
    for offer, offer_id in zip(offers, offer_ids, strict=True):
        low, high = PRICE_RANGES[offer["accelerator_id"]]
        price = rng.uniform(low, high) * float(offer["accelerator_count"])
        for week, valid_from in enumerate(observed):
            yield {
                "offer_id": offer_id,
                "pricing_model": "on_demand",
                "price_per_hour": Decimal(price).quantize(PRICE_STEP),
                "currency": "USD",
                "valid_from": valid_from,
                "valid_to": None if week == last else observed[week + 1],
                "import_id": imports[(offer["provider"], week)],
            }
            price *= rng.uniform(0.97, 1.03)
        if with_spot and offer_id % 2 == 0:
            yield {
                "offer_id": offer_id,
                "pricing_model": "spot",
                "price_per_hour": Decimal(price * rng.uniform(0.3, 0.7)).quantize(
                    PRICE_STEP
                ),
                "currency": "USD",
                "valid_from": observed[last],
                "valid_to": None,
                "import_id": imports[(offer["provider"], last)],
            }


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
