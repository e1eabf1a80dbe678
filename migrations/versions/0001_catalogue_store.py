"""Catalogue store: accelerators, offers, price history, imports, version.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 16:51:00.147109
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accelerators",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vendor", sa.String(length=64), nullable=False),
        sa.Column("memory_gib", sa.Float(), nullable=False),
        sa.Column("memory_bandwidth_gbps", sa.Float(), nullable=True),
        sa.Column("peak_tflops_fp32", sa.Float(), nullable=True),
        sa.Column("peak_tflops_tf32", sa.Float(), nullable=True),
        sa.Column("peak_tflops_bf16", sa.Float(), nullable=True),
        sa.Column("peak_tflops_fp16", sa.Float(), nullable=True),
        sa.Column("peak_tflops_fp8", sa.Float(), nullable=True),
        sa.Column("peak_tflops_int8", sa.Float(), nullable=True),
        sa.Column("tdp_watts", sa.Float(), nullable=True),
        sa.Column("interconnect_gbps", sa.Float(), nullable=True),
        sa.Column("list_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("list_price_currency", sa.String(length=3), nullable=True),
        sa.Column("list_price_source", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accelerators")),
    )
    op.create_table(
        "catalog_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("checksum_sha256", sa.String(length=64), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("offers_created", sa.Integer(), nullable=False),
        sa.Column("price_points_opened", sa.Integer(), nullable=False),
        sa.Column("price_points_closed", sa.Integer(), nullable=False),
        sa.Column("price_points_unchanged", sa.Integer(), nullable=False),
        sa.Column("anomalies", sa.JSON(), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_imports")),
    )
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_imports_provider"), ["provider"], unique=False
        )

    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.create_table(
        "accelerator_alias_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("instance_type_glob", sa.String(length=128), nullable=False),
        sa.Column("accelerator_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["accelerator_id"],
            ["accelerators.id"],
            name=op.f("fk_accelerator_alias_rules_accelerator_id_accelerators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accelerator_alias_rules")),
    )
    op.create_table(
        "accelerator_aliases",
        sa.Column("alias", sa.String(length=128), nullable=False),
        sa.Column("accelerator_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["accelerator_id"],
            ["accelerators.id"],
            name=op.f("fk_accelerator_aliases_accelerator_id_accelerators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_accelerator_aliases")),
    )
    with op.batch_alter_table("accelerator_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accelerator_aliases_accelerator_id"),
            ["accelerator_id"],
            unique=False,
        )

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_key", sa.String(length=512), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("instance_type", sa.String(length=128), nullable=False),
        sa.Column("accelerator_id", sa.String(length=64), nullable=False),
        sa.Column(
            "accelerator_count", sa.Numeric(precision=10, scale=4), nullable=False
        ),
        sa.Column("vcpus", sa.Float(), nullable=True),
        sa.Column("host_memory_gib", sa.Float(), nullable=True),
        sa.Column("created_import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "accelerator_count > 0", name=op.f("ck_offers_accelerator_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["accelerator_id"],
            ["accelerators.id"],
            name=op.f("fk_offers_accelerator_id_accelerators"),
        ),
        sa.ForeignKeyConstraint(
            ["created_import_id"],
            ["catalog_imports.id"],
            name=op.f("fk_offers_created_import_id_catalog_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("offer_key", name=op.f("uq_offers_offer_key")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_accelerator_id"), ["accelerator_id"], unique=False
        )
        batch_op.create_index(
            "ix_offers_provider_region", ["provider", "region"], unique=False
        )

    op.create_table(
        "price_points",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("pricing_model", sa.String(length=32), nullable=False),
        sa.Column("price_per_hour", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "price_per_hour > 0", name=op.f("ck_price_points_price_positive")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_price_points_interval_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["catalog_imports.id"],
            name=op.f("fk_price_points_import_id_catalog_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_price_points_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_points")),
    )
    with op.batch_alter_table("price_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_price_points_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            "ix_price_points_valid", ["valid_from", "valid_to"], unique=False
        )
        batch_op.create_index(
            "uq_price_points_current",
            ["offer_id", "pricing_model"],
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
        batch_op.create_index(
            "uq_price_points_start",
            ["offer_id", "pricing_model", "valid_from"],
            unique=True,
        )

    create_overlap_guard()
    op.execute(
        sa.text(
            "INSERT INTO catalog_state (id, version, updated_at) VALUES (1, 0, :now)"
        ).bindparams(now=datetime.now(UTC).replace(tzinfo=None))
    )


def downgrade() -> None:
    drop_overlap_guard()
    with op.batch_alter_table("price_points", schema=None) as batch_op:
        batch_op.drop_index("uq_price_points_start")
        batch_op.drop_index(
            "uq_price_points_current",
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
        batch_op.drop_index("ix_price_points_valid")
        batch_op.drop_index(batch_op.f("ix_price_points_import_id"))

    op.drop_table("price_points")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_provider_region")
        batch_op.drop_index(batch_op.f("ix_offers_accelerator_id"))

    op.drop_table("offers")
    with op.batch_alter_table("accelerator_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accelerator_aliases_accelerator_id"))

    op.drop_table("accelerator_aliases")
    op.drop_table("accelerator_alias_rules")
    op.drop_table("catalog_state")
    with op.batch_alter_table("catalog_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_imports_provider"))

    op.drop_table("catalog_imports")
    op.drop_table("accelerators")


# Two price points of one offer and pricing model must never overlap in time. The
# partial unique index covers the open point; these triggers cover closed ones.
OVERLAP = """
    SELECT 1 FROM price_points p
    WHERE p.offer_id = NEW.offer_id AND p.pricing_model = NEW.pricing_model
      AND p.id <> NEW.id
      AND (p.valid_to IS NULL OR p.valid_to > NEW.valid_from)
      AND (NEW.valid_to IS NULL OR NEW.valid_to > p.valid_from)
"""


def create_overlap_guard() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER price_points_no_overlap_{event.lower()} "
                f"BEFORE {event} ON price_points "
                f"WHEN EXISTS ({OVERLAP}) "
                "BEGIN SELECT RAISE(ABORT, 'price_points: overlapping validity'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION price_points_no_overlap() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF EXISTS ({OVERLAP}) THEN "
        "RAISE EXCEPTION 'price_points: overlapping validity' "
        "USING ERRCODE = 'exclusion_violation'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER price_points_no_overlap BEFORE INSERT OR UPDATE "
        "ON price_points FOR EACH ROW EXECUTE FUNCTION price_points_no_overlap()"
    )


def drop_overlap_guard() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS price_points_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS price_points_no_overlap_update")
        return
    op.execute("DROP TRIGGER IF EXISTS price_points_no_overlap ON price_points")
    op.execute("DROP FUNCTION IF EXISTS price_points_no_overlap()")
