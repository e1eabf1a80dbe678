"""ORM tables of the catalogue store (SQLAlchemy 2, typed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money in the store: up to 10^10 per hour with 8 decimals, wide enough for any
# instance price and exact for every price the providers publish.
Money = Numeric(18, 8)
# SQLite has no BIGINT autoincrement; the variant keeps integer keys on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with the naming convention the migrations use."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CatalogStateRow(Base):
    """The single row holding the catalogue version that every change bumps."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class AcceleratorRow(Base):
    """A chip model with its dense peaks."""

    __tablename__ = "accelerators"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    vendor: Mapped[str] = mapped_column(String(64), nullable=False)
    memory_gib: Mapped[float] = mapped_column(Float, nullable=False)
    memory_bandwidth_gbps: Mapped[float | None] = mapped_column(Float)
    peak_tflops_fp32: Mapped[float | None] = mapped_column(Float)
    peak_tflops_tf32: Mapped[float | None] = mapped_column(Float)
    peak_tflops_bf16: Mapped[float | None] = mapped_column(Float)
    peak_tflops_fp16: Mapped[float | None] = mapped_column(Float)
    peak_tflops_fp8: Mapped[float | None] = mapped_column(Float)
    peak_tflops_int8: Mapped[float | None] = mapped_column(Float)
    tdp_watts: Mapped[float | None] = mapped_column(Float)
    interconnect_gbps: Mapped[float | None] = mapped_column(Float)
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    list_price_currency: Mapped[str | None] = mapped_column(String(3))
    list_price_source: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    trains: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )


class AcceleratorAliasRow(Base):
    """A name that catalogues use for an accelerator, stored lower-cased."""

    __tablename__ = "accelerator_aliases"

    alias: Mapped[str] = mapped_column(String(128), primary_key=True)
    accelerator_id: Mapped[str] = mapped_column(
        ForeignKey("accelerators.id", ondelete="CASCADE"), nullable=False, index=True
    )


class AliasRuleRow(Base):
    """A provider's name that means another chip for some instance types."""

    __tablename__ = "accelerator_alias_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    instance_type_glob: Mapped[str] = mapped_column(String(128), nullable=False)
    # NULL means: leave rows matching this rule unmapped (a chip with no row).
    accelerator_id: Mapped[str | None] = mapped_column(
        ForeignKey("accelerators.id", ondelete="CASCADE")
    )


class CatalogImportRow(Base):
    """One import of a catalogue snapshot, with what it changed."""

    __tablename__ = "catalog_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    format: Mapped[str] = mapped_column(String(32), nullable=False)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    checksum_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    offers_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_points_opened: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_points_closed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_points_unchanged: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0
    )
    anomalies: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, nullable=False, default=list
    )
    catalog_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(64))


class OfferRow(Base):
    """An instance type with its accelerators, in one provider region (and zone)."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("accelerator_count > 0", name="accelerator_count_positive"),
        Index("ix_offers_provider_region", "provider", "region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # provider/region/zone/instance_type/accelerator/count: one offer per key.
    offer_key: Mapped[str] = mapped_column(String(512), nullable=False, unique=True)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(64), nullable=False)
    zone: Mapped[str | None] = mapped_column(String(64))
    instance_type: Mapped[str] = mapped_column(String(128), nullable=False)
    accelerator_id: Mapped[str] = mapped_column(
        ForeignKey("accelerators.id"), nullable=False, index=True
    )
    accelerator_count: Mapped[Decimal] = mapped_column(Numeric(10, 4), nullable=False)
    vcpus: Mapped[float | None] = mapped_column(Float)
    host_memory_gib: Mapped[float | None] = mapped_column(Float)
    created_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_imports.id")
    )


class PricePointRow(Base):
    """The hourly price of an offer under a pricing model over [valid_from, valid_to).

    Rows are never updated except to close them: a price change sets `valid_to` on
    the current row and inserts the next. The partial unique index allows one open
    row per offer and pricing model; a trigger (see the migrations) refuses any
    overlap of closed intervals.
    """

    __tablename__ = "price_points"
    __table_args__ = (
        CheckConstraint("price_per_hour > 0", name="price_positive"),
        CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name="interval_not_empty"
        ),
        Index(
            "uq_price_points_current",
            "offer_id",
            "pricing_model",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(
            "uq_price_points_start",
            "offer_id",
            "pricing_model",
            "valid_from",
            unique=True,
        ),
        Index("ix_price_points_valid", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), nullable=False
    )
    pricing_model: Mapped[str] = mapped_column(String(32), nullable=False)
    price_per_hour: Mapped[Decimal] = mapped_column(Money, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_imports.id"), nullable=False, index=True
    )


class PlanRow(Base):
    """A saved quote: the request, the answer and the instant of its prices."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_team_created", "team", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    team: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    catalog_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(64))


class ApiKeyRow(Base):
    """An API key: only the hash of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    team: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyRow(Base):
    """The first answer to a write sent with an Idempotency-Key, per team and route."""

    __tablename__ = "idempotency_keys"

    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    route: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
