"""Security: no formula in any file we write (checked with openpyxl and LibreOffice),
parameterized SQL, owner-only files, no personal data in log lines."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from factories import unavailable, valid_row, write_sheet
from openpyxl import load_workbook

from pipeline.cli import cli
from pipeline.store import customers

ONBOARD = str(Path(sys.executable).parent / "onboard")
HOSTILE = ["=1+2", "+1+2", "-1+2", "@SUM(1,2)", '=HYPERLINK("http://evil","x")']


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ONBOARD, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of file onboard writes, from rows full of formula-like text (built once
    for the module, in-process: the tests only read the files)."""
    tmp_path = tmp_path_factory.mktemp("outputs")
    db = f"sqlite:///{tmp_path}/s.db"
    rows = [valid_row(i + 1, contact_role=value, address2=value) for i, value in enumerate(HOSTILE)]
    rows.append(valid_row(9, contact_role="=1+2", contact_email='=HYPERLINK("http://evil","x")'))
    # No ONBOARD_* setting of the shell: a module-scoped fixture runs outside `hermetic`.
    runner = CliRunner(env=dict.fromkeys((n for n in os.environ if n.startswith("ONBOARD_")), None))

    def onboard(*args: object) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    sheet = write_sheet(tmp_path / "in.csv", rows)
    result = onboard("import", sheet, "--db", db, "--report-dir", tmp_path / "reports", "--json")
    assert result.exit_code == 1, result.output  # the HYPERLINK e-mail address is rejected
    report = Path(json.loads(result.stdout)["report_dir"])
    for args in (
        ["review", "export", "--out", tmp_path / "review.xlsx"],
        ["review", "export", "--out", tmp_path / "review.csv"],
        ["export", "--status", "pending", "--out", tmp_path / "pending.xlsx"],
        ["export", "--status", "pending", "--out", tmp_path / "pending.csv"],
    ):
        done = onboard(*args, "--db", db)
        assert done.exit_code == 0, (args, done.output)
    return {
        "rejects.xlsx": report / "rejects.xlsx",
        "rejects.csv": report / "rejects.csv",
        "review.xlsx": tmp_path / "review.xlsx",
        "review.csv": tmp_path / "review.csv",
        "pending.xlsx": tmp_path / "pending.xlsx",
        "pending.csv": tmp_path / "pending.csv",
    }


def test_no_formula_cells_in_any_workbook(outputs: dict[str, Path]) -> None:
    """It writes formula-like text as string cells (never formulas), with the quote prefix."""
    for name in ("rejects.xlsx", "review.xlsx", "pending.xlsx"):
        workbook = load_workbook(outputs[name])
        seen = 0
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                        assert cell.quotePrefix, (name, cell.coordinate)
                        seen += 1
        assert seen >= 2, name


def test_no_formula_start_in_any_csv(outputs: dict[str, Path]) -> None:
    """It puts an apostrophe before every CSV value that would start a formula."""
    for name in ("rejects.csv", "review.csv", "pending.csv"):
        with outputs[name].open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], name
        assert any(c.startswith("'=") for c in cells), name


@pytest.mark.slow
def test_libreoffice_evaluates_no_formula(outputs: dict[str, Path], tmp_path: Path) -> None:
    """It writes workbooks that LibreOffice opens with no formula evaluated."""
    if shutil.which("soffice") is None:
        unavailable("LIBREOFFICE", "LibreOffice (soffice) is not installed")
    converted = tmp_path / "converted"
    for name in ("rejects.xlsx", "review.xlsx", "pending.xlsx"):
        result = subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "csv",
                "--outdir",
                str(converted),
                str(outputs[name]),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        text = (converted / (outputs[name].stem + ".csv")).read_text(encoding="utf-8", errors="replace")
        assert "=1+2" in text, name  # shown as typed
        assert "http://evil" in text, name  # the HYPERLINK formula stayed text
        rows = list(csv.DictReader(text.splitlines()))
        roles = {row.get("contact_role") or row.get("Role") for row in rows}
        assert "=1+2" in roles, name
        assert "3" not in roles, name  # =1+2 was never computed


def test_sql_is_parameterized(
    tmp_path: Path, db_url: str, store: Any, onboard: Any, write_sheet: Any, valid_row: Any
) -> None:
    """It stores quote-laden text verbatim: SQL is never built from user values."""
    nasty = "O'Brien\"; DROP TABLE customers; --"
    sheet = write_sheet(
        tmp_path / "q.csv",
        [valid_row(0, full_name=nasty, contact_last_name="D'Arcy'); --", erp_id="00123' OR '1'='1")],
    )
    result = onboard("import", sheet, "--db", db_url)
    assert result.exit_code == 0, result.output
    stored = store.customer("00123' OR '1'='1")
    assert stored["full_name"] == nasty
    assert stored["contact_last_name"] == "D'Arcy'); --"
    assert store.count(customers) == 1


def test_files_are_readable_by_their_owner_only(tmp_path: Path, write_sheet: Any, valid_row: Any) -> None:
    """It creates reports, exports and the SQLite store readable by their owner only."""
    db = tmp_path / "owner.db"
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    result = run(["import", str(sheet), "--db", f"sqlite:///{db}", "--json"], tmp_path)
    report = tmp_path / json.loads(result.stdout)["report_dir"]
    run(["export", "--status", "pending", "--out", "out.csv", "--db", f"sqlite:///{db}"], tmp_path)
    for path in [db, tmp_path / "out.csv", report, *report.iterdir()]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_no_personal_data_in_log_lines(tmp_path: Path, write_sheet: Any, valid_row: Any) -> None:
    """It keeps e-mail addresses and phone numbers out of what it prints (they stay in reports)."""
    rows = [
        valid_row(0),
        valid_row(1, contact_email="secret.person@@example.nl"),
        valid_row(2, contact_phone="+31 6 99999999999"),
    ]
    sheet = write_sheet(tmp_path / "in.csv", rows)
    db = f"sqlite:///{tmp_path}/p.db"
    printed = ""
    for args in (["validate", str(sheet)], ["import", str(sheet), "--db", db], ["status", "--db", db]):
        result = run(args, tmp_path)
        printed += result.stdout + result.stderr
    root = tmp_path / "drop"
    run(["init", str(root)], tmp_path)
    shutil.copy(sheet, root / "inbox" / "x.csv")
    result = run(["run", "--root", str(root), "--db", db, "--settle", "0"], tmp_path)
    printed += result.stdout + result.stderr
    for secret in ("secret.person", "jan.jansen@copaco.com", "99999999999", "40 123 4567", "+31401234567"):
        assert secret not in printed
