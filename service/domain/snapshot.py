"""A provider's catalogue snapshot as plain values: its offers, prices and anomalies."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


def offer_key(
    provider: str,
    region: str,
    zone: str | None,
    instance_type: str,
    accelerator_id: str,
    accelerator_count: Decimal,
) -> str:
    """The natural key of an offer: one row per place, instance type and accelerator."""
    count = format(accelerator_count.normalize(), "f")
    return "/".join(
        (provider, region, zone or "", instance_type, f"{count}x{accelerator_id}")
    )


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A row that was not stored as read, with a stable reason code and details."""

    row: int | None
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """One offer of a snapshot with its price per instance-hour per pricing model."""

    provider: str
    region: str
    zone: str | None
    instance_type: str
    accelerator_id: str
    accelerator_count: Decimal
    vcpus: float | None
    host_memory_gib: float | None
    prices: dict[str, Decimal]
    rows: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """The offer's natural key."""
        return offer_key(
            self.provider,
            self.region,
            self.zone,
            self.instance_type,
            self.accelerator_id,
            self.accelerator_count,
        )


@dataclass(slots=True)
class ParsedSnapshot:
    """What a catalogue file says: its entries, the rows read and the anomalies."""

    provider: str
    currency: str = "USD"
    entries: list[SnapshotEntry] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    rows_read: int = 0
