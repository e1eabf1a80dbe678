"""Reads and writes of the catalogue tables; repositories flush, callers commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, insert, select, text, update
from sqlalchemy.orm import Session

from service.domain.aliases import AliasResolver, AliasRule
from service.domain.catalog import Accelerator, Offer, PricePoint
from service.store.tables import (
    AcceleratorAliasRow,
    AcceleratorRow,
    AliasRuleRow,
    CatalogImportRow,
    CatalogStateRow,
    OfferRow,
    PricePointRow,
)

PEAK_COLUMNS = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8")


def lock_catalog(session: Session, now: datetime) -> int:
    """Take the catalogue's write lock and return its version.

    The first statement is a write, so that SQLite takes its write lock before any
    read, and PostgreSQL locks the one state row: concurrent writers queue here.
    """
    session.execute(
        update(CatalogStateRow).where(CatalogStateRow.id == 1).values(updated_at=now)
    )
    return catalog_version(session)


def catalog_version(session: Session) -> int:
    """The current catalogue version."""
    return session.execute(
        select(CatalogStateRow.version).where(CatalogStateRow.id == 1)
    ).scalar_one()


def bump_version(session: Session, now: datetime) -> int:
    """Count one more change of the catalogue and return the new version."""
    session.execute(
        update(CatalogStateRow)
        .where(CatalogStateRow.id == 1)
        .values(version=CatalogStateRow.version + 1, updated_at=now)
    )
    return catalog_version(session)


def accelerator_count(session: Session) -> int:
    """How many accelerators the catalogue has."""
    return session.execute(
        select(func.count()).select_from(AcceleratorRow)
    ).scalar_one()


def add_accelerators(
    session: Session,
    accelerators: Iterable[Accelerator],
    rules: Iterable[AliasRule],
) -> None:
    """Insert accelerators with their aliases and alias rules."""
    accelerators = list(accelerators)
    session.execute(
        insert(AcceleratorRow), [_accelerator_values(a) for a in accelerators]
    )
    aliases = [
        {"alias": alias.lower(), "accelerator_id": a.id}
        for a in accelerators
        for alias in a.aliases
    ]
    if aliases:
        session.execute(insert(AcceleratorAliasRow), aliases)
    rule_rows = [
        {
            "provider": r.provider,
            "name": r.name,
            "instance_type_glob": r.instance_type_glob,
            "accelerator_id": r.accelerator_id,
        }
        for r in rules
    ]
    if rule_rows:
        session.execute(insert(AliasRuleRow), rule_rows)


def load_accelerators(session: Session) -> list[Accelerator]:
    """Every accelerator with its aliases, ordered by id."""
    aliases: dict[str, list[str]] = {}
    for alias, accelerator_id in session.execute(
        select(AcceleratorAliasRow.alias, AcceleratorAliasRow.accelerator_id).order_by(
            AcceleratorAliasRow.alias
        )
    ):
        aliases.setdefault(accelerator_id, []).append(alias)
    rows = session.scalars(select(AcceleratorRow).order_by(AcceleratorRow.id))
    return [_accelerator(row, aliases.get(row.id, [])) for row in rows]


def load_resolver(session: Session) -> AliasResolver:
    """The alias resolver built from the stored aliases and rules."""
    aliases = dict(
        session.execute(
            select(AcceleratorAliasRow.alias, AcceleratorAliasRow.accelerator_id)
        ).all()
    )
    rules = [
        AliasRule(r.provider, r.name, r.instance_type_glob, r.accelerator_id)
        for r in session.scalars(select(AliasRuleRow).order_by(AliasRuleRow.id))
    ]
    return AliasResolver(aliases, rules)


def providers(session: Session) -> list[str]:
    """Every provider the catalogue has offers of."""
    return list(session.scalars(select(OfferRow.provider).distinct()))


def offers_by_key(session: Session, provider: str) -> dict[str, int]:
    """The ids of a provider's offers by natural key."""
    return dict(
        session.execute(
            select(OfferRow.offer_key, OfferRow.id).where(OfferRow.provider == provider)
        ).all()
    )


OFFER_COLUMNS = (
    "id",
    "offer_key",
    "provider",
    "region",
    "zone",
    "instance_type",
    "accelerator_id",
    "accelerator_count",
    "vcpus",
    "host_memory_gib",
    "created_import_id",
)


def insert_offers(session: Session, offers: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert offers in bulk and return their ids by natural key.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows
    sent with COPY; elsewhere an INSERT returns them.
    """
    if not offers:
        return {}
    if session.connection().dialect.name != "postgresql":
        result = session.execute(
            insert(OfferRow).returning(OfferRow.offer_key, OfferRow.id), offers
        )
        return dict(result.all())
    ids = session.scalars(
        text(
            "SELECT nextval(pg_get_serial_sequence('offers', 'id')) "
            "FROM generate_series(1, :count)"
        ),
        {"count": len(offers)},
    ).all()
    rows = [
        {**offer, "id": offer_id} for offer, offer_id in zip(offers, ids, strict=True)
    ]
    _copy(session, "offers", OFFER_COLUMNS, rows)
    return {row["offer_key"]: row["id"] for row in rows}


def _copy(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Send rows to a PostgreSQL table with COPY, its fastest way in."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def open_prices(
    session: Session, provider: str
) -> dict[tuple[int, str], tuple[int, Decimal, datetime]]:
    """A provider's open price points: (offer, model) -> (id, price, valid_from)."""
    query = (
        select(
            PricePointRow.offer_id,
            PricePointRow.pricing_model,
            PricePointRow.id,
            PricePointRow.price_per_hour,
            PricePointRow.valid_from,
        )
        .join(OfferRow, OfferRow.id == PricePointRow.offer_id)
        .where(OfferRow.provider == provider, PricePointRow.valid_to.is_(None))
    )
    return {
        (offer_id, model): (point_id, price, valid_from)
        for offer_id, model, point_id, price, valid_from in session.execute(query)
    }


def close_prices(session: Session, point_ids: Sequence[int], at: datetime) -> None:
    """Close price points at an instant (the only update a price point gets)."""
    if point_ids:
        session.execute(
            update(PricePointRow),
            [{"id": point_id, "valid_to": at} for point_id in point_ids],
        )


PRICE_COLUMNS = (
    "offer_id",
    "pricing_model",
    "price_per_hour",
    "currency",
    "valid_from",
    "import_id",
)


def insert_prices(session: Session, points: Sequence[dict[str, Any]]) -> None:
    """Insert price points in bulk (COPY on PostgreSQL, its fastest way in)."""
    if not points:
        return
    if session.connection().dialect.name != "postgresql":
        session.execute(insert(PricePointRow), points)
        return
    _copy(session, "price_points", PRICE_COLUMNS, points)


def latest_observed_at(session: Session, provider: str) -> datetime | None:
    """The newest snapshot instant imported for a provider."""
    return session.execute(
        select(func.max(CatalogImportRow.observed_at)).where(
            CatalogImportRow.provider == provider
        )
    ).scalar_one_or_none()


def add_import(session: Session, values: dict[str, Any]) -> CatalogImportRow:
    """Record an import."""
    row = CatalogImportRow(**values)
    session.add(row)
    session.flush()
    return row


def page(
    session: Session, query: Select[Any], *, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of a query's rows and the total count."""
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = list(session.execute(query.limit(limit).offset(offset)))
    return rows, total


def _accelerator_values(a: Accelerator) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "vendor": a.vendor,
        "memory_gib": a.memory_gib,
        "memory_bandwidth_gbps": a.memory_bandwidth_gbps,
        "tdp_watts": a.tdp_watts,
        "interconnect_gbps": a.interconnect_gbps,
        "list_price": a.list_price,
        "list_price_currency": a.list_price_currency,
        "list_price_source": a.list_price_source,
        "source": a.source,
        "notes": a.notes,
        "trains": a.trains,
    }
    for precision in PEAK_COLUMNS:
        values[f"peak_tflops_{precision}"] = getattr(a, f"peak_tflops_{precision}")
    return values


def _accelerator(row: AcceleratorRow, aliases: list[str]) -> Accelerator:
    return Accelerator(
        id=row.id,
        name=row.name,
        vendor=row.vendor,
        memory_gib=row.memory_gib,
        memory_bandwidth_gbps=row.memory_bandwidth_gbps,
        peak_tflops_fp32=row.peak_tflops_fp32,
        peak_tflops_tf32=row.peak_tflops_tf32,
        peak_tflops_bf16=row.peak_tflops_bf16,
        peak_tflops_fp16=row.peak_tflops_fp16,
        peak_tflops_fp8=row.peak_tflops_fp8,
        peak_tflops_int8=row.peak_tflops_int8,
        tdp_watts=row.tdp_watts,
        interconnect_gbps=row.interconnect_gbps,
        list_price=row.list_price,
        list_price_currency=row.list_price_currency,
        list_price_source=row.list_price_source,
        aliases=tuple(aliases),
        source=row.source,
        notes=row.notes,
        trains=row.trains,
    )


def load_offers(session: Session) -> list[Offer]:
    """Every offer, as domain values."""
    return [
        Offer(
            id=row.id,
            provider=row.provider,
            region=row.region,
            zone=row.zone,
            instance_type=row.instance_type,
            accelerator_id=row.accelerator_id,
            accelerator_count=float(row.accelerator_count),
            vcpus=row.vcpus,
            host_memory_gib=row.host_memory_gib,
        )
        for row in session.scalars(select(OfferRow).order_by(OfferRow.id))
    ]


def load_price_points(session: Session) -> list[PricePoint]:
    """Every price point of the history, as domain values."""
    query = select(
        PricePointRow.offer_id,
        PricePointRow.pricing_model,
        PricePointRow.price_per_hour,
        PricePointRow.currency,
        PricePointRow.valid_from,
        PricePointRow.valid_to,
        PricePointRow.import_id,
    ).order_by(PricePointRow.offer_id, PricePointRow.pricing_model)
    return [PricePoint(*row) for row in session.execute(query)]
