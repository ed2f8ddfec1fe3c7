"""Start-up: `onboard --help` and a cron sweep of an empty drop folder load none of the
heavy libraries (pandas, Pandera, SQLAlchemy, openpyxl, Arrow), so they take a fraction
of a second; the libraries are imported where a file is processed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from factories import valid_row, write_sheet

HEAVY = ("pandas", "pandera", "sqlalchemy", "openpyxl", "pyarrow", "numpy", "phonenumbers")
_PROBE = """
import sys
from pipeline.cli import main
sys.argv = ["onboard", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("LOADED:" + ",".join(m for m in {heavy!r} if m in sys.modules), "EXIT:" + str(code))
"""


def _loaded(*arguments: str) -> tuple[list[str], str]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    line = completed.stdout.strip().splitlines()[-1]
    loaded, code = line.split(" ")
    names = loaded.removeprefix("LOADED:")
    return (names.split(",") if names else []), code.removeprefix("EXIT:")


@pytest.mark.parametrize("arguments", [("--help",), ("import", "--help"), ("run", "--help")])
def test_help_loads_no_heavy_library(arguments: tuple[str, ...]) -> None:
    """It prints help without importing pandas, Pandera, SQLAlchemy or the rules' libraries."""
    assert _loaded(*arguments) == ([], "0")


def test_empty_sweep_loads_no_heavy_library(tmp_path: Path) -> None:
    """It sweeps an empty drop folder (exit 0) without importing any heavy library."""
    root = tmp_path / "drop"
    root.mkdir()
    loaded, code = _loaded("run", "--root", str(root), "--db", f"sqlite:///{tmp_path / 'store.db'}")
    assert (loaded, code) == ([], "0")
    assert (root / "inbox").is_dir()
    assert not (tmp_path / "store.db").exists()  # nothing to do: the store is not even opened


def test_a_command_on_a_store_at_the_newest_revision_loads_neither_alembic_nor_openpyxl(
    tmp_path: Path,
) -> None:
    """It opens a store already at the newest revision without Alembic (its revision is
    read with one query and compared with `migrate.HEAD`), and writes reports without
    openpyxl; a new store is still set up by Alembic."""
    store = f"sqlite:///{tmp_path / 'store.db'}"
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, contact_email="not an address")])
    probe = _PROBE.replace("{heavy!r}", repr(("alembic", "openpyxl")))

    def loaded(*arguments: str) -> str:
        completed = subprocess.run(
            [sys.executable, "-c", probe, *arguments],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        return completed.stdout.strip().splitlines()[-1]

    assert loaded("db", "upgrade", "--db", store).startswith("LOADED:alembic")
    assert loaded("status", "--db", store) == "LOADED: EXIT:0"
    assert loaded("import", str(sheet), "--db", store, "--user", "t", "--report-dir", "r") == "LOADED: EXIT:1"
    assert (tmp_path / "r").is_dir()
