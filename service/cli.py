"""The `compute-cost` command: serve, migrate, import, keys."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from service.settings import get_settings


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a timezone, e.g. 2026-05-20T00:00:00Z")
    return value.astimezone(UTC)


def serve(args: argparse.Namespace) -> int:
    """Migrate the store, then serve the API with uvicorn."""
    import uvicorn

    from service.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        "service.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        workers=args.workers,
    )
    return 0


def migrate(args: argparse.Namespace) -> int:
    """Upgrade (or downgrade) the database schema."""
    from service.store.engine import make_engine
    from service.store.migrate import downgrade, upgrade

    engine = make_engine(get_settings().resolved_database_url())
    if args.downgrade:
        downgrade(engine, args.downgrade)
    else:
        upgrade(engine, args.revision)
    engine.dispose()
    print(f"migrated to {args.downgrade or args.revision}")
    return 0


def import_file(args: argparse.Namespace) -> int:
    """Import a catalogue file and print what it changed."""
    from service.api.routes.imports import import_read, import_summary
    from service.app import prepare_catalog
    from service.domain.errors import DomainError
    from service.store.engine import begin_write, make_engine, make_sessionmaker
    from service.store.migrate import upgrade
    from service.usecases.imports import import_catalog_file

    engine = make_engine(get_settings().resolved_database_url())
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        prepare_catalog(sessions)
        path = Path(args.file)
        with sessions() as session:
            begin_write(session)
            try:
                record = import_catalog_file(
                    session,
                    content=path.read_bytes(),
                    provider=args.provider,
                    observed_at=args.observed_at,
                    source=path.name,
                    now=datetime.now(UTC),
                    scope=args.scope,
                    actor="cli",
                    new_provider=args.new_provider,
                )
            except DomainError as error:
                print(f"import refused: {error}", file=sys.stderr)
                return 2
            session.commit()
    finally:
        engine.dispose()
    report = import_read(record) if args.anomalies else import_summary(record)
    print(json.dumps(report.model_dump(mode="json"), indent=2))
    return 0


def keys(args: argparse.Namespace) -> int:
    """Create, revoke or list API keys."""
    from sqlalchemy import select

    from service.domain.errors import DomainError
    from service.store.engine import make_engine, make_sessionmaker
    from service.store.migrate import upgrade
    from service.store.tables import ApiKeyRow
    from service.usecases.keys import create_key, revoke_key

    engine = make_engine(get_settings().resolved_database_url())
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            now = datetime.now(UTC)
            try:
                if args.keys_command == "create":
                    key, row = create_key(
                        session,
                        team=args.team,
                        scopes=args.scopes.split(","),
                        name=args.name,
                        now=now,
                    )
                    print(f"key id {row.id}, team {row.team}, scopes {row.scopes}")
                    print(f"key (shown once): {key}")
                elif args.keys_command == "revoke":
                    row = revoke_key(session, args.key_id, now=now)
                    print(f"revoked {row.id} at {row.revoked_at}")
                else:
                    for row in session.scalars(
                        select(ApiKeyRow).order_by(ApiKeyRow.id)
                    ):
                        state = "revoked" if row.revoked_at else "active"
                        print(f"{row.id} {row.team} {','.join(row.scopes)} {state}")
            except DomainError as error:
                print(str(error), file=sys.stderr)
                return 2
            session.commit()
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand."""
    parser = argparse.ArgumentParser(prog="compute-cost", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_cmd = commands.add_parser("serve", help="serve the API")
    serve_cmd.add_argument("--host", help="address to bind (default: HOST)")
    serve_cmd.add_argument("--port", type=int, help="port to bind (default: PORT)")
    serve_cmd.add_argument("--workers", type=int, default=1, help="processes")
    serve_cmd.set_defaults(run=serve)

    migrate_cmd = commands.add_parser("migrate", help="upgrade the database schema")
    migrate_cmd.add_argument("--revision", default="head")
    migrate_cmd.add_argument("--downgrade", metavar="REVISION", help="e.g. base")
    migrate_cmd.set_defaults(run=migrate)

    import_cmd = commands.add_parser("import", help="import a catalogue file")
    import_cmd.add_argument("file", help="a SkyPilot-format CSV file")
    import_cmd.add_argument("--provider", required=True, help="e.g. aws, gcp")
    import_cmd.add_argument(
        "--observed-at", required=True, type=_instant, help="when prices were seen"
    )
    import_cmd.add_argument("--scope", choices=("full", "partial"), default="full")
    import_cmd.add_argument(
        "--new-provider",
        action="store_true",
        help="the provider is new, though its name is close to a known one",
    )
    import_cmd.add_argument(
        "--anomalies", action="store_true", help="print every anomaly"
    )
    import_cmd.set_defaults(run=import_file)

    keys_cmd = commands.add_parser("keys", help="manage API keys")
    keys_sub = keys_cmd.add_subparsers(dest="keys_command", required=True)
    create_cmd = keys_sub.add_parser("create", help="create a key (printed once)")
    create_cmd.add_argument("--team", required=True)
    create_cmd.add_argument(
        "--scopes", required=True, help="comma-separated: read, plan, admin"
    )
    create_cmd.add_argument("--name", default="", help="what the key is for")
    revoke_cmd = keys_sub.add_parser("revoke", help="revoke a key by its id")
    revoke_cmd.add_argument("key_id")
    keys_sub.add_parser("list", help="list keys (never their secrets)")
    keys_cmd.set_defaults(run=keys)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(f"cannot use the database: {reason}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
