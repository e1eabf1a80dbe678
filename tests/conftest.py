"""Test fixtures: a migrated database per run, a rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service.app import create_app
from service.settings import Settings
from service.store.engine import make_engine, make_sessionmaker, normalise_url
from service.store.migrate import downgrade, upgrade
from service.usecases.bundled import load_bundled_catalog
from service.usecases.imports import import_catalog_file
from service.usecases.keys import create_key

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(
    os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data")
)
CATALOGS = SHARED_DATA / "catalogs"
# The data date of each real catalogue file (../shared/data/catalogs/SOURCE.md).
CATALOG_DATES = {
    "aws": datetime(2026, 1, 21, tzinfo=UTC),
    "gcp": datetime(2026, 5, 20, tzinfo=UTC),
    "azure": datetime(2026, 5, 20, tzinfo=UTC),
    "lambda": datetime(2026, 5, 7, tzinfo=UTC),
    "vast": datetime(2026, 4, 29, tzinfo=UTC),
}


def real_catalog(provider: str) -> Path:
    """The path of a real catalogue file, or skip the test when the data is absent."""
    path = CATALOGS / f"{provider}.csv"
    if not path.exists():
        pytest.skip(f"real catalogue data not found at {path} (set SHARED_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """TEST_DATABASE_URL, or a fresh SQLite file for this run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="compute-cost-test-") as folder:
        yield f"sqlite:///{folder}/test.sqlite3"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """A database migrated from nothing to head, with the bundled catalogue."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    with Session(engine) as session:
        load_bundled_catalog(session, now=datetime.now(UTC))
        session.commit()
    yield engine
    downgrade(engine)
    engine.dispose()


@contextmanager
def _scratch_database(database_url: str, folder: Path) -> Iterator[str]:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{folder}/scratch.sqlite3"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def scratch_database_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own, empty, of the same kind as the suite's; dropped after."""
    with _scratch_database(database_url, tmp_path_factory.mktemp("scratch")) as url:
        yield url


@pytest.fixture(scope="session")
def real_catalog_sessions(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """A database of its own with the five real catalogues imported, shared by tests.

    Tests may read it and save plans (under their own teams); none may import.
    """
    for provider in CATALOG_DATES:
        real_catalog(provider)
    folder = tmp_path_factory.mktemp("real")
    with _scratch_database(database_url, folder) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            load_bundled_catalog(session, now=datetime.now(UTC))
            for provider, observed_at in CATALOG_DATES.items():
                import_catalog_file(
                    session,
                    content=real_catalog(provider).read_bytes(),
                    provider=provider,
                    observed_at=observed_at,
                    source=f"{provider}.csv",
                    now=datetime.now(UTC),
                )
            session.commit()
        yield sessions
        engine.dispose()


@pytest.fixture
def real_client(
    real_catalog_sessions: sessionmaker[Session],
) -> Iterator[TestClient]:
    """A client with a plan key of a team of its own, over the real catalogues."""
    settings = Settings(
        auto_migrate=False, load_bundled_catalog=False, database_url="test"
    )
    app = create_app(settings, sessions=real_catalog_sessions)
    key = make_key(real_catalog_sessions, f"team-{uuid.uuid4().hex[:8]}", "plan")
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions that commit to savepoints inside the test's transaction."""
    return sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session inside the test's transaction."""
    with sessions() as session:
        yield session


def make_key(sessions: sessionmaker[Session], team: str, *scopes: str) -> str:
    """Create an API key in the test's transaction and return it."""
    with sessions() as session:
        key, _ = create_key(
            session, team=team, scopes=scopes, name="test", now=datetime.now(UTC)
        )
        session.commit()
    return key


@pytest.fixture
def app(sessions: sessionmaker[Session]) -> FastAPI:
    """The API on the test's transaction."""
    settings = Settings(
        auto_migrate=False, load_bundled_catalog=False, database_url="test"
    )
    return create_app(settings, sessions=sessions)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """A client that sends no API key."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(app: FastAPI, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client with an admin key of team A."""
    key = make_key(sessions, "team-a", "admin")
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


@pytest.fixture
def team_b(app: FastAPI, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client with a plan key of team B."""
    key = make_key(sessions, "team-b", "plan")
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client
