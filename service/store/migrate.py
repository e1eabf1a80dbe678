"""Run the Alembic migrations from code: upgrade, downgrade, and the head check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine


def migrations_dir() -> Path:
    """Find the migrations folder beside the package, or in the working directory."""
    beside_package = Path(__file__).resolve().parents[2] / "migrations"
    if (beside_package / "env.py").exists():
        return beside_package
    return Path.cwd() / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction; on SQLite with foreign keys off meanwhile.

    SQLite alters a table by copying it and dropping the old one, which foreign
    keys forbid while rows refer to it; the pragma only takes effect outside a
    transaction, hence on the driver's connection before SQLAlchemy begins one
    (Alembic docs, "Running batch migrations for SQLite").
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to a revision (default: head)."""
    with _migration_connection(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to a revision (default: base, an empty schema)."""
    with _migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def is_at_head(connection: Connection) -> bool:
    """Say whether the database is migrated to the newest revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
