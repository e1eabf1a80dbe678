"""The application factory: wires settings, store, routes and error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.api.problems import install_problem_handlers
from service.api.routes import accelerators, estimates, health, imports, offers
from service.settings import Settings, get_settings
from service.store.engine import make_engine, make_sessionmaker
from service.store.migrate import upgrade
from service.usecases.bundled import load_bundled_catalog
from service.usecases.catalog_cache import CatalogCache

log = logging.getLogger(__name__)

DESCRIPTION = """
What training and serving large models needs (FLOPs, memory, accelerators) and what
it costs on every offer of a real price catalogue with full history.

Errors are RFC 9457 problem details. Money is a decimal string with its currency.
"""


def create_app(
    settings: Settings | None = None,
    *,
    sessions: sessionmaker[Session] | None = None,
) -> FastAPI:
    """Build the API; tests pass their own session factory bound to a test database."""
    settings = settings or get_settings()
    engine: Engine | None = None
    if sessions is None:
        engine = make_engine(settings.resolved_database_url())
        sessions = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engine is not None and settings.auto_migrate:
            upgrade(engine)
        if settings.load_bundled_catalog:
            prepare_catalog(sessions)
        yield
        if engine is not None:
            engine.dispose()

    app = FastAPI(
        title="Compute-cost API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.sessionmaker = sessions
    app.state.settings = settings
    app.state.catalog_cache = CatalogCache(settings.catalog_refresh_seconds)
    install_problem_handlers(app)
    for module in (health, accelerators, offers, imports, estimates):
        app.include_router(module.router)
    return app


def prepare_catalog(sessions: sessionmaker[Session]) -> None:
    """Load the bundled catalogue into an empty store, in one transaction."""
    with sessions() as session:
        if load_bundled_catalog(session, now=datetime.now(UTC)):
            session.commit()
            log.info("catalog.bundled.ready")
