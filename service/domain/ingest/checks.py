"""Keep absurd prices out of the store: zero, placeholder, inverted spot, duplicates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from service.domain.catalog import PricingModel
from service.domain.snapshot import Anomaly, SnapshotEntry

# No accelerator rents for more than this per accelerator-hour: the dearest real
# rows in the bundled sources are about $13 (GCP H100 outside us-central1), so a
# price 7x that is a data error, not a price.
MAX_PRICE_PER_ACCELERATOR_HOUR = Decimal(100)
# Nobody rents a hundredth of a GPU-hour for less than this: the cheapest real rows
# (Vast consumer GPUs) are about 0.05 USD per accelerator-hour (judgement).
MIN_PRICE_PER_ACCELERATOR_HOUR = Decimal("0.001")
# Accelerators in one rentable unit: from a slice of a GPU (AWS g6f: 1/8 of an
# L4) to the largest TPU v5p pod slice of 6,144 chips, with room (judgement).
MIN_ACCELERATORS = Decimal("0.01")
MAX_ACCELERATORS = Decimal(65_536)
# One price shared by this many different sizes of the same accelerator in one
# place is a placeholder (e.g. GCP's tpu-v6e rows all at 700.0, from 1 to 256 chips).
PLACEHOLDER_MIN_SIZES = 3


def sane_count(count: Decimal) -> bool:
    """Whether an accelerator count can describe a real rentable unit."""
    return MIN_ACCELERATORS <= count <= MAX_ACCELERATORS


def check_prices(
    entries: list[SnapshotEntry], anomalies: list[Anomaly]
) -> list[SnapshotEntry]:
    """Drop prices that cannot be real, report each, and merge duplicate offers."""
    placeholders = _placeholder_prices(entries)
    checked: dict[str, SnapshotEntry] = {}
    for entry in entries:
        prices = _sane_prices(entry, placeholders, anomalies)
        if not prices:
            continue
        entry = replace(entry, prices=prices)
        first = checked.get(entry.key)
        if first is None:
            checked[entry.key] = entry
            continue
        same = first.prices == entry.prices
        anomalies.append(
            Anomaly(
                entry.rows[0],
                "duplicate_row" if same else "conflicting_duplicate",
                f"same offer as row {first.rows[0]}"
                + ("" if same else f"; its prices {_show(first.prices)} were kept"),
            )
        )
    return list(checked.values())


def _sane_prices(
    entry: SnapshotEntry,
    placeholders: set[tuple[str, str, str, Decimal]],
    anomalies: list[Anomaly],
) -> dict[str, Decimal]:
    row = entry.rows[0] if entry.rows else None
    kept: dict[str, Decimal] = {}
    for model, price in entry.prices.items():
        per_accelerator = price / entry.accelerator_count
        if price <= 0:
            reason, detail = "zero_price", f"{model} price {price} is not positive"
        elif _place_key(entry, model, price) in placeholders:
            reason = "placeholder_price"
            detail = (
                f"{model} price {price} repeats over sizes of {entry.accelerator_id}"
            )
        elif not (
            MIN_PRICE_PER_ACCELERATOR_HOUR
            <= per_accelerator
            <= MAX_PRICE_PER_ACCELERATOR_HOUR
        ):
            reason = "implausible_price"
            detail = f"{model} price {per_accelerator:.6g} per accelerator-hour"
        else:
            kept[model] = price
            continue
        anomalies.append(Anomaly(row, reason, detail))

    on_demand = kept.get(PricingModel.ON_DEMAND)
    spot = kept.get(PricingModel.SPOT)
    if on_demand is not None and spot is not None and spot >= on_demand:
        del kept[PricingModel.SPOT]
        anomalies.append(
            Anomaly(
                row,
                "spot_not_below_on_demand",
                f"spot {spot} is not below on-demand {on_demand}",
            )
        )
    return kept


def _place_key(
    entry: SnapshotEntry, model: str, price: Decimal
) -> tuple[str, str, str, Decimal]:
    return (entry.accelerator_id, entry.zone or entry.region, model, price)


def _placeholder_prices(
    entries: list[SnapshotEntry],
) -> set[tuple[str, str, str, Decimal]]:
    sizes: dict[tuple[str, str, str, Decimal], set[Decimal]] = defaultdict(set)
    for entry in entries:
        for model, price in entry.prices.items():
            sizes[_place_key(entry, model, price)].add(entry.accelerator_count)
    return {key for key, seen in sizes.items() if len(seen) >= PLACEHOLDER_MIN_SIZES}


def _show(prices: dict[str, Decimal]) -> str:
    return ", ".join(f"{model} {price}" for model, price in sorted(prices.items()))
