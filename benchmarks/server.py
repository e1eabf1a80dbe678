"""Fresh stores and the server started on them as a user would."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import make_url, text

from service.store.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "compute-cost"
READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 15.0


class BenchmarkError(Exception):
    """A step of the benchmark failed; the message says which and why."""


@dataclass
class Store:
    """One fresh database: embedded SQLite in `data_dir`, or a PostgreSQL database."""

    kind: str
    data_dir: Path
    database_url: str = ""
    created_key: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def sqlalchemy_url(self) -> str:
        """The URL the benchmark's own writes use."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'compute-cost.sqlite3'}"

    def api_key(self) -> str:
        """The admin key: made by `keys create`, or the embedded store's own file."""
        if self.created_key:
            return self.created_key
        return (self.data_dir / "admin-key").read_text().strip()


def cli(store: Store, *args: str) -> str:
    """Run `compute-cost` with the store's environment and return its output."""
    done = subprocess.run(
        [str(CLI), *args],
        env=store.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkError(
            f"compute-cost {' '.join(args)} failed ({done.returncode}): "
            f"{done.stderr.strip()[-2000:]}"
        )
    return done.stdout


@contextmanager
def fresh_store(postgres_url: str | None) -> Iterator[Store]:
    """A migrated empty store; on PostgreSQL a new bench_* database, dropped after."""
    with tempfile.TemporaryDirectory(prefix="compute-cost-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_LEVEL": "warning"}
        env.pop("DATABASE_URL", None)
        if postgres_url is None:
            store = Store("sqlite", data_dir, env=env)
            cli(store, "migrate")
            yield store
            return
        name = f"bench_{secrets.token_hex(4)}"
        url = make_url(postgres_url).set(database=name)
        database_url = url.render_as_string(hide_password=False)
        _admin(postgres_url, f'CREATE DATABASE "{name}"')
        try:
            store = Store(
                "postgresql",
                data_dir,
                database_url=database_url,
                env={**env, "DATABASE_URL": database_url},
            )
            cli(store, "migrate")
            created = cli(
                store, "keys", "create", "--team", "bench", "--scopes", "admin"
            )
            store.created_key = created.rsplit(":", 1)[1].strip()
            yield store
        finally:
            _admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(postgres_url: str, statement: str) -> None:
    engine = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@dataclass
class Server:
    """A running `compute-cost serve` and where to reach it."""

    base_url: str
    token: str
    log_path: Path

    def client(self, timeout: float = 60.0) -> httpx.Client:
        """An HTTP client that sends the admin key."""
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=timeout,
        )

    def log_problems(self) -> list[str]:
        """The server's log lines at ERROR or worse, and tracebacks."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [
            line
            for line in lines
            if "ERROR" in line or "CRITICAL" in line or line.startswith("Traceback")
        ]


@contextmanager
def serve(store: Store) -> Iterator[Server]:
    """Start one uvicorn worker with `compute-cost serve`, ready, and stop it after."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = store.data_dir.parent / f"server-{port}.log"
    env = {**store.env, "HOST": "127.0.0.1", "PORT": str(port)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(CLI), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_ready(process, base_url, log_path)
        yield Server(base_url, store.api_key(), log_path)
    finally:
        if process.poll() is not None:
            print(
                f"the server exited on its own with {process.returncode}; its log "
                f"ends with:\n{log_path.read_text(errors='replace')[-3000:]}",
                file=sys.stderr,
            )
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"the server exited with {process.returncode}: "
                f"{log.read_text(errors='replace')[-2000:]}"
            )
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise BenchmarkError(f"the server was not ready within {READY_TIMEOUT_SECONDS} s")
