"""The `compute-cost` command: migrate and import into a database of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from service.cli import main
from service.settings import get_settings
from tests.conftest import CATALOG_DATES, real_catalog


@pytest.fixture
def cli_database(
    scratch_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the command at an empty database of its own."""
    monkeypatch.setenv("DATABASE_URL", scratch_database_url)
    get_settings.cache_clear()
    yield scratch_database_url
    get_settings.cache_clear()


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure", "lambda", "vast"])
def test_cli_imports_each_real_catalogue_and_a_second_run_changes_nothing(
    cli_database: str, capsys: pytest.CaptureFixture[str], provider: str
) -> None:
    path = str(real_catalog(provider))
    observed = CATALOG_DATES[provider].isoformat()

    first_code = main(
        ["import", path, "--provider", provider, "--observed-at", observed]
    )
    first = json.loads(capsys.readouterr().out)
    second_code = main(
        ["import", path, "--provider", provider, "--observed-at", observed]
    )
    second = json.loads(capsys.readouterr().out)

    assert (first_code, second_code) == (0, 0)
    assert first["rows_read"] == second["rows_read"] > 0
    assert first["price_points_opened"] > 0
    assert first["anomaly_counts"]
    assert second["price_points_opened"] == second["price_points_closed"] == 0
    assert second["price_points_unchanged"] == (
        first["price_points_opened"] + first["price_points_unchanged"]
    )


def test_cli_refuses_an_older_snapshot_with_exit_code_2(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(real_catalog("lambda"))
    main(
        [
            "import",
            path,
            "--provider",
            "lambda",
            "--observed-at",
            "2026-05-07T00:00:00Z",
        ]
    )
    capsys.readouterr()

    code = main(
        [
            "import",
            path,
            "--provider",
            "lambda",
            "--observed-at",
            "2026-05-01T00:00:00Z",
        ]
    )

    assert code == 2
    assert "older" in capsys.readouterr().err


def test_cli_migrate_then_downgrade_to_base(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate", "--downgrade", "base"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "migrated to head",
        "migrated to base",
    ]
