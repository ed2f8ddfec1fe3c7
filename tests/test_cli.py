"""The command line: help, exit codes, `--json`, one-line failures, status and export."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from factories import StoreView, valid_row, write_sheet
from openpyxl import load_workbook

from pipeline.cli import cli
from pipeline.store import audit, batches, customers

pytestmark = pytest.mark.usefixtures("workdir")

Onboard = Callable[..., Result]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def json_lines(result: Result) -> list[dict[str, Any]]:
    """Standard output parsed as one JSON object per line (every line must be one)."""
    return [json.loads(line) for line in result.stdout.splitlines()]


def without_timings(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "timings"}


def summary_file(summary: dict[str, Any]) -> dict[str, Any]:
    return json.loads((Path(summary["report_dir"]) / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def sheets(tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Callable[..., dict[str, str]]) -> Any:
    """Files of every kind: all valid, some rejected, unusable ones."""
    text_file = tmp_path / "customers.txt"
    text_file.write_text("ERP ID,Tax ID\n00123,NL006486253B01\n", encoding="utf-8")
    return SimpleNamespace(
        valid=write_sheet(tmp_path / "valid.csv", [valid_row(0), valid_row(1)]),
        rejected=write_sheet(tmp_path / "rejected.csv", [valid_row(2), valid_row(3, tax_id="NL123")]),
        missing=tmp_path / "missing.xlsx",
        text_file=text_file,
        no_columns=write_sheet(
            tmp_path / "no-columns.csv",
            [valid_row(4)],
            fields=[f for f in valid_row() if f not in ("tax_id", "contact_email")],
        ),
    )


@pytest.mark.parametrize("command", [(), *_commands(cli)], ids=lambda c: " ".join(c) or "onboard")
def test_every_command_has_help(command: tuple[str, ...], onboard: Onboard) -> None:
    """It shows help for every command and exits 0."""
    result = onboard(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert result.exception is None


def test_help_covers_every_command_of_the_contract() -> None:
    """It has every command the contract names."""
    names = {" ".join(c) for c in _commands(cli)}
    assert {"validate", "import", "review export", "review apply", "run", "status", "export"} <= names


@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["valid"], 0),
        (["rejected"], 1),
        (["missing"], 2),
        (["text_file"], 2),
        (["no_columns"], 2),
        (["valid", "rejected"], 1),
        (["rejected", "valid"], 1),
        (["valid", "missing"], 2),
        (["rejected", "text_file", "valid"], 2),
        (["no_columns", "rejected"], 2),
    ],
)
def test_exit_code_is_the_worst_of_the_files(
    command: str, files: list[str], expected: int, sheets: Any, onboard: Onboard, tmp_path: Path
) -> None:
    """It exits 0 when all rows are valid, 1 when some are rejected, 2 when a file is
    unusable; import like validate (the store's part is tested on both backends elsewhere)."""
    store = ["--db", f"sqlite:///{tmp_path / 'store.db'}"] if command == "import" else []
    result = onboard(command, *(getattr(sheets, f) for f in files), *store)
    assert result.exit_code == expected, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_stores_nothing(sheets: Any, onboard: Onboard, tmp_path: Path) -> None:
    """It writes reports but no database: validate never stores."""
    result = onboard("validate", sheets.valid, "--json")
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*.db"))
    assert "batch_id" not in json_lines(result)[0]


@pytest.mark.parametrize("command", ["validate", "import"])
def test_json_prints_one_summary_per_file_equal_to_summary_json(
    command: str, sheets: Any, onboard: Onboard, db_url: str
) -> None:
    """It prints exactly one JSON line per file on standard output, each equal to its summary.json."""
    files = [sheets.valid, sheets.rejected, sheets.no_columns, sheets.missing]
    extra = ["--db", db_url] if command == "import" else []
    result = onboard(command, *files, "--json", *extra)
    assert result.exit_code == 2, result.output
    lines = json_lines(result)
    assert len(lines) == len(files)
    assert [line["file"] for line in lines] == [str(f) for f in files]
    for line in lines:
        assert line["report_dir"], line
        assert without_timings(line) == without_timings(summary_file(line))
    assert [line["exit_code"] for line in lines] == [0, 1, 2, 2]
    assert [line.get("error", {}).get("code") for line in lines] == [
        None,
        None,
        "missing_columns",
        "file_not_found",
    ]


def test_json_equals_the_library_result(sheets: Any, onboard: Onboard, tmp_path: Path) -> None:
    """It prints what pipeline.validate_file returns for the same file (timings aside)."""
    from pipeline import validate_file
    from pipeline.config import Config

    printed = json_lines(onboard("validate", sheets.rejected, "--json", "--report-dir", tmp_path / "cli"))[0]
    library = validate_file(sheets.rejected, Config(report_dir=tmp_path / "cli")).summary()
    assert without_timings(printed) == without_timings(library)


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
@pytest.mark.parametrize("broken", ["missing", "text_file", "no_columns"])
def test_file_level_failure_is_one_line_and_stores_nothing(
    broken: str, as_json: bool, sheets: Any, onboard: Onboard, db_url: str, store: Any
) -> None:
    """It prints one line on standard error, no traceback, exits 2 and leaves the store as it was."""
    assert onboard("import", sheets.valid, "--db", db_url).exit_code == 0
    before = (store.rows(customers), store.rows(batches))

    result = onboard("import", getattr(sheets, broken), "--db", db_url, *(["--json"] if as_json else []))

    assert result.exit_code == 2
    if as_json:
        assert json_lines(result)[0]["exit_code"] == 2
        assert len(result.stdout.splitlines()) == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    else:
        assert result.stdout == ""
        # One line, then (for unmappable columns) the indented mapping help below it.
        first, *help_lines = result.stderr.strip().splitlines()
        assert "failed" in first
        assert all(line.startswith("  ") for line in help_lines), result.stderr
        assert bool(help_lines) == (broken == "no_columns")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (store.rows(customers), store.rows(batches)) == before


def test_missing_columns_are_all_named(sheets: Any, onboard: Onboard) -> None:
    """It names every missing required column in the file-level error."""
    result = onboard("validate", sheets.no_columns, "--json")
    error = json_lines(result)[0]["error"]
    assert error["code"] == "missing_columns"
    assert "Tax ID" in error["message"]
    assert "Email address" in error["message"]


def test_human_output_goes_to_standard_error(sheets: Any, onboard: Onboard) -> None:
    """It keeps standard output empty without --json."""
    result = onboard("validate", sheets.valid, sheets.rejected)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip()


def test_status_counts_customers_per_status_and_batches(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., dict[str, str]],
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It counts customers per status and lists the batches with their counts."""
    first = write_sheet(tmp_path / "first.csv", [valid_row(i) for i in range(3)])
    second = write_sheet(tmp_path / "second.csv", [valid_row(3), valid_row(4, tax_id="NL1")])
    imported = [json_lines(onboard("import", f, "--db", db_url, "--json"))[0] for f in (first, second)]
    store.set_status(valid_row(1)["erp_id"], "approved")
    store.set_status(valid_row(2)["erp_id"], "rejected")

    result = onboard("status", "--db", db_url, "--json")

    assert result.exit_code == 0, result.output
    (status,) = json_lines(result)
    assert status["customers"] == {"pending": 2, "approved": 1, "rejected": 1}
    by_id = {b["id"]: b for b in status["batches"]}
    assert set(by_id) == {s["batch_id"] for s in imported}
    first_batch, second_batch = (by_id[s["batch_id"]] for s in imported)
    assert (first_batch["rows"], first_batch["accepted"], first_batch["rejected"]) == (3, 3, 0)
    assert (second_batch["rows"], second_batch["accepted"], second_batch["rejected"]) == (2, 1, 1)
    assert first_batch["customers"] == {"pending": 1, "approved": 1, "rejected": 1}
    assert second_batch["customers"] == {"pending": 1, "approved": 0, "rejected": 0}

    human = onboard("status", "--db", db_url)
    assert human.exit_code == 0
    assert human.stdout == ""


def test_status_of_an_empty_store(onboard: Onboard, db_url: str) -> None:
    """It counts zero of every status in a new store."""
    assert onboard("db", "upgrade", "--db", db_url).exit_code == 0
    result = onboard("status", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    assert json_lines(result) == [{"customers": {"pending": 0, "approved": 0, "rejected": 0}, "batches": []}]


def _read_export(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".csv":
        import csv

        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    sheet = load_workbook(path).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    return [{h: "" if v is None else v for h, v in zip(values[0], row, strict=True)} for row in values[1:]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_export_writes_the_customers_of_one_status(
    suffix: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., dict[str, str]],
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It writes every customer of the status, every column, in ERP ID order whatever the
    order of import, ERP IDs as text with leading zeros."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(i) for i in (3, 1, 2, 0)])
    assert onboard("import", sheet, "--db", db_url).exit_code == 0
    store.set_status(valid_row(3)["erp_id"], "approved")
    out = tmp_path / f"pending{suffix}"

    result = onboard("export", "--status", "pending", "--out", out, "--db", db_url, "--json")

    assert result.exit_code == 0, result.output
    assert json_lines(result) == [{"out": str(out), "status": "pending", "customers": 3}]
    exported = _read_export(out)
    assert list(exported[0]) == [c.name for c in customers.columns]
    assert [r["erp_id"] for r in exported] == ["00123", "00124", "00125"]
    assert {r["status"] for r in exported} == {"pending"}
    copaco = exported[0]
    assert copaco["tax_id"] == "NL006486253B01"
    # Machine exports carry values exactly as stored: E.164 without an apostrophe.
    assert copaco["contact_phone"] == "+31401234567"
    assert copaco["postal_code"] == "5652 AW"
    assert copaco["country"] == "NL"


def test_export_of_another_extension_is_a_usage_error(onboard: Onboard, db_url: str) -> None:
    """It refuses an output file it cannot write, with exit code 2."""
    result = onboard("export", "--status", "pending", "--out", "customers.txt", "--db", db_url)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_sample_writes_a_sheet_that_validates(tmp_path: Path, onboard: Onboard) -> None:
    """It writes the asked number of customers, the same ones for the same seed."""
    first, again = tmp_path / "a.csv", tmp_path / "b.csv"
    assert onboard("sample", "--rows", 40, "--seed", 7, "--out", first).exit_code == 0
    assert onboard("sample", "--rows", 40, "--seed", 7, "--out", again).exit_code == 0
    assert first.read_bytes() == again.read_bytes()
    result = onboard("validate", first, "--json")
    assert result.exit_code in (0, 1), result.output
    summary = json_lines(result)[0]
    assert summary["rows"] == 40
    assert summary["rows"] == summary["accepted"] + summary["rejected"]


def test_import_is_refused_when_nobody_can_be_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, onboard: Callable[..., Result]
) -> None:
    """It refuses to import for an account without a login name (a container's user id
    missing from /etc/passwd, no USER or LOGNAME), unless --user names one; the batch
    records the name and the account."""
    stranger = 54321
    try:
        pwd.getpwuid(stranger)
        pytest.skip("user id 54321 has a login name on this machine")
    except KeyError:
        pass
    monkeypatch.setattr(os, "geteuid", lambda: stranger)  # the real user database is asked
    for variable in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.delenv(variable, raising=False)
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    db = f"sqlite:///{tmp_path / 'store.db'}"
    refused = onboard("import", sheet, "--db", db)
    assert refused.exit_code == 2
    assert "cannot tell who imports" in refused.stderr and "--user NAME" in refused.stderr
    assert not (tmp_path / "store.db").exists()
    named = onboard("import", sheet, "--db", db, "--user", "dana")
    assert named.exit_code == 0, named.output
    (batch,) = StoreView(db).rows(batches)
    assert batch["imported_by"] == "dana" and batch["imported_login"] == f"uid {stranger}"
    assert {row["changed_by"] for row in StoreView(db).rows(audit)} == {"dana"}


def test_names_that_are_not_utf8_are_stored_readably(tmp_path: Path) -> None:
    """It stores an importer and a reviewer typed as bytes that are not UTF-8 (a Latin-1
    terminal) with `\\xNN` escapes instead of crashing the store."""
    onboard_bin = str(Path(sys.executable).parent / "onboard")
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    db = f"sqlite:///{tmp_path / 'store.db'}"
    imported = subprocess.run(
        [
            os.fsencode(onboard_bin),
            b"import",
            os.fsencode(sheet),
            b"--db",
            db.encode(),
            b"--user",
            b"Jos\xe9",
        ],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    (batch,) = StoreView(db).rows(batches)
    assert batch["imported_by"] == "Jos\\xe9"


@pytest.mark.parametrize(
    ("args", "environment", "words"),
    [
        (("import", "--user", "x" * 201), {}, "201 characters long; at most 200"),
        (("import", "--user", "  "), {}, "--user is empty"),
        (("import", "--user", "dana\u202e"), {}, "control or invisible formatting character"),
        (("import",), {"ONBOARD_USER": "x" * 250}, "ONBOARD_USER is 250 characters long"),
        (("review", "apply", "--reviewer", "y" * 300), {}, "300 characters long"),
        (("run", "--reviewer", "bob\x1b[2J"), {}, "control or invisible formatting character"),
    ],
)
def test_a_name_the_store_cannot_keep_is_refused_before_anything_is_read(
    args: tuple[str, ...],
    environment: dict[str, str],
    words: str,
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It refuses, as a usage error, who imports or reviews when the store could not keep
    the name as given (longer than its column: PostgreSQL failed the load after validating
    every row, SQLite kept it) or it would be recorded blank or with hidden characters."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    target = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    where = ["--root", str(tmp_path)] if args[0] == "run" else [str(target)]
    result = CliRunner().invoke(cli, [*args, *where, "--db", db_url])
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_the_longest_name_the_store_keeps_is_recorded_whole(tmp_path: Path, db_url: str) -> None:
    """It records an importer's name of 200 characters whole, on SQLite and PostgreSQL alike."""
    name = "n" * 200
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    result = CliRunner().invoke(cli, ["import", str(sheet), "--db", db_url, "--user", name])
    assert result.exit_code == 0, result.output
    assert [batch["imported_by"] for batch in StoreView(db_url).rows(batches)] == [name]


def test_a_file_with_a_long_path_is_recorded_whole(tmp_path: Path, db_url: str) -> None:
    """It imports a file whose path is longer than 500 characters (a deep folder) and keeps
    the path whole on the batch, on PostgreSQL as on SQLite (PostgreSQL failed the load)."""
    folder = tmp_path.joinpath(*["d" * 60] * 9)
    folder.mkdir(parents=True)
    sheet = write_sheet(folder / "in.csv", [valid_row(0)])
    assert len(str(sheet)) > 500
    result = CliRunner().invoke(cli, ["import", str(sheet), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert [batch["file_name"] for batch in StoreView(db_url).rows(batches)] == [str(sheet)]
