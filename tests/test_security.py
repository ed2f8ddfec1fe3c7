"""Security: no formula in any file we write (checked with openpyxl and LibreOffice),
parameterized SQL, owner-only files, no personal data in log lines, nothing a file holds
or is called reaching the terminal raw, and reports kept inside --report-dir."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from factories import FIELDS, unavailable, valid_row, write_sheet
from openpyxl import load_workbook

from pipeline.cli import cli
from pipeline.store import customers

ONBOARD = str(Path(sys.executable).parent / "onboard")
HOSTILE = ["=1+2", "+1+2", "-1+2", "@SUM(1,2)", '=HYPERLINK("http://evil","x")']
# Formulas a spreadsheet program finds once it splits a value on ; , or tab.
SPLIT_HOSTILE = ["Acme;=1+2", "a,@SUM(1;2)", "x;-1+2", 'y; "=1+2']
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = re.compile("[,;\t\r\n]")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`onboard args` in a process of its own, started with the usual umask (022), not the
    owner-only one an in-process command leaves in this test process."""
    return subprocess.run([ONBOARD, *args], cwd=cwd, capture_output=True, text=True, timeout=300, umask=0o022)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of file onboard writes, from rows full of formula-like text (built once
    for the module, in-process: the tests only read the files)."""
    tmp_path = tmp_path_factory.mktemp("outputs")
    db = f"sqlite:///{tmp_path}/s.db"
    values = HOSTILE + SPLIT_HOSTILE
    rows = [valid_row(i + 1, contact_role=value, address2=value) for i, value in enumerate(values)]
    rows.append(valid_row(20, contact_role="=1+2", contact_email='=HYPERLINK("http://evil","x")'))
    rows.append(valid_row(21, tax_id="NL1;=1+2", Notes="\t=1+2"))
    # No ONBOARD_* setting of the shell: a module-scoped fixture runs outside `hermetic`.
    runner = CliRunner(env=dict.fromkeys((n for n in os.environ if n.startswith("ONBOARD_")), None))

    def onboard(*args: object) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    sheet = write_sheet(tmp_path / "in.csv", rows, fields=[*FIELDS, "Notes"])
    result = onboard("import", sheet, "--db", db, "--report-dir", tmp_path / "reports", "--json")
    assert result.exit_code == 1, result.output  # the HYPERLINK e-mail address is rejected
    report = Path(json.loads(result.stdout)["report_dir"])
    for args in (
        ["review", "export", "--out", tmp_path / "review.xlsx", "--db", db],
        ["review", "export", "--out", tmp_path / "review.csv", "--db", db],
        ["export", "--status", "pending", "--out", tmp_path / "pending.xlsx", "--db", db],
        ["export", "--status", "pending", "--out", tmp_path / "pending.csv", "--for-spreadsheet", "--db", db],
        ["sample", "--rows", "30", "--out", tmp_path / "sample.xlsx"],
    ):
        done = onboard(*args)
        assert done.exit_code == 0, (args, done.output)
    return {
        "rejects.xlsx": report / "rejects.xlsx",
        "rejects.csv": report / "rejects.csv",
        "review.xlsx": tmp_path / "review.xlsx",
        "review.csv": tmp_path / "review.csv",
        "pending.xlsx": tmp_path / "pending.xlsx",
        "pending.csv": tmp_path / "pending.csv",
        "sample.xlsx": tmp_path / "sample.xlsx",
    }


def test_no_formula_cells_in_any_workbook(outputs: dict[str, Path]) -> None:
    """It writes formula-like text (= + - @ tab CR first) in every workbook as a string cell with
    Excel's quote prefix, its value unchanged: reports, review, export and sample."""
    for name in ("rejects.xlsx", "review.xlsx", "pending.xlsx", "sample.xlsx"):
        workbook = load_workbook(outputs[name])
        seen = 0
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                        assert cell.data_type == "s", (name, cell.coordinate)
                        assert cell.quotePrefix, (name, cell.coordinate, cell.value)
                        seen += 1
        assert seen >= 2, name
    rejects = load_workbook(outputs["rejects.xlsx"])["Rejected rows"]
    assert "\t=1+2" in {cell.value for row in rejects.iter_rows() for cell in row}


def test_no_formula_start_in_any_csv(outputs: dict[str, Path]) -> None:
    """It leaves no value of the CSVs people open, nor any segment of one split on , ; tab or a
    line break, starting a formula."""
    for name in ("rejects.csv", "review.csv", "pending.csv"):
        text = outputs[name].read_bytes().decode("utf-8")
        segments = [s.lstrip(' "') for s in SEPARATORS.split(text)]
        assert not [s for s in segments if s.startswith(FORMULA_START)], name
        assert "'=1+2" in text, name
    assert ";'=1+2" in outputs["pending.csv"].read_text(encoding="utf-8")


def libreoffice(source: Path, outdir: Path, profile: Path, *options: str) -> None:
    """Convert `source` with headless LibreOffice into `outdir`; `options` name the format."""
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            *options,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_libreoffice_evaluates_no_formula(outputs: dict[str, Path], tmp_path: Path) -> None:
    """It writes workbooks, and CSVs split on , ; or tab, that LibreOffice opens with no formula evaluated."""
    if shutil.which("soffice") is None:
        unavailable("LIBREOFFICE", "LibreOffice (soffice) is not installed")
    converted = tmp_path / "converted"
    # LibreOffice's CSV filter: separator, text delimiter (34 = "), UTF-8 (76), first line.
    for separator in (44, 59, 9):
        outdir = converted / str(separator)
        for name in ("rejects.csv", "review.csv", "pending.csv"):
            infilter = f"--infilter=CSV:{separator},34,76,1"
            libreoffice(outputs[name], outdir, tmp_path / "lo", infilter, "--convert-to", "xlsx")
            workbook = load_workbook(outdir / (outputs[name].stem + ".xlsx"))
            cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
            assert not [c.value for c in cells if c.data_type == "f"], (name, separator)
            assert any("=1+2" in str(c.value) for c in cells), (name, separator)  # shown as typed
    # LibreOffice's CSV export writes the first sheet unless told which (the last field); told,
    # it names the file after the sheet too.
    for name, number in {"rejects.xlsx": 2, "review.xlsx": 1, "pending.xlsx": 1}.items():
        export = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{number}"
        libreoffice(outputs[name], converted / name, tmp_path / "lo", "--convert-to", export)
        (written,) = (converted / name).glob("*.csv")
        text = written.read_text(encoding="utf-8", errors="replace")
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


def test_files_are_readable_by_their_owner_only(
    tmp_path: Path, write_sheet: Any, valid_row: Any, onboard: Callable[..., Result]
) -> None:
    """It creates reports, exports and the SQLite store readable by their owner only."""
    db = tmp_path / "owner.db"
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    # onboard itself makes its files private, whatever umask it starts with.
    result = run(["import", str(sheet), "--db", f"sqlite:///{db}", "--json"], tmp_path)
    report = tmp_path / json.loads(result.stdout)["report_dir"]
    umask = os.umask(0o022)  # the export in-process, from the same usual umask
    try:
        exported = onboard("export", "--status", "pending", "--out", "out.csv", "--db", f"sqlite:///{db}")
    finally:
        os.umask(umask)
    assert exported.exit_code == 0, exported.output
    for path in [db, tmp_path / "out.csv", report, *report.iterdir()]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_no_personal_data_in_log_lines(
    tmp_path: Path, write_sheet: Any, valid_row: Any, onboard: Callable[..., Result]
) -> None:
    """It keeps e-mail addresses and phone numbers out of what it prints (they stay in reports)."""
    rows = [
        valid_row(0),
        valid_row(1, contact_email="secret.person@@example.nl"),
        valid_row(2, contact_phone="+31 6 99999999999"),
    ]
    sheet = write_sheet(tmp_path / "in.csv", rows)
    db = f"sqlite:///{tmp_path}/p.db"
    root = tmp_path / "drop"
    printed = ""
    for args in (
        ["validate", sheet],
        ["import", sheet, "--db", db],
        ["status", "--db", db],
        ["init", root],
        ["run", "--root", root, "--db", db, "--settle", "0"],
    ):
        result = onboard(*args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        printed += result.stdout + result.stderr
        if args[0] == "init":
            shutil.copy(sheet, root / "inbox" / "x.csv")
    # The rows holding them were reported, by every command and the sweep.
    assert printed.count("rejected for: invalid_email ×1, invalid_phone ×1") == 2
    assert "customers: pending 1" in printed and "sweep of" in printed
    for secret in ("secret.person", "jan.jansen@copaco.com", "99999999999", "40 123 4567", "+31401234567"):
        assert secret not in printed


# --- what reaches the terminal -------------------------------------------------------------

# An OSC title change ending in BEL, a screen clear, CSI as one C1 byte, a bidi override,
# backspace and carriage return: each makes a terminal (or a cron log viewer) act.
EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b\u202e\x08\r"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_no_terminal_escape_reaches_the_terminal(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It shows escape sequences, C1 controls and bidi overrides in file names, headers and
    values escaped on standard error, and escaped in the JSON on standard output."""
    rows = [valid_row(0), valid_row(1, erp_id=f"E{EVIL}"), valid_row(2, tax_id=f"NL1{EVIL}")]
    sheet = write_sheet(
        tmp_path / f"in{EVIL}.csv", rows, fields=[*FIELDS, "Notes"], headers={"Notes": f"Notes{EVIL}"}
    )
    duplicated = write_sheet(
        tmp_path / f"dup{EVIL}.csv", [valid_row(0)], fields=[*FIELDS, "x"], headers={"x": f"Tax ID{EVIL[:2]}"}
    )
    review = tmp_path / f"review{EVIL}.csv"
    with review.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["erp_id", "decision", "reason", "fingerprint"], [f"E{EVIL}", "approve", "", "0"]]
        )
    gone = tmp_path / f"gone{EVIL}.csv"
    db = ["--db", f"sqlite:///{tmp_path}/t.db"]
    commands = [
        ["validate", sheet, duplicated, gone],
        ["validate", "--json", sheet, duplicated, gone],
        ["import", sheet, *db],
        ["import", "--json", "--force", sheet, duplicated, *db],
        ["review", "apply", review, "--reviewer", "bob", *db],
        ["review", "apply", review, "--reviewer", "bob", "--json", *db],
        ["status", *db],
        ["export", "--out", tmp_path / f"out{EVIL}.txt", *db],
    ]
    printed = ""
    for command in commands:
        # In-process: the bytes written to stdout and stderr are the ones a process writes
        # (CliRunner's streams are UTF-8, stderr with backslashreplace, as a process's are).
        result = CliRunner().invoke(cli, [str(arg) for arg in command])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        for stream in (result.stdout_bytes, result.stderr_bytes):
            text = stream.decode("utf-8")
            assert not RAW_CONTROL.findall(text), (command[0], text)
        assert b"Traceback" not in result.stderr_bytes
        for line in result.stdout_bytes.decode("utf-8").splitlines():
            json.loads(line)  # still one valid JSON object per line
        printed += result.stderr_bytes.decode("utf-8")
    assert "in\\x1b]0;pwned\\x07\\x1b[2J\\x9b\\u202e\\x08\\r.csv" in printed  # the name, escaped
    assert "Notes\\x1b]0;pwned" in printed  # an ignored header
    assert "Tax ID\\x1b]" in printed  # a duplicated header
    assert "ERP ID E\\x1b]0;pwned" in printed  # a value, in a review message


# --- where reports go ------------------------------------------------------------------------

# Names whose stem is "..", "." or hidden, one of 250 bytes, and one that is not UTF-8.
TRICKY_NAMES = [b"...csv", b"..csv", b".csv", b"a" * 246 + b".csv", b"caf\xe9.csv"]


@pytest.mark.parametrize("command", ["validate", "import"])
def test_reports_stay_inside_the_report_dir_whatever_the_file_is_called(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., Any],
) -> None:
    """It writes every report of files called ...csv, ..csv, .csv, 250 bytes or not UTF-8
    (readable or missing) into a visible folder directly inside --report-dir, and never crashes."""
    inbox, gone, work = tmp_path / "in", tmp_path / "gone", tmp_path / "work"
    inbox.mkdir()
    work.mkdir()
    files = []
    for index, name in enumerate(TRICKY_NAMES):
        path = os.path.join(os.fsencode(inbox), name)
        write_sheet(tmp_path / "sheet.csv", [valid_row(index + 1), valid_row(index + 10, tax_id="NL1")])
        shutil.move(tmp_path / "sheet.csv", os.fsdecode(path))
        files += [path, os.path.join(os.fsencode(gone), name)]  # the second cannot be read
    reports = work / "reports" / "here"
    db = tmp_path / "db" / "s.db"
    db.parent.mkdir()
    # Names as a process gets them in sys.argv: undecodable bytes as surrogate escapes.
    args = [command, *map(os.fsdecode, files), "--report-dir", str(reports), "--json"]
    args += ["--db", f"sqlite:///{db}"] if command == "import" else []
    monkeypatch.chdir(work)
    summaries = []
    for _attempt in range(2 if command == "import" else 1):  # again: skipped files report too
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.stderr  # the missing files
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
        summaries += [json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines()]

    assert len(summaries) == len(files) * (2 if command == "import" else 1)
    written = [
        p
        for p in tmp_path.rglob("*")
        if p.is_file() and inbox not in p.parents and db.parent not in p.parents
    ]
    assert written and all(reports in p.parents for p in written), written
    for folder in reports.iterdir():
        assert folder.is_dir() and not folder.name.startswith("."), folder
        assert len(os.fsencode(folder.name)) <= 255
        folder.name.encode("utf-8")  # valid UTF-8: no surrogate escapes
    for summary in summaries:
        assert summary["report_dir"] and Path(summary["report_dir"]).parent == reports, summary
        # Unreadable files have no content hash to tell their folders apart: one may hold either.
        on_disk = json.loads((Path(summary["report_dir"]) / "summary.json").read_text(encoding="utf-8"))
        assert on_disk["file"] in {s["file"] for s in summaries}
    assert any(s["file"].endswith("caf\\xe9.csv") and "error" not in s for s in summaries)
    if command == "import":
        with sqlite3.connect(db) as connection:
            names = [name for (name,) in connection.execute("SELECT file_name FROM batches")]
        assert len(names) == len(TRICKY_NAMES) - 1  # .csv is no spreadsheet
        assert any(name.endswith("caf\\xe9.csv") for name in names)


@pytest.mark.parametrize(
    ("setting", "file_mode", "folder_mode"),
    [(None, 0o600, 0o700), ("config", 0o640, 0o750), ("environment", 0o640, 0o750)],
)
def test_reports_group_readable_setting(
    setting: str | None,
    file_mode: int,
    folder_mode: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., Any],
) -> None:
    """It writes reports owner-only by default, and group-readable with reports.group_readable
    (or ONBOARD_REPORTS_GROUP_READABLE)."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    config = tmp_path / "onboard.toml"
    config.write_text("[reports]\ngroup_readable = true\n" if setting == "config" else "", encoding="utf-8")
    if setting == "environment":
        monkeypatch.setenv("ONBOARD_REPORTS_GROUP_READABLE", "true")
    # In-process: the command sets the umask from the setting itself (the process's owner-only
    # start is test_files_are_readable_by_their_owner_only); the worker's umask is put back.
    umask = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["validate", str(sheet), "--config", str(config), "--json"])
    finally:
        os.umask(umask)
    assert result.exit_code == 1, result.output
    report = tmp_path / json.loads(result.stdout)["report_dir"]
    for path in [report / "summary.json", report / "rejects.csv", report / "rejects.xlsx"]:
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path
    assert stat.S_IMODE(report.stat().st_mode) == folder_mode
