"""Hostile and broken files: each gives one clear line (file-level) or per-row rejects,
never a traceback, and a file-level failure leaves the store untouched."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import Workbook, load_workbook

from pipeline.store import batches, customers
from schemas.synonyms import ERRORS_COLUMN

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
    from schemas.synonyms import SYNONYMS

    return [names[0] for names in SYNONYMS.values()]


def values(row: dict[str, str]) -> list[str]:
    return list(row.values())


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


def test_random_bytes_named_xlsx(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It refuses random bytes named .xlsx in one line."""
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "cannot be read as an Excel workbook")


def test_truncated_xlsx(
    tmp_path: Path, db_url: str, onboard: Any, write_sheet: Any, valid_row: Row, store: Any
) -> None:
    """It refuses a workbook cut off half-way (an interrupted upload)."""
    whole = write_sheet(tmp_path / "whole.xlsx", [valid_row(i) for i in range(20)]).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store)


def test_password_protected_xlsx(tmp_path: Path, db_url: str, onboard: Any, store: Any) -> None:
    """It recognises an encrypted workbook (an OLE2 container named .xlsx) and says so."""
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096)
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "password-protected")


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
        [(cell.value, getattr(cell, "fill", None)) for cell in row] for row in workbook.active.iter_rows()
    )
    workbook.close()
    assert len(header) <= 16_384 and header[-1][0] == ERRORS_COLUMN
    assert [value for value, _fill in header[:18]] == labels()
    assert [value or "" for value, _fill in rejected[:18]] == values(rows[1])
    filled = [
        i for i, (_value, fill) in enumerate(rejected) if fill is not None and fill.fill_type == "solid"
    ]
    assert filled == [list(rows[1]).index("contact_email")]  # the bad e-mail cell, red


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
    cell = load_workbook(report / "rejects.xlsx")["Rejected rows"]["B2"].value
    assert 1000 < len(cell) <= 32_767


def test_formula_and_error_cells(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It never evaluates formulas: an uncached formula is blank, an error value is rejected."""
    first, second = values(valid_row(0)), values(valid_row(1))
    first[8] = '=CONCAT("Eind","hoven")'  # city as a formula without a cached value
    path = xlsx(tmp_path / "formulas.xlsx", [labels(), first, second])
    _result, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"missing_value": 1}
    csv_path = tmp_path / "errors.csv"
    second[8] = "#REF!"
    csv_path.write_text(
        ",".join(labels()) + "\n" + ",".join(f'"{v}"' for v in second) + "\n", encoding="utf-8"
    )
    _, summary = import_json(onboard, csv_path, db_url)
    assert summary["errors_by_code"] == {"spreadsheet_error": 1}


def test_merged_cells(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It reads a merged cell's value in its first row only; the others are blank and rejected."""
    path = xlsx(tmp_path / "merged.xlsx", [labels(), values(valid_row(0)), values(valid_row(1))])
    workbook = load_workbook(path)
    workbook.active.merge_cells("I2:I3")  # type: ignore[union-attr]
    workbook.save(path)
    _result, summary = import_json(onboard, path, db_url)
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert summary["errors_by_code"] == {"missing_value": 1}


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


def test_duplicated_headers(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any) -> None:
    """It refuses a file with two columns for one field, naming both."""
    path = xlsx(tmp_path / "dup.xlsx", [[*labels(), "BTW-nummer"], [*values(valid_row(0)), "NL1"]])
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "duplicate_columns", store, "BTW-nummer")


def test_two_header_rows(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It takes the row naming the fields as the header under a row of group titles."""
    groups = ["Company", "", "", "", "", "", "", "Address", "", "", "", "", "", "Contact", "", "", "", ""]
    path = xlsx(tmp_path / "groups.xlsx", [groups, labels(), values(valid_row(0))])
    _, summary = import_json(onboard, path, db_url)
    assert (summary["header_row"], summary["accepted"]) == (2, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv(encoding: str, tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It reads UTF-16 CSV files, with a byte-order mark or without."""
    text = "\t".join(labels()) + "\r\n" + "\t".join(values(valid_row(0, city="’s-Hertogenbosch"))) + "\r\n"
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode(encoding))
    result, summary = import_json(onboard, path, db_url)
    assert result.exit_code == 0, summary
    assert summary["accepted"] == 1


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


def test_unclosed_quote(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row, store: Any) -> None:
    """It refuses a CSV whose quote is never closed instead of swallowing the rest."""
    row = values(valid_row(0))
    row[1] = '"Copaco Nederland B.V.'
    path = tmp_path / "quote.csv"
    path.write_text(",".join(labels()) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    result, summary = import_json(onboard, path, db_url)
    assert_unusable(result, summary, "unreadable_file", store, "cannot be parsed")


def test_dates_where_text_was_expected(tmp_path: Path, db_url: str, onboard: Any, valid_row: Row) -> None:
    """It reads date cells as the date the user saw and rejects them where a phone is due."""
    row: list[Any] = values(valid_row(0))
    row[17] = dt.datetime(2024, 1, 31)
    path = xlsx(tmp_path / "dates.xlsx", [labels(), row])
    _, summary = import_json(onboard, path, db_url)
    assert summary["errors_by_code"] == {"invalid_phone": 1}
    rejects = (Path(summary["report_dir"]) / "rejects.csv").read_text(encoding="utf-8")
    assert "2024-01-31" in rejects


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
