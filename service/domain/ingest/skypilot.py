"""Read catalogue files in the SkyPilot catalogue CSV format into a snapshot.

The format (github.com/skypilot-org/skypilot-catalog) has one row per instance type
and place: `InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB, Price,
SpotPrice, Region, AvailabilityZone`. Prices are USD per instance-hour. Extra
columns are allowed; `ReservedPrice` is read as a 1-year reservation's hourly price.
"""

from __future__ import annotations

import csv
import io

from service.domain.aliases import AliasResolver
from service.domain.errors import ImportFormatError
from service.domain.ingest.checks import (
    MAX_ACCELERATORS,
    MIN_ACCELERATORS,
    check_prices,
    sane_count,
)
from service.domain.ingest.gcp import pair_gcp_rows
from service.domain.ingest.rows import RawRow, entry_from_row, read_row
from service.domain.snapshot import Anomaly, ParsedSnapshot, SnapshotEntry

REQUIRED_COLUMNS = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Region")


def parse_skypilot_csv(
    text: str, *, provider: str, resolver: AliasResolver
) -> ParsedSnapshot:
    """Parse a SkyPilot-format catalogue of one provider into offers and anomalies."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = set(reader.fieldnames or ())
    except csv.Error as error:
        raise ImportFormatError(f"unreadable CSV header: {error}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing or "Price" not in columns:
        missing += [] if "Price" in columns else ["Price"]
        raise ImportFormatError(f"not a SkyPilot catalogue: missing columns {missing}")
    snapshot = ParsedSnapshot(provider=provider)

    raw_rows: list[RawRow] = []
    try:
        for record in reader:
            snapshot.rows_read += 1
            raw = read_row(record, reader.line_num, snapshot.anomalies)
            if raw is not None:
                raw_rows.append(raw)
    except csv.Error as error:
        raise ImportFormatError(
            f"unreadable CSV near line {reader.line_num}: {error}"
        ) from None

    if provider == "gcp":
        entries = pair_gcp_rows(raw_rows, resolver, snapshot.anomalies)
    else:
        entries = _plain_entries(raw_rows, provider, resolver, snapshot.anomalies)
    snapshot.entries = check_prices(entries, snapshot.anomalies)
    return snapshot


def _plain_entries(
    rows: list[RawRow],
    provider: str,
    resolver: AliasResolver,
    anomalies: list[Anomaly],
) -> list[SnapshotEntry]:
    entries = []
    for raw in rows:
        resolution = resolver.resolve(provider, raw.accelerator_name, raw.instance_type)
        if resolution.accelerator_id is None:
            anomalies.append(
                Anomaly(raw.line, "unmapped_accelerator", resolution.reason or "")
            )
            continue
        count = raw.accelerator_count
        if count is None or not sane_count(count):
            anomalies.append(
                Anomaly(
                    raw.line,
                    "bad_accelerator_count",
                    f"accelerator count {raw.accelerator_count} is not between "
                    f"{MIN_ACCELERATORS} and {MAX_ACCELERATORS}",
                )
            )
            continue
        entries.append(
            entry_from_row(
                raw,
                provider=provider,
                accelerator_id=resolution.accelerator_id,
                accelerator_count=count,
            )
        )
    return entries
