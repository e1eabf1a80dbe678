"""Apply a provider's catalogue snapshot to the price history, atomically."""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from service.domain.errors import ImportFormatError, SnapshotRejected, UnknownName
from service.domain.ingest.skypilot import parse_skypilot_csv
from service.domain.snapshot import ParsedSnapshot, SnapshotEntry
from service.store import catalog as store
from service.store.tables import CatalogImportRow

log = logging.getLogger(__name__)

FORMATS = ("skypilot",)
SCOPES = ("full", "partial")


def checksum_of(content: bytes) -> str:
    """The SHA-256 of a file, as stored with its import."""
    return hashlib.sha256(content).hexdigest()


def decode_text(content: bytes) -> str:
    """A catalogue file's text: UTF-8 (with or without a BOM), or UTF-16 with one."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFormatError(
            f"the file is not {encoding.upper()} text (byte {error.start}); "
            "catalogue files are UTF-8 CSV"
        ) from None


# How alike (difflib's ratio) a new provider's name and a known one must be for
# the new one to be taken for a typo: "lamda" and "lambda" score 0.91 (judgement).
TYPO_SIMILARITY = 0.8


def check_provider_name(session: Session, provider: str, *, new_provider: bool) -> None:
    """Refuse a new provider name that looks like a typo of a known one."""
    known = store.providers(session)
    if provider in known or new_provider:
        return
    close = difflib.get_close_matches(provider, known, n=3, cutoff=TYPO_SIMILARITY)
    if close:
        raise UnknownName(
            "body.provider",
            "provider",
            provider,
            close,
            hint="; a new provider? send new_provider=true",
        )


def import_catalog_file(
    session: Session,
    *,
    content: bytes,
    provider: str,
    observed_at: datetime,
    source: str,
    now: datetime,
    file_format: str = "skypilot",
    scope: str = "full",
    actor: str | None = None,
    new_provider: bool = False,
) -> CatalogImportRow:
    """Parse a catalogue file and apply it as the provider's snapshot at observed_at.

    A provider the catalogue does not have yet, but whose name is close to one it
    has, is taken for a typo unless `new_provider` says otherwise.
    """
    check_provider_name(session, provider, new_provider=new_provider)
    snapshot = parse_skypilot_csv(
        decode_text(content), provider=provider, resolver=store.load_resolver(session)
    )
    return apply_snapshot(
        session,
        snapshot,
        observed_at=observed_at,
        source=source,
        checksum=checksum_of(content),
        now=now,
        file_format=file_format,
        scope=scope,
        actor=actor,
    )


def apply_snapshot(
    session: Session,
    snapshot: ParsedSnapshot,
    *,
    observed_at: datetime,
    source: str,
    checksum: str,
    now: datetime,
    file_format: str,
    scope: str = "full",
    actor: str | None = None,
) -> CatalogImportRow:
    """Record a snapshot: open new prices, close changed ones, keep the rest.

    A price never changes in place: a changed price closes the open point at
    `observed_at` and opens the next one there. With scope "full" the snapshot is
    the provider's whole list, so open prices it no longer lists are closed too.
    A snapshot older than the newest one imported for the provider is refused.
    """
    provider = snapshot.provider
    if scope == "full" and not snapshot.entries:
        raise ImportFormatError(
            f"the file has no usable offer ({snapshot.rows_read} rows read, "
            f"{len(snapshot.anomalies)} anomalies): as the provider's whole list "
            "it would close every price of {provider}; send scope=partial to add "
            "nothing".replace("{provider}", provider)
        )
    version = store.lock_catalog(session, now)
    latest = store.latest_observed_at(session, provider)
    if latest is not None and observed_at < latest:
        raise SnapshotRejected(
            f"{provider} snapshot observed at {observed_at.isoformat()} is older "
            f"than the one already imported ({latest.isoformat()}); "
            "history is not rewritten"
        )
    record = store.add_import(
        session,
        {
            "provider": provider,
            "source": source[:500],
            "format": file_format,
            "scope": scope,
            "checksum_sha256": checksum,
            "observed_at": observed_at,
            "started_at": now,
            "rows_read": snapshot.rows_read,
            "anomalies": [asdict(a) for a in snapshot.anomalies],
            "catalog_version": version,
            "created_by": actor,
        },
    )

    offer_ids = store.offers_by_key(session, provider)
    new_offers = [
        _offer_values(entry, record.id)
        for entry in snapshot.entries
        if entry.key not in offer_ids
    ]
    offer_ids |= store.insert_offers(session, new_offers)
    changes = _price_changes(
        store.open_prices(session, provider),
        snapshot.entries,
        offer_ids,
        observed_at=observed_at,
        full=scope == "full",
        same_instant=latest == observed_at,
    )
    store.close_prices(session, changes.to_close, observed_at)
    store.insert_prices(
        session,
        [
            {
                "offer_id": offer_id,
                "pricing_model": model,
                "price_per_hour": price,
                "currency": snapshot.currency,
                "valid_from": observed_at,
                "import_id": record.id,
            }
            for offer_id, model, price in changes.to_open
        ],
    )

    changed = bool(new_offers or changes.to_open or changes.to_close)
    record.offers_created = len(new_offers)
    record.price_points_opened = len(changes.to_open)
    record.price_points_closed = len(changes.to_close)
    record.price_points_unchanged = changes.unchanged
    record.catalog_version = store.bump_version(session, now) if changed else version
    record.finished_at = datetime.now(UTC)
    session.flush()
    log.info(
        "catalog.import.done provider=%s import_id=%s rows=%d offers_created=%d "
        "opened=%d closed=%d unchanged=%d anomalies=%s actor=%s",
        provider,
        record.id,
        snapshot.rows_read,
        record.offers_created,
        record.price_points_opened,
        record.price_points_closed,
        record.price_points_unchanged,
        dict(Counter(a.reason for a in snapshot.anomalies)),
        actor or "-",
    )
    return record


class _Changes:
    def __init__(self) -> None:
        self.to_open: list[tuple[int, str, Decimal]] = []
        self.to_close: list[int] = []
        self.unchanged = 0


def _price_changes(
    open_points: dict[tuple[int, str], tuple[int, Decimal, datetime]],
    entries: list[SnapshotEntry],
    offer_ids: dict[str, int],
    *,
    observed_at: datetime,
    full: bool,
    same_instant: bool,
) -> _Changes:
    """What a snapshot opens, closes and keeps.

    At the instant of the provider's newest snapshot, another snapshot may only
    add prices: changing one would make two snapshots of that instant disagree.
    """
    changes = _Changes()
    seen: set[tuple[int, str]] = set()
    for entry in entries:
        offer_id = offer_ids[entry.key]
        for model, price in entry.prices.items():
            key = (offer_id, str(model))
            seen.add(key)
            current = open_points.get(key)
            if current is None:
                changes.to_open.append((offer_id, str(model), price))
                continue
            point_id, current_price, valid_from = current
            if current_price == price:
                changes.unchanged += 1
                continue
            _refuse_same_instant(
                valid_from, observed_at, entry.key, model, same_instant
            )
            changes.to_close.append(point_id)
            changes.to_open.append((offer_id, str(model), price))
    if full:
        for key, (point_id, _price, valid_from) in open_points.items():
            if key not in seen:
                _refuse_same_instant(
                    valid_from, observed_at, str(key[0]), key[1], same_instant
                )
                changes.to_close.append(point_id)
    return changes


def _refuse_same_instant(
    valid_from: datetime,
    observed_at: datetime,
    offer: str,
    model: str,
    same_instant: bool,
) -> None:
    if same_instant or valid_from >= observed_at:
        raise SnapshotRejected(
            f"the {model} price of offer {offer} stands in another snapshot of "
            f"{observed_at.isoformat()}; a different snapshot of the same instant "
            "cannot change it (send it with a later observed_at)"
        )


def _offer_values(entry: SnapshotEntry, import_id: int) -> dict[str, Any]:
    return {
        "offer_key": entry.key,
        "provider": entry.provider,
        "region": entry.region,
        "zone": entry.zone,
        "instance_type": entry.instance_type,
        "accelerator_id": entry.accelerator_id,
        "accelerator_count": entry.accelerator_count,
        "vcpus": entry.vcpus,
        "host_memory_gib": entry.host_memory_gib,
        "created_import_id": import_id,
    }
