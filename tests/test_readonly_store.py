"""Commands that only read the store never create one: a typo in --db says so and exits 2
instead of reporting "0 pending" from a new empty store. `import --dry-run` is validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect

pytestmark = pytest.mark.usefixtures("workdir")

Onboard = Callable[..., Result]

READ_ONLY = [
    ("status",),
    ("export", "--status", "pending", "--out", "out.csv"),
    ("review", "export", "--out", "review.xlsx"),
]


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c[:2]))
def test_read_only_command_on_a_missing_sqlite_store(
    tmp_path: Path, onboard: Onboard, command: tuple[str, ...]
) -> None:
    """It says the store does not exist, exits 2, and creates no file and no output."""
    typo = tmp_path / "onbaording.db"
    result = onboard(*command, "--db", f"sqlite:///{typo}")
    assert result.exit_code == 2, result.output
    assert "there is no store at" in result.stderr
    assert str(typo) in result.stderr
    assert "Traceback" not in result.output
    assert not typo.exists()
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "review.xlsx").exists()


@pytest.mark.postgres
@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c[:2]))
def test_read_only_command_on_a_database_without_tables(
    pg_url: str, onboard: Onboard, command: tuple[str, ...]
) -> None:
    """It refuses a PostgreSQL database that holds no onboard store and creates no tables."""
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        for table in ("audit", "customers", "claims", "batches", "alembic_version"):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    result = onboard(*command, "--db", pg_url)
    assert result.exit_code == 2, result.output
    assert "holds no onboard tables" in result.stderr
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_read_only_commands_read_an_existing_store(
    tmp_path: Path,
    onboard: Onboard,
    db_url: str,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., dict[str, str]],
) -> None:
    """It reads a store that an import created, as before."""
    sheet = write_sheet(tmp_path / "customers.csv", [valid_row(0)])
    assert onboard("import", sheet, "--db", db_url).exit_code == 0
    status = onboard("status", "--db", db_url, "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["customers"]["pending"] == 1
    assert onboard("review", "export", "--out", tmp_path / "review.xlsx", "--db", db_url).exit_code == 0
    assert (tmp_path / "review.xlsx").is_file()


def test_import_dry_run_is_validate(
    tmp_path: Path,
    onboard: Onboard,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., dict[str, str]],
) -> None:
    """It validates with import --dry-run, stores nothing, and says it is validate."""
    sheet = write_sheet(tmp_path / "customers.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    store = tmp_path / "store.db"
    result = onboard("import", "--dry-run", sheet, "--db", f"sqlite:///{store}", "--json")
    assert result.exit_code == 1, result.output
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert summary["command"] == "validate"
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    assert not store.exists()
    human = onboard("import", "--dry-run", sheet, "--db", f"sqlite:///{store}")
    assert "nothing is stored" in human.stderr
    assert not store.exists()
