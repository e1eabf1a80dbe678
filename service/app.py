"""The application factory: wires settings, store, routes and error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio
from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.api.middleware import BodySizeLimit, RequestContext
from service.api.openapi import problem_openapi
from service.api.problems import install_problem_handlers
from service.api.query import known_query_only
from service.api.routes import (
    accelerators,
    estimates,
    health,
    imports,
    offers,
    plans,
    quotes,
    tco,
)
from service.settings import Settings, get_settings
from service.store.engine import begin_write, make_engine, make_sessionmaker
from service.store.migrate import upgrade
from service.usecases.bundled import load_bundled_catalog
from service.usecases.catalog_cache import CatalogCache
from service.usecases.keys import KeyVerifier, ensure_local_admin_key

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
        # Quotes that must be computed run in a worker thread, one at a time: the
        # event loop keeps answering cheap requests (health, kept answers) meanwhile,
        # and a single thread competes with it for the GIL rather than many.
        app.state.compute_limiter = anyio.CapacityLimiter(1)
        if engine is not None and settings.auto_migrate:
            upgrade(engine)
        if settings.load_bundled_catalog:
            prepare_catalog(sessions)
        if settings.embedded:
            prepare_local_key(sessions, settings)
        try:
            app.state.catalog_cache.warm(sessions, datetime.now(UTC))
        except SQLAlchemyError as error:
            # Serve anyway: /readyz says what is wrong and requests retry the load.
            log.warning("catalog.warm.failed error=%s", type(error).__name__)
        yield
        if engine is not None:
            engine.dispose()

    app = FastAPI(
        title="Compute-cost API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(known_query_only)],
    )
    app.state.sessionmaker = sessions
    app.state.settings = settings
    app.state.catalog_cache = CatalogCache(settings.catalog_refresh_seconds)
    app.state.key_verifier = KeyVerifier(settings.key_cache_seconds)
    install_problem_handlers(app)
    app.openapi = problem_openapi(app)  # type: ignore[method-assign]
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(RequestContext)
    for module in (
        health,
        accelerators,
        offers,
        imports,
        estimates,
        quotes,
        plans,
        tco,
    ):
        app.include_router(module.router)
    return app


def prepare_catalog(sessions: sessionmaker[Session]) -> None:
    """Load the bundled catalogue into an empty store, in one transaction."""
    with sessions() as session:
        begin_write(session)
        if load_bundled_catalog(session, now=datetime.now(UTC)):
            session.commit()
            log.info("catalog.bundled.ready")


def prepare_local_key(sessions: sessionmaker[Session], settings: Settings) -> None:
    """On the embedded store's first start, create a local admin key in a file."""
    with sessions() as session:
        begin_write(session)
        path = ensure_local_admin_key(session, settings.data_dir, now=datetime.now(UTC))
        session.commit()
    if path is not None:
        log.warning(
            "auth.local_admin_key.created path=%s (readable only by its owner; "
            "send it as Authorization: Bearer <key>)",
            path.resolve(),
        )
