"""What the figures were measured on: hardware, software and the code's commit."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.load import wrk_path
from benchmarks.server import ROOT
from service.store.engine import make_engine

PACKAGES = ("fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "psycopg")


def describe_machine() -> dict[str, Any]:
    """CPU, memory, kernel, Python, package versions, wrk and the git commit."""
    cpuinfo = [
        tuple(part.strip() for part in line.split(":", 1))
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if ":" in line
    ]
    models = [value for key, value in cpuinfo if key == "model name"]
    return {
        "cpu_model": models[0] if models else platform.processor(),
        "cpu_count": sum(1 for key, _ in cpuinfo if key == "processor"),
        "memory_gib": round(_meminfo_kib("MemTotal") / 2**20, 1),
        "kernel": platform.release(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in PACKAGES},
        "wrk": _first_line([wrk_path(), "-v"]).split(" [")[0],
        "git_commit": _first_line(["git", "-C", str(ROOT), "rev-parse", "HEAD"]),
        "git_changed_files": len(
            _output(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines()
        ),
    }


def tree_sha256(folder: Path) -> str:
    """A hash of the files under a folder as they are now, committed or not."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return [round(value, 2) for value in os.getloadavg()]


def postgres_version(url: str) -> str:
    """The PostgreSQL server's version string."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def _meminfo_kib(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _output(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def _first_line(command: list[str]) -> str:
    lines = _output(command).strip().splitlines()
    return lines[0].strip() if lines else "?"
