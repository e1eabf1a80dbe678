"""Alembic environment: runs the revisions against the service's database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.settings import get_settings
from service.store.engine import make_engine
from service.store.tables import Base

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    """Run the migrations on an open connection, in batch mode on SQLite."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection the caller passed, or open one from the settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or (
        get_settings().resolved_database_url()
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        run_with(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run them on a database")
run_migrations_online()
