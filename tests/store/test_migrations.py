"""Migrations run from nothing to head, back to nothing and up again, on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from service.store.engine import make_engine
from service.store.migrate import downgrade, is_at_head, upgrade
from service.store.tables import Base


@pytest.fixture
def empty_engine(scratch_database_url: str) -> Iterator[Engine]:
    """An engine on a database of its own with nothing in it."""
    engine = make_engine(scratch_database_url)
    yield engine
    engine.dispose()


def test_upgrade_downgrade_upgrade_leaves_schema_matching_models(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine)
    tables_after_downgrade = set(inspect(empty_engine).get_table_names())
    upgrade(empty_engine)

    with empty_engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), Base.metadata
        )
        at_head = is_at_head(connection)
    assert tables_after_downgrade <= {"alembic_version"}
    assert differences == []
    assert at_head


def test_fresh_database_is_not_at_head(empty_engine: Engine) -> None:
    with empty_engine.connect() as connection:
        assert not is_at_head(connection)
