"""Start-up: `onboard --help` and a cron sweep of an empty drop folder load none of the
heavy libraries (pandas, Pandera, SQLAlchemy, openpyxl, Arrow), so they take a fraction
of a second; the libraries are imported where a file is processed."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import valid_row, write_sheet

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.importer import validate_file

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


def test_a_store_at_the_newest_revision_is_opened_without_alembic(tmp_path: Path) -> None:
    """It imports into a store already at the newest revision without loading Alembic (the
    store's revision is read with one query and compared with `migrate.HEAD`), and writes
    the reports of a rejected row without openpyxl."""
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", store]).exit_code == 0
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, contact_email="not an address")])
    probe = _PROBE.replace("{heavy!r}", repr(("alembic", "openpyxl")))
    command = [
        sys.executable,
        "-c",
        probe,
        "import",
        str(sheet),
        "--db",
        store,
        "--user",
        "t",
        "--report-dir",
        "r",
    ]

    completed = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path)

    assert completed.stdout.strip().splitlines()[-1] == "LOADED: EXIT:1"
    assert len(list((tmp_path / "r").glob("*/rejects.xlsx"))) == 1


def test_objects_a_caller_froze_stay_frozen(tmp_path: Path) -> None:
    """It leaves the garbage collector as it found it: frozen by nobody after a file (what
    it froze is handed back), and what a caller froze itself (a server before it forks)
    still frozen."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    config = Config(report_dir=tmp_path / "reports")
    gc.unfreeze()
    validate_file(sheet, config)
    assert gc.get_freeze_count() == 0

    gc.freeze()
    try:
        validate_file(sheet, config)
        assert gc.get_freeze_count() > 0  # an unfreeze would have handed back the caller's too
    finally:
        gc.unfreeze()
