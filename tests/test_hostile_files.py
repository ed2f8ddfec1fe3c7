"""Hostile and broken files: each gives one clear line (file-level) or per-row rejects,
never a traceback, and a file-level failure leaves the store untouched."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import pytest
from click.testing import Result
from factories import LABELS, POSTGRES_IN_TEST_SLOW, StoreView
from factories import valid_row as customer
from openpyxl import Workbook, load_workbook

from pipeline.store import batches, customers
from schemas.fields import ERRORS_COLUMN, ROW_COLUMN

Row = Callable[..., dict[str, str]]


def summary_of(result: Result) -> dict[str, Any]:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    return dict(json.loads(lines[0]))


def import_json(
    onboard: Callable[..., Result], path: Path, db_url: str, *extra: str
) -> tuple[Result, dict[str, Any]]:
    result = onboard("import", path, "--db", db_url, "--json", *extra)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result, summary_of(result)


def assert_unusable(result: Result, summary: dict[str, Any], code: str, store: Any, words: str = "") -> None:
    """Exit 2, one line on stderr naming the problem, nothing stored."""
    assert result.exit_code == 2
    assert summary["error"]["code"] == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert words.lower() in lines[0].lower()
    assert store.count(customers) == 0
    assert store.count(batches) == 0


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def labels() -> list[str]:
    return list(LABELS.values())


def values(row: dict[str, str]) -> list[str]:
    return list(row.values())


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_empty_file(name: str, tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses an empty file as unusable."""
    path = tmp_path / name
    path.write_bytes(b"")
    result, summary = import_json(onboard, path, db_url)
    code = "no_header_row" if name.endswith(".csv") else "unreadable_file"
    assert_unusable(result, summary, code, store)


def test_header_only(tmp_path: Path, db_url: str, onboard: Any, write_sheet: Any, store: Any) -> None:
    """It accepts a header without rows: zero rows, exit 0, an empty batch."""
    result, summary = import_json(onboard, write_sheet(tmp_path / "h.xlsx", []), db_url)
    assert result.exit_code == 0
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (0, 0, 0)
    (batch,) = store.rows(batches)
    assert batch["id"] == summary["batch_id"]
    assert (batch["rows"], batch["accepted"], batch["inserted"]) == (0, 0, 0)
    assert batch["finished_at"] is not None
    assert store.count(customers) == 0


@POSTGRES_IN_TEST_SLOW
def test_random_bytes_named_xlsx(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses random bytes named .xlsx in one line."""
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "cannot be read as an Excel workbook")


@POSTGRES_IN_TEST_SLOW
def test_truncated_xlsx(
    tmp_path: Path, db_url: str, onboard: Any, write_sheet: Any, valid_row: Row, store: Any
) -> None:
    """It refuses a workbook cut off half-way (an interrupted upload)."""
    whole = write_sheet(tmp_path / "whole.xlsx", [valid_row(i) for i in range(20)]).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store)


@POSTGRES_IN_TEST_SLOW
def test_password_protected_xlsx(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It recognises an encrypted workbook (an OLE2 container named .xlsx) and says so."""
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096)
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "password-protected")


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize(
    ("name", "hint"), [("legacy.xls", "save it as .xlsx"), ("calc.ods", ".xlsx or .csv")]
)
def test_legacy_and_other_formats(
    name: str, hint: str, tmp_path: Path, db_url: str, onboard: Any, store: Any
) -> None:
    """It refuses .xls and .ods with a hint how to save them."""
    path = tmp_path / name
    path.write_bytes(b"whatever")
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unsupported_file_type", store, hint)


@POSTGRES_IN_TEST_SLOW
def test_zip_bomb_is_refused(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses a small .xlsx that expands past the configured limit, before reading it."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 30_000_000)
    assert path.stat().st_size < 100_000
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nmax_unpacked_mb = 10\n", encoding="utf-8")
    result, summary = import_json(onboard, path, db_url, "--config", config)
    assert_unusable(result, summary, "file_too_large", store, "expands to")


@POSTGRES_IN_TEST_SLOW
def test_too_many_cells_is_refused(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses a sheet whose used range spans more cells than the configured limit."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(labels())
    sheet["CV20000"] = "far away"
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\nmax_cells = 1000000\n", encoding="utf-8")
    result, summary = import_json(onboard, path, db_url, "--config", config)
    assert_unusable(result, summary, "file_too_large", store, "cells")


@pytest.mark.slow  # 20,000 columns take seconds per backend
def test_twenty_thousand_columns(
    tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any
) -> None:
    """It reads a sheet with 20,000 columns, ignoring the unknown ones, and writes a
    rejects.xlsx within Excel's 16,384 columns that keeps the customer's columns and
    marks the bad cell red."""
    extra = [f"extra {i}" for i in range(20_000 - 18)]
    rows = [valid_row(0), valid_row(1, contact_email="piet@")]
    path = tmp_path / "wide.csv"
    path.write_text(
        "\n".join(
            ",".join(cells) for cells in [labels() + extra, *(values(r) + ["x"] * len(extra) for r in rows)]
        )
        + "\n",
        encoding="utf-8",
    )
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 1
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert len(summary["unmapped_columns"]) == len(extra)
    assert store.count(customers) == 1
    workbook = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx", read_only=True)
    header, rejected = (
        [(cell.value, getattr(cell, "fill", None)) for cell in row]
        for row in workbook["Rejected rows"].iter_rows()
    )
    workbook.close()
    assert len(header) == 16_384 and header[-1][0] == ERRORS_COLUMN
    assert header[0][0] == ROW_COLUMN and rejected[0][0] == 3
    assert [value for value, _fill in header[1:19]] == labels()
    assert [value or "" for value, _fill in rejected[1:19]] == values(rows[1])
    filled = [
        i for i, (_value, fill) in enumerate(rejected) if fill is not None and fill.fill_type == "solid"
    ]
    assert filled == [1 + list(rows[1]).index("contact_email")]  # the bad e-mail cell, red


@POSTGRES_IN_TEST_SLOW
def test_one_megabyte_cell(
    tmp_path: Path, db_url: str, onboard: Any, write_sheet: Any, valid_row: Row
) -> None:
    """It rejects a 1 MB cell as too long and writes reports that stay readable."""
    path = write_sheet(tmp_path / "big.xlsx", [valid_row(0, full_name="x" * 1_000_000), valid_row(1)])
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 1
    assert summary["errors_by_code"] == {"too_long": 1}
    report = Path(summary["report_dir"])
    assert (report / "rejects.csv").stat().st_size < 10_000
    cell = load_workbook(report / "rejects.xlsx")["Rejected rows"]["C2"].value  # A: row, B: short name
    assert 1000 < len(cell) <= 32_767


@POSTGRES_IN_TEST_SLOW
def test_formula_and_error_cells(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It never evaluates formulas: an uncached formula is rejected as a formula whose value
    the file does not hold (not read as blank), an error value is rejected."""
    first, second = values(valid_row(0)), values(valid_row(1))
    first[8] = '=CONCAT("Eind","hoven")'  # city as a formula without a cached value
    path = xlsx(tmp_path / "formulas.xlsx", [labels(), first, second])
    _result, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"formula_without_value": 1}
    csv_path = tmp_path / "errors.csv"
    second[8] = "#REF!"
    csv_path.write_text(
        ",".join(labels()) + "\n" + ",".join(f'"{v}"' for v in second) + "\n", encoding="utf-8"
    )
    _, summary = import_json(onboard, csv_path, db_url)
    assert summary["errors_by_code"] == {"spreadsheet_error": 1}


@POSTGRES_IN_TEST_SLOW
def test_merged_cells(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It gives every customer row of cells merged down a column the value they show (the
    city of both rows), and leaves a row blank but for the merge a skipped blank row."""
    blank = [""] * len(labels())
    rows = [
        labels(),
        values(valid_row(0, city="Veldhoven")),
        values(valid_row(1, city="")),
        values(valid_row(2)),
        blank,
    ]
    path = xlsx(tmp_path / "merged.xlsx", rows)
    workbook = load_workbook(path)
    workbook.active.merge_cells("I2:I3")  # type: ignore[union-attr]
    workbook.active.merge_cells("K4:K5")  # type: ignore[union-attr]  # an address made taller
    workbook.save(path)
    _result, summary = import_json(onboard, path, db_url)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (3, 3, 0)
    assert StoreView(db_url).customer(valid_row(1)["erp_id"])["city"] == "Veldhoven"


@POSTGRES_IN_TEST_SLOW
def test_hidden_sheet_is_not_read(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It skips hidden sheets when choosing the sheet to read."""
    workbook = Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "Old"
    hidden.append(labels())
    hidden.append(values(valid_row(5)))
    hidden.sheet_state = "hidden"
    visible = workbook.create_sheet("Customers")
    visible.append(labels())
    visible.append(values(valid_row(0)))
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    _, summary = import_json(onboard, path, db_url)
    assert summary["sheet"] == "Customers"
    assert summary["rows"] == 1


@POSTGRES_IN_TEST_SLOW
def test_duplicated_headers(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any) -> None:
    """It refuses a file with two columns for one field, naming both."""
    path = xlsx(tmp_path / "dup.xlsx", [[*labels(), "BTW-nummer"], [*values(valid_row(0)), "NL1"]])
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "duplicate_columns", store, "BTW-nummer")


@POSTGRES_IN_TEST_SLOW
def test_two_header_rows(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It takes the row naming the fields as the header under a row of group titles."""
    groups = ["Company", "", "", "", "", "", "", "Address", "", "", "", "", "", "Contact", "", "", "", ""]
    path = xlsx(tmp_path / "groups.xlsx", [groups, labels(), values(valid_row(0))])
    _, summary = import_json(onboard, path, db_url)
    assert (summary["header_row"], summary["accepted"]) == (2, 1)


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv(encoding: str, tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It reads UTF-16 CSV files, with a byte-order mark or without."""
    text = "\t".join(labels()) + "\r\n" + "\t".join(values(valid_row(0, city="’s-Hertogenbosch"))) + "\r\n"
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode(encoding))
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 0, summary
    assert summary["accepted"] == 1


@POSTGRES_IN_TEST_SLOW
def test_mixed_line_endings(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any) -> None:
    """It reads records ended by CRLF, LF and CR in one file."""
    lines = [",".join(labels())] + [",".join(values(valid_row(i))) for i in range(3)]
    path = tmp_path / "mixed.csv"
    path.write_bytes((lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\n").encode())
    _, summary = import_json(onboard, path, db_url)
    assert summary["accepted"] == 3


def test_nul_bytes_are_rejected_per_row(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It rejects a row whose cell holds a NUL byte as a control character."""
    lines = [
        ",".join(labels()),
        ",".join(values(valid_row(0, city="Eind\x00hoven"))),
        ",".join(values(valid_row(1))),
    ]
    path = tmp_path / "nul.csv"
    path.write_bytes("\n".join(lines).encode())
    _, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"control_character": 1}
    assert summary["accepted"] == 1


@POSTGRES_IN_TEST_SLOW
def test_unclosed_quote(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any) -> None:
    """It refuses a CSV whose quote is never closed instead of swallowing the rest."""
    row = values(valid_row(0))
    row[1] = '"Copaco Nederland B.V.'
    path = tmp_path / "quote.csv"
    path.write_text(",".join(labels()) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "cannot be parsed")


@POSTGRES_IN_TEST_SLOW
def test_dates_where_text_was_expected(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It rejects a date cell where a phone is due as what the spreadsheet made of the
    typed value, naming the date and the way out (the column as Text), and nothing else."""
    row: list[Any] = values(valid_row(0))
    row[17] = dt.datetime(2024, 1, 31)
    path = xlsx(tmp_path / "dates.xlsx", [labels(), row])
    _, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"spreadsheet_conversion": 1}
    rejects = (Path(summary["report_dir"]) / "rejects.csv").read_text(encoding="utf-8")
    assert "2024-01-31" in rejects
    assert "as Text" in rejects


@POSTGRES_IN_TEST_SLOW
def test_scientific_notation(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It rejects long numbers Excel saved as 1.23457E+11, with a hint to format as text."""
    path = tmp_path / "sci.csv"
    path.write_text(
        ",".join(labels()) + "\n" + ",".join(values(valid_row(0, erp_id="1.23457E+11"))) + "\n",
        encoding="utf-8",
    )
    _, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"scientific_notation": 1}
    rejects = (Path(summary["report_dir"]) / "rejects.csv").read_text(encoding="utf-8")
    assert "as Text" in rejects


# --- file trust: what the reader refuses or survives ---------------------------------------

ONBOARD = str(Path(sys.executable).parent / "onboard")


def test_fifo_or_device_named_csv_is_refused(tmp_path: Path) -> None:
    """It refuses a FIFO or a device named .csv in one line each, without opening (and hanging
    on) it, and stores nothing (SQLite: a refused file leaves PostgreSQL untouched too, see
    test_cli.py's test_file_level_failure_is_one_line_and_stores_nothing)."""
    fifo, device = tmp_path / "pipe.csv", tmp_path / "zero.csv"
    os.mkfifo(fifo)
    device.symlink_to("/dev/zero")
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    # A separate process with a timeout: a reader that opens the FIFO blocks forever.
    result = subprocess.run(
        [
            ONBOARD,
            "import",
            str(fifo),
            str(device),
            "--db",
            db_url,
            "--json",
            "--report-dir",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert [json.loads(line)["error"]["code"] for line in result.stdout.splitlines()] == [
        "unreadable_file"
    ] * 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    for path, line in zip((fifo, device), lines, strict=True):
        assert line.startswith(str(path)) and "not a regular file" in line, line
    store = StoreView(db_url)
    assert store.count(customers) == 0
    assert store.count(batches) == 0


@POSTGRES_IN_TEST_SLOW
def test_symlink_to_a_file_is_read(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It reads a symlink to a regular file named on the command line: the target decides."""
    target = tmp_path / "real.csv"
    target.write_text(",".join(labels()) + "\n" + ",".join(values(valid_row(0))) + "\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result, summary = import_json(onboard, link, db_url)
    assert result.exit_code == 0, summary
    assert summary["accepted"] == 1


@POSTGRES_IN_TEST_SLOW
def test_csv_cell_over_the_csv_field_limit(
    tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any
) -> None:
    """It rejects only the row of a CSV cell larger than the csv module's default field limit."""
    big = "x" * 1_000_000  # the csv module refuses fields over 131,072 characters by default
    path = tmp_path / "big.csv"
    lines = [labels(), values(valid_row(0, full_name=big)), values(valid_row(1))]
    path.write_text("".join(",".join(line) + "\n" for line in lines), encoding="utf-8")
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 1, summary
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    assert summary["errors_by_code"] == {"too_long": 1}
    assert [row["erp_id"] for row in store.rows(customers)] == [valid_row(1)["erp_id"]]
    assert (Path(summary["report_dir"]) / "rejects.csv").stat().st_size < 10_000
    assert csv.field_size_limit() == 131_072  # raised while reading only


def _accented_csv(bad_address: bytes, encoding: str = "utf-8", bom: bytes = b"") -> bytes:
    """Three customers with accented text; the second's address is `bad_address` (raw bytes)."""
    marker = "ADDRESS-OF-THE-BAD-ROW"
    rows = [labels(), *(values(row) for row in ACCENTED), values(customer(1, address=marker))]
    text = "".join(",".join(row) + "\r\n" for row in rows)
    return bom + text.encode(encoding).replace(marker.encode(encoding), bad_address)


ACCENTED = [customer(0, city="Zoëtermeer", full_name="Café Ümit B.V."), customer(2, city="’s-Hertogenbosch")]
_UNPAIRED = "Weg ".encode("utf-16-le") + b"\x3d\xd8" + " 1".encode("utf-16-le")
# A good text around bytes the file's own encoding cannot decode: (file, value shown, bytes shown).
STRAY_BYTES = {
    "cp1252 byte in UTF-8": (_accented_csv(b"Kantoor Z\xfcrich"), r"Kantoor Z\xfcrich", r"\xfc"),
    "cp1252 byte in UTF-8 with BOM": (
        _accented_csv(b"Kantoor Z\xfcrich", bom=codecs.BOM_UTF8),
        r"Kantoor Z\xfcrich",
        r"\xfc",
    ),
    "UTF-8 bytes of a surrogate": (
        _accented_csv(b"Weg \xed\xa0\x80 1"),
        r"Weg \xed\xa0\x80 1",
        r"\xed\xa0\x80",
    ),
    "unpaired surrogate in UTF-16": (
        _accented_csv(_UNPAIRED, "utf-16-le", bom=codecs.BOM_UTF16_LE),
        r"Weg \x3d\xd8 1",
        r"\x3d\xd8",
    ),
    "unpaired surrogate in UTF-16 without BOM": (
        _accented_csv(_UNPAIRED, "utf-16-le"),
        r"Weg \x3d\xd8 1",
        r"\x3d\xd8",
    ),
}


@pytest.mark.parametrize("case", list(STRAY_BYTES))
def test_undecodable_bytes_reject_their_row_only(
    case: str, tmp_path: Path, db_url: str, onboard: Any, store: Any, read_csv: Any
) -> None:
    """It rejects the row of a cell holding bytes its file's encoding cannot decode (encoding),
    shows them as \\xNN in every report, and stores every other row exactly as typed."""
    content, shown, bad = STRAY_BYTES[case]
    path = tmp_path / "mixed.csv"
    path.write_bytes(content)
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 1, summary
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (3, 2, 1)
    assert summary["errors_by_code"] == {"encoding": 1}
    stored = {row["erp_id"]: row for row in store.rows(customers)}
    for row in ACCENTED:
        assert (stored[row["erp_id"]]["city"], stored[row["erp_id"]]["full_name"]) == (
            row["city"],
            row["full_name"],
        )
    report = Path(summary["report_dir"])
    [line] = read_csv(report / "rejects.csv")
    assert (line["row"], line["field"], line["code"], line["value"]) == ("4", "address", "encoding", shown)
    assert shown in line["message"]
    assert f"({bad})" in line["message"]
    assert "UTF-8" in line["message"]
    rejected = load_workbook(report / "rejects.xlsx")["Rejected rows"]
    assert [cell.value for cell in rejected[2]][1 + labels().index("Address")] == shown
    assert json.loads((report / "summary.json").read_text(encoding="utf-8"))["errors_by_code"] == {
        "encoding": 1
    }


def test_legacy_windows_1252_csv_is_read_whole(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It reads a file without any UTF-8 sequence but with high bytes as Windows-1252, every row."""
    path = tmp_path / "legacy.csv"
    path.write_bytes(_accented_csv("Kantoor Zürich".encode("cp1252"), "cp1252"))
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 0, summary
    assert summary["accepted"] == 3
    assert store.customer(customer(1)["erp_id"])["address"] == "Kantoor Zürich"
    assert store.customer(ACCENTED[0]["erp_id"])["city"] == "Zoëtermeer"


def test_file_name_with_undecodable_bytes(tmp_path: Path) -> None:
    """It writes summary.json and --json for a file whose name is not valid UTF-8 (shown escaped)."""
    folder = os.fsencode(tmp_path)
    name = os.path.join(folder, b"caf\xe9.csv")
    with open(name, "wb") as handle:
        handle.write(_accented_csv(b"Kantoor Z\xfcrich"))
    result = subprocess.run(
        [ONBOARD, "validate", name, "--json", "--report-dir", str(tmp_path / "r")],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["file"] == os.fsdecode(name).replace("\udce9", "\\xe9")  # the byte shown as \xe9
    assert summary["errors_by_code"] == {"encoding": 1}
    written = json.loads((Path(summary["report_dir"]) / "summary.json").read_text(encoding="utf-8"))
    assert written["file"] == summary["file"]


# --- workbooks written as raw XML, so the test controls every byte ---------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
}


def raw_xlsx(path: Path, sheet_data: str, *, prefix: str = "", before: str = "", doctype: str = "") -> Path:
    """A workbook whose one sheet, Customers, holds exactly `sheet_data` (XML of its rows).

    With `prefix`, the sheet's elements carry that namespace prefix (x:row, x:c, …);
    `before` goes between <worksheet> and <sheetData> (a <dimension>, say), `doctype`
    before <worksheet>.
    """
    tag = f"{prefix}:" if prefix else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f'<{tag}worksheet xmlns{":" + prefix if prefix else ""}="{MAIN}">{before}'
        f"<{tag}sheetData>{sheet_data}</{tag}sheetData></{tag}worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PACKAGE.items():
            archive.writestr(name, text)
        # surrogatepass: a test may put the UTF-8 bytes of a lone surrogate in the sheet.
        archive.writestr("xl/worksheets/sheet1.xml", sheet.encode("utf-8", "surrogatepass"))
    return path


def xml_row(number: int, cells: list[str], prefix: str = "") -> str:
    """A <row> of inline-string cells from column A; a cell starting with "<" is raw XML."""
    tag = f"{prefix}:" if prefix else ""
    xml = []
    for column, cell in enumerate(cells):
        ref = f"{chr(ord('A') + column)}{number}"
        if cell.startswith("<"):
            xml.append(cell.replace("{ref}", ref))
        elif cell:
            xml.append(
                f'<{tag}c r="{ref}" t="inlineStr"><{tag}is><{tag}t>{escape(cell)}</{tag}t></{tag}is></{tag}c>'
            )
    return f'<{tag}row r="{number}">{"".join(xml)}</{tag}row>'


def customers_xml(count: int = 2, prefix: str = "") -> str:
    """The header row and `count` valid customers, as sheet XML."""
    rows = [labels(), *(values(customer(i)) for i in range(count))]
    return "".join(xml_row(number, row, prefix) for number, row in enumerate(rows, start=1))


def run_measured(args: list[str], timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float]:
    """`onboard args` in a process of its own: its outcome and its peak memory (MB).

    A separate process, because a regression here aborts the process (or takes gigabytes).
    It never sees the shell's ONBOARD_* settings (module fixtures run outside `hermetic`).
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("ONBOARD_")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([ONBOARD, *args], stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                pytest.fail(f"onboard {' '.join(args)} did not finish in {timeout} s")
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        outcome = subprocess.CompletedProcess(
            args, process.returncode, out.read().decode(), err.read().decode()
        )
    return outcome, usage.ru_maxrss / 1024


FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
EVERY_CELL = "17,179,869,184"
# Sheets whose few values span a huge block: (sheet XML, prefix, before, far cells, cells).
STRAY_CELLS = {
    "value in XFD1048576": (customers_xml() + FAR, "", "", "XFD1048576", EVERY_CELL),
    "a dimension that lies": (
        customers_xml() + FAR,
        "",
        '<dimension ref="A1:R3"/>',
        "XFD1048576",
        EVERY_CELL,
    ),
    "attributes reordered, single quotes": (
        customers_xml() + "<row r='1048576'><c t='str' r='XFD1048576'><v>x</v></c></row>",
        "",
        "",
        "XFD1048576",
        EVERY_CELL,
    ),
    "namespace prefix": (
        customers_xml(prefix="x") + '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
        "x",
        "",
        "XFD1048576",
        EVERY_CELL,
    ),
    "a cell without r after XFC": (
        customers_xml() + '<row r="1048576"><c r="XFC1048576"><v>1</v></c><c><v>2</v></c></row>',
        "",
        "",
        "XFD1048576",
        EVERY_CELL,
    ),
    "rows without r": (
        customers_xml()
        + '<row r="4"><c r="XFD4"><v>1</v></c></row><row r="1048575"/><row><c><v>1</v></c></row>',
        "",
        "",
        "XFD4 and A1048576",
        EVERY_CELL,
    ),
    "value in XFD4000 (a 2 GB block)": (
        customers_xml() + '<row r="4000"><c r="XFD4000" t="str"><v>x</v></c></row>',
        "",
        "",
        "XFD4000",
        "65,536,000",
    ),
}


class StrayRun(NamedTuple):
    """One `onboard import` of every stray-cell workbook: its outcome, peak memory, the
    workbook of each case, each file's --json summary, and the store it was given."""

    result: subprocess.CompletedProcess[str]
    peak_mb: float
    paths: dict[str, Path]
    summaries: dict[str, dict[str, Any]]
    store: StoreView


@pytest.fixture(scope="module")
def stray_run(tmp_path_factory: pytest.TempPathFactory) -> StrayRun:
    """Every workbook of STRAY_CELLS, and one saved by openpyxl with a value in XFD1048576,
    imported by one measured process (a process start costs a second; the refusal happens
    per file, before the store is touched, so the files do not affect each other). The
    store is SQLite: that a refused file leaves PostgreSQL untouched too is
    test_cli.py's test_file_level_failure_is_one_line_and_stores_nothing."""
    folder = tmp_path_factory.mktemp("stray")
    paths = {}
    for number, (case, (data, prefix, before, _far, _cells)) in enumerate(STRAY_CELLS.items()):
        paths[case] = raw_xlsx(folder / f"stray-{number}.xlsx", data, prefix=prefix, before=before)
    paths["openpyxl"] = xlsx(folder / "openpyxl.xlsx", [labels(), values(customer(0))])
    workbook = load_workbook(paths["openpyxl"])
    workbook.active["XFD1048576"] = "stray"  # type: ignore[index]
    workbook.save(paths["openpyxl"])
    db_url = f"sqlite:///{folder / 'store.db'}"
    files = [str(path) for path in paths.values()]
    result, peak_mb = run_measured(["import", *files, "--db", db_url, "--json", "--report-dir", str(folder)])
    by_file = {summary["file"]: summary for summary in map(json.loads, result.stdout.splitlines())}
    summaries = {case: by_file[str(path)] for case, path in paths.items()}
    return StrayRun(result, peak_mb, paths, summaries, StoreView(db_url))


def test_stray_far_cells_are_refused_in_little_memory(stray_run: StrayRun) -> None:
    """It refuses every stray-cell workbook (exit 2, one line each on standard error) with a
    small peak memory: calamine never allocated their blocks; nothing is stored."""
    assert stray_run.result.returncode == 2, stray_run.result.stderr
    assert len(stray_run.result.stderr.strip().splitlines()) == len(stray_run.paths)
    assert stray_run.peak_mb < 600, f"peak memory {stray_run.peak_mb:.0f} MB"
    assert stray_run.store.count(customers) == 0
    assert stray_run.store.count(batches) == 0


def refusal_line(stray_run: StrayRun, case: str) -> str:
    """The one line of standard error about the workbook of `case`."""
    name = stray_run.paths[case].name
    [line] = [line for line in stray_run.result.stderr.splitlines() if name in line]
    return line


@pytest.mark.parametrize("case", list(STRAY_CELLS))
def test_stray_far_cell_is_refused_before_reading(case: str, stray_run: StrayRun) -> None:
    """It refuses a sheet whose few values span more than limits.max_cells, from its XML,
    before calamine allocates the block: one line naming the far cell."""
    _data, _prefix, _before, far, cells = STRAY_CELLS[case]
    path = stray_run.paths[case]
    assert path.stat().st_size < 20_000
    assert stray_run.summaries[case]["error"]["code"] == "file_too_large"
    line = refusal_line(stray_run, case)
    what = "values in cells" if " and " in far else "a value in cell"
    assert f"sheet 'Customers' of {path.name} has {what} {far}, far outside its data" in line
    assert f"spans {cells} cells, more than the limit of 30,000,000" in line


def test_stray_cell_written_by_openpyxl(stray_run: StrayRun) -> None:
    """It refuses a workbook saved by openpyxl with one value in XFD1048576."""
    assert stray_run.summaries["openpyxl"]["error"]["code"] == "file_too_large"
    assert "has a value in cell XFD1048576, far outside its data" in refusal_line(stray_run, "openpyxl")


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize(
    ("case", "data", "before"),
    [
        ("style-only cell in XFD1048576", '<row r="1048576"><c r="XFD1048576" s="1"/></row>', ""),
        ("empty value in XFD1048576", '<row r="1048576"><c r="XFD1048576"><v></v></c></row>', ""),
        ("a dimension claiming every cell", "", '<dimension ref="A1:XFD1048576"/>'),
    ],
)
def test_far_cells_without_value_are_read(
    case: str, data: str, before: str, tmp_path: Path, db_url: str, onboard: Any
) -> None:
    """It reads a sheet whose far cells hold no value (calamine does not count them)."""
    path = raw_xlsx(tmp_path / "styled.xlsx", customers_xml() + data, before=before)
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 0, summary
    assert (summary["rows"], summary["accepted"]) == (2, 2)


ERRORS = [
    *("#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"),
    *("#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!"),
]


@POSTGRES_IN_TEST_SLOW
def test_error_cells_are_spreadsheet_errors(
    tmp_path: Path, db_url: str, onboard: Any, store: Any, read_csv: Any
) -> None:
    """It rejects every row whose cell holds an Excel error (t="e"), cached formula results
    too, as spreadsheet_error with the error as its value, never as a blank cell."""
    city = labels().index("City")
    rows = [labels(), values(customer(0))]
    for number, error in enumerate(ERRORS, start=1):
        cells = values(customer(number))
        cells[city] = f'<c r="{{ref}}" t="e"><v>{escape(error)}</v></c>'
        rows.append(cells)
    cells = values(customer(len(ERRORS) + 1))
    cells[city] = '<c r="{ref}" s="0" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    rows.append(cells)
    path = raw_xlsx(tmp_path / "errors.xlsx", "".join(xml_row(n, row) for n, row in enumerate(rows, start=1)))
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 1, summary
    bad = len(ERRORS) + 1
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (bad + 1, 1, bad)
    assert summary["errors_by_code"] == {"spreadsheet_error": bad}
    lines = read_csv(Path(summary["report_dir"]) / "rejects.csv")
    assert [(line["field"], line["value"]) for line in lines] == [("city", e) for e in [*ERRORS, "#DIV/0!"]]
    assert [row["erp_id"] for row in store.rows(customers)] == [customer(0)["erp_id"]]


@POSTGRES_IN_TEST_SLOW
def test_sheet_xml_with_a_dtd_is_refused(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses a sheet declaring a DTD (a billion-laughs bomb here) without expanding it."""
    laughs = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    path = raw_xlsx(
        tmp_path / "laughs.xlsx",
        customers_xml(prefix="x"),  # a prefixed sheet is parsed as XML, not only scanned
        prefix="x",
        doctype=f"<!DOCTYPE x:worksheet [{laughs}]>",
    )
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "declares a DTD")


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize(
    "text", ["Weg &#xD800; 1", "Weg \ud800 1"], ids=["character reference", "UTF-8 bytes"]
)
def test_xlsx_string_with_a_lone_surrogate(
    text: str, tmp_path: Path, db_url: str, onboard: Any, store: Any
) -> None:
    """It refuses in one line a workbook whose text holds a lone surrogate, which calamine
    cannot read (so no such text ever reaches the rules or the store)."""
    address = labels().index("Address")
    row = values(customer(0))
    row[address] = '<c r="{ref}" t="inlineStr"><is><t>' + text + "</t></is></c>"
    sheet = xml_row(1, labels()) + xml_row(2, row)
    path = tmp_path / "surrogate.xlsx"
    raw_xlsx(path, sheet)
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "cannot be read")
