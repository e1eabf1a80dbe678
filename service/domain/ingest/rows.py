"""Rows of a SkyPilot-format catalogue file, read into numbers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from service.domain.catalog import PricingModel
from service.domain.snapshot import Anomaly, SnapshotEntry

PRICE_COLUMNS = {
    "Price": PricingModel.ON_DEMAND,
    "SpotPrice": PricingModel.SPOT,
    # Not in SkyPilot's schema; the AWS file carries it as a 1-year reservation's
    # hourly price (instances.vantage.sh's "reserved" figure).
    "ReservedPrice": PricingModel.RESERVED_1Y,
}


@dataclass(frozen=True, slots=True)
class RawRow:
    """One CSV row with its numbers parsed; prices absent where the cell is blank."""

    line: int
    instance_type: str
    accelerator_name: str
    accelerator_count: Decimal | None
    vcpus: float | None
    host_memory_gib: float | None
    region: str
    zone: str | None
    prices: dict[str, Decimal]


def entry_from_row(
    raw: RawRow,
    *,
    provider: str,
    accelerator_id: str,
    accelerator_count: Decimal,
    instance_type: str | None = None,
    prices: dict[str, Decimal] | None = None,
    rows: tuple[int, ...] | None = None,
) -> SnapshotEntry:
    """Build a snapshot entry from a row, overriding what the provider's rules say."""
    return SnapshotEntry(
        provider=provider,
        region=raw.region,
        zone=raw.zone,
        instance_type=instance_type or raw.instance_type,
        accelerator_id=accelerator_id,
        accelerator_count=accelerator_count,
        vcpus=raw.vcpus,
        host_memory_gib=raw.host_memory_gib,
        prices=raw.prices if prices is None else prices,
        rows=(raw.line,) if rows is None else rows,
    )


# Names a row gives, with the longest the store keeps.
NAME_COLUMNS = {
    "Region": 64,
    "AvailabilityZone": 64,
    "InstanceType": 128,
    "AcceleratorName": 128,
}


def read_row(
    record: dict[str, str | None], line: int, anomalies: list[Anomaly]
) -> RawRow | None:
    def cell(name: str) -> str:
        return (record.get(name) or "").strip()

    region = cell("Region")
    if not region:
        anomalies.append(Anomaly(line, "no_region", "row has no region"))
        return None
    for name, longest in NAME_COLUMNS.items():
        text = cell(name)
        if len(text) > longest or not text.isprintable():
            anomalies.append(
                Anomaly(
                    line,
                    "bad_text",
                    f"{name} is over {longest} characters or holds control characters",
                )
            )
            return None
    prices: dict[str, Decimal] = {}
    for column, model in PRICE_COLUMNS.items():
        value = cell(column)
        if not value:
            continue
        price = _decimal(value)
        if price is None or not price.is_finite():
            anomalies.append(
                Anomaly(line, "unparseable_price", f"{column} {value!r} is no number")
            )
            continue
        prices[model] = price
    try:
        return RawRow(
            line=line,
            instance_type=cell("InstanceType"),
            accelerator_name=cell("AcceleratorName"),
            accelerator_count=_decimal(cell("AcceleratorCount")),
            vcpus=_float(cell("vCPUs")),
            host_memory_gib=_float(cell("MemoryGiB")),
            region=region,
            zone=cell("AvailabilityZone") or None,
            prices=prices,
        )
    except ValueError as error:
        anomalies.append(Anomaly(line, "unparseable_row", str(error)))
        return None


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# Host vCPUs and memory are descriptive; a value past this is a data error.
MAX_HOST_FIGURE = 1e7


def _float(value: str) -> float | None:
    if not value:
        return None
    number = float(value)
    if not 0 <= number <= MAX_HOST_FIGURE:
        raise ValueError(f"host figure {value!r} is out of range")
    return number
