"""Load the bundled default catalogue into an empty store."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from service.domain.aliases import AliasRule
from service.domain.catalog import Accelerator
from service.domain.ingest.checks import check_prices
from service.domain.snapshot import ParsedSnapshot, SnapshotEntry
from service.store import catalog as store
from service.usecases.imports import apply_snapshot

log = logging.getLogger(__name__)

PACKAGE = "service.catalog_data"


def read_bundled(name: str) -> tuple[Any, str]:
    """Parse one bundled YAML file and return it with its SHA-256."""
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text), hashlib.sha256(text.encode()).hexdigest()


def bundled_accelerators() -> tuple[list[Accelerator], list[AliasRule]]:
    """The bundled accelerators and alias rules."""
    data, _ = read_bundled("accelerators.yaml")
    accelerators = [_accelerator(item) for item in data["accelerators"]]
    rules = [
        AliasRule(
            provider=r["provider"],
            name=r["name"],
            instance_type_glob=r["instance_type_glob"],
            accelerator_id=r.get("accelerator"),
        )
        for r in data.get("alias_rules") or []
    ]
    return accelerators, rules


def bundled_snapshots() -> list[tuple[ParsedSnapshot, datetime, str, str]]:
    """The bundled offers: (snapshot, observed_at, source, checksum) per provider."""
    data, checksum = read_bundled("offers.yaml")
    result = []
    for item in data["snapshots"]:
        snapshot = ParsedSnapshot(
            provider=item["provider"], currency=item.get("currency", "USD")
        )
        entries = [_entry(item["provider"], offer) for offer in item["offers"]]
        snapshot.rows_read = len(entries)
        snapshot.entries = check_prices(entries, snapshot.anomalies)
        observed_at = _instant(item["observed_at"])
        result.append((snapshot, observed_at, item["source"], checksum))
    return result


def load_bundled_catalog(session: Session, *, now: datetime) -> bool:
    """Load the bundled catalogue when the store has no accelerators; say if it did."""
    if store.accelerator_count(session) > 0:
        return False
    accelerators, rules = bundled_accelerators()
    store.lock_catalog(session, now)
    store.add_accelerators(session, accelerators, rules)
    store.bump_version(session, now)
    for snapshot, observed_at, source, checksum in bundled_snapshots():
        apply_snapshot(
            session,
            snapshot,
            observed_at=observed_at,
            source=f"bundled: {source}",
            checksum=checksum,
            now=now,
            file_format="bundled",
            scope="partial",
        )
    log.info("catalog.bundled.loaded accelerators=%d", len(accelerators))
    return True


def _accelerator(item: dict[str, Any]) -> Accelerator:
    peaks = item.get("peak_tflops") or {}
    price = item.get("list_price") or {}
    return Accelerator(
        id=item["id"],
        name=item["name"],
        vendor=item["vendor"],
        memory_gib=float(item["memory_gib"]),
        memory_bandwidth_gbps=item.get("memory_bandwidth_gbps"),
        peak_tflops_fp32=peaks.get("fp32"),
        peak_tflops_tf32=peaks.get("tf32"),
        peak_tflops_bf16=peaks.get("bf16"),
        peak_tflops_fp16=peaks.get("fp16"),
        peak_tflops_fp8=peaks.get("fp8"),
        peak_tflops_int8=peaks.get("int8"),
        tdp_watts=item.get("tdp_watts"),
        interconnect_gbps=item.get("interconnect_gbps"),
        list_price=Decimal(str(price["amount"])) if price else None,
        list_price_currency=price.get("currency") if price else None,
        list_price_source=price.get("source") if price else None,
        aliases=tuple(item.get("aliases") or ()),
        source=item.get("source", ""),
        notes=item.get("notes") or "",
        trains=bool(item.get("trains", True)),
    )


def _entry(provider: str, offer: dict[str, Any]) -> SnapshotEntry:
    return SnapshotEntry(
        provider=provider,
        region=offer["region"],
        zone=offer.get("zone"),
        instance_type=offer["instance_type"],
        accelerator_id=offer["accelerator"],
        accelerator_count=Decimal(str(offer["accelerator_count"])),
        vcpus=offer.get("vcpus"),
        host_memory_gib=offer.get("host_memory_gib"),
        prices={model: Decimal(str(p)) for model, p in offer["prices"].items()},
    )


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
