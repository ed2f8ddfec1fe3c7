"""The reports: rejects.csv, warnings.csv, rejects.xlsx and summary.json, read back as a user would."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from pipeline.issues import CODES

pytestmark = pytest.mark.usefixtures("workdir")

Row = Callable[..., dict[str, str]]
Onboard = Callable[..., Result]
ReadCsv = Callable[[Path], list[dict[str, str]]]

ISSUE_COLUMNS = ["row", "column", "field", "value", "code", "message"]
FORMULA_STARTS = ["=1+2", "+31 6 1234", "-12", "@SUM(A1)"]

# Every field under the Dutch names a sheet from a Dutch team carries.
DUTCH = {
    "short_name": "Korte naam",
    "full_name": "Bedrijfsnaam",
    "erp_id": "Debiteurnummer",
    "registration_number": "KvK-nummer",
    "tax_id": "BTW-nummer",
    "currency": "Valuta",
    "industry": "Branche",
    "country": "Land",
    "city": "Plaats",
    "state": "Provincie",
    "address": "Adres",
    "address2": "Adresregel 2",
    "postal_code": "Postcode",
    "contact_first_name": "Voornaam",
    "contact_last_name": "Achternaam",
    "contact_role": "Functie",
    "contact_email": "E-mailadres",
    "contact_phone": "Telefoonnummer",
}


def run(onboard: Onboard, command: str, path: Path, *extra: object) -> dict[str, Any]:
    """Run validate or import with --json; the file's summary."""
    result = onboard(command, path, "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    (line,) = result.stdout.splitlines()
    return json.loads(line)


def report(summary: dict[str, Any], name: str) -> Path:
    return Path(summary["report_dir"]) / name


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def is_red(cell: Cell) -> bool:
    """A solid fill whose colour is mostly red."""
    rgb = str(cell.fill.fgColor.rgb)
    if cell.fill.fill_type != "solid" or len(rgb) != 8:
        return False
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (2, 4, 6))
    return red > green and red > blue


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejects_csv_has_the_contract_columns_and_the_users_row_numbers(
    suffix: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    read_csv: ReadCsv,
) -> None:
    """It writes row, column, field, value, code, message, with rows numbered as the sheet shows them."""
    rows = [valid_row(0), valid_row(1, tax_id="NL123", contact_email="nobody"), valid_row(2, currency="QQQ")]
    sheet = write_sheet(
        tmp_path / f"titled{suffix}",
        rows,
        title_rows=[["Customer import"], ["Prepared by the onboarding team"]],
    )

    summary = run(onboard, "validate", sheet)

    assert summary["header_row"] == 3
    assert header_of(report(summary, "rejects.csv")) == ISSUE_COLUMNS
    assert header_of(report(summary, "warnings.csv")) == ISSUE_COLUMNS
    lines = read_csv(report(summary, "rejects.csv"))
    assert {(line["row"], line["column"], line["field"], line["code"]) for line in lines} == {
        ("5", "Tax ID", "tax_id", "invalid_tax_id"),
        ("5", "Email address", "contact_email", "invalid_email"),
        ("6", "Currency", "currency", "unknown_currency"),
    }
    values = {line["field"]: line["value"] for line in lines}
    assert values == {"tax_id": "NL123", "contact_email": "nobody", "currency": "QQQ"}
    assert all(line["message"] and line["code"] in CODES for line in lines)


def test_csv_row_numbers_count_records_not_lines(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It numbers CSV rows by record, so a quoted cell spanning lines does not shift later rows."""
    rows = [
        valid_row(0, address="Hurksestraat 45\nUnit 2\nThird floor"),
        valid_row(1, tax_id="NL123"),
    ]
    summary = run(onboard, "validate", write_sheet(tmp_path / "multiline.csv", rows))

    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    (line,) = read_csv(report(summary, "rejects.csv"))
    assert (line["row"], line["code"]) == ("3", "invalid_tax_id")


def test_column_is_the_header_as_written_in_the_file(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It names a problem's column by the file's own header (BTW-nummer), and its canonical field."""
    rows = [valid_row(0, tax_id="NL123", postal_code="ABC")]
    summary = run(onboard, "validate", write_sheet(tmp_path / "klanten.xlsx", rows, headers=DUTCH))

    lines = read_csv(report(summary, "rejects.csv"))
    assert {(line["column"], line["field"], line["code"]) for line in lines} == {
        ("BTW-nummer", "tax_id", "invalid_tax_id"),
        ("Postcode", "postal_code", "invalid_postal_code"),
    }


def test_formula_like_values_are_neutralized_in_rejects_csv(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It prefixes values (and headers) starting with = + - @ with an apostrophe in rejects.csv."""
    rows = [valid_row(i, tax_id=value) for i, value in enumerate(FORMULA_STARTS)]
    sheet = write_sheet(tmp_path / "formulas.csv", rows, headers={"tax_id": "=Tax ID"})
    summary = run(onboard, "validate", sheet)

    lines = read_csv(report(summary, "rejects.csv"))
    assert sorted(line["value"] for line in lines if line["field"] == "tax_id") == sorted(
        "'" + value for value in FORMULA_STARTS
    )
    assert {line["column"] for line in lines if line["field"] == "tax_id"} == {"'=Tax ID"}
    assert not [cell for line in lines for cell in line.values() if cell.startswith(("=", "+", "-", "@"))]


def test_formula_like_values_are_neutralized_in_warnings_csv(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It prefixes a warned value starting with a formula character with an apostrophe in warnings.csv."""
    saudi = valid_row(
        0,
        tax_id="-12345",
        country="Saudi Arabia",
        city="Riyadh",
        postal_code="12211",
        currency="SAR",
        registration_number="1010010030",
        contact_phone="+966 11 234 5678",
    )
    summary = run(onboard, "validate", write_sheet(tmp_path / "saudi.csv", [saudi]))

    assert (summary["accepted"], summary["rejected"]) == (1, 0)
    (line,) = read_csv(report(summary, "warnings.csv"))
    assert (line["row"], line["field"], line["value"], line["code"]) == (
        "2",
        "tax_id",
        "'-12345",
        "tax_id_unverified",
    )


def test_formula_like_values_are_neutralized_in_the_export(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    read_csv: ReadCsv,
) -> None:
    """It prefixes stored text starting with = + - @ in the export CSV, and keeps it as text in XLSX."""
    row = valid_row(0, short_name="=Copaco", full_name="@Copaco B.V.", city="-Eindhoven", address="+45 Hurk")
    assert run(onboard, "import", write_sheet(tmp_path / "in.xlsx", [row]), "--db", db_url)["inserted"] == 1
    out_csv, out_xlsx = tmp_path / "out.csv", tmp_path / "out.xlsx"
    for out in (out_csv, out_xlsx):
        assert onboard("export", "--status", "pending", "--out", out, "--db", db_url).exit_code == 0

    (exported,) = read_csv(out_csv)
    assert (exported["short_name"], exported["full_name"], exported["city"], exported["address"]) == (
        "'=Copaco",
        "'@Copaco B.V.",
        "'-Eindhoven",
        "'+45 Hurk",
    )
    sheet = load_workbook(out_xlsx).active
    assert sheet is not None
    cells = {str(header.value): cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    for field in ("short_name", "full_name", "city", "address"):
        assert cells[field].data_type == "s"
        assert cells[field].value == row[field]


def test_rejects_xlsx_keeps_values_as_typed_in_string_cells(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It writes every rejects.xlsx cell as a string cell (never a formula) holding the value as typed."""
    rows = [valid_row(i, tax_id=value) for i, value in enumerate(FORMULA_STARTS)]
    summary = run(onboard, "validate", write_sheet(tmp_path / "formulas.xlsx", rows))

    sheet = load_workbook(report(summary, "rejects.xlsx")).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    tax_column = headers.index("Tax ID") + 1
    typed = [sheet.cell(row=r, column=tax_column) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in typed) == sorted(FORMULA_STARTS)
    assert all(c.data_type == "s" for c in typed)
    filled = [cell for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")]
    assert filled
    assert {cell.data_type for cell in filled} == {"s"}
    phones = {sheet.cell(row=r, column=headers.index("Phone number") + 1).value for r in range(2, 6)}
    assert "+31(0)40 123 4567" in phones


def test_rejects_xlsx_has_the_files_columns_red_cells_comments_and_errors(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    read_csv: ReadCsv,
) -> None:
    """It lists rejected rows under the file's own headers plus Errors, bad cells red with the message."""
    fields = ["Notes", *reversed(list(DUTCH))]
    headers = [DUTCH.get(f, f) for f in fields]
    rows = [
        valid_row(0, Notes="good one"),
        valid_row(1, tax_id="NL123", contact_email="nobody", Notes="two problems"),
        valid_row(2, postal_code="ABC", Notes="one problem"),
    ]
    sheet_path = write_sheet(tmp_path / "klanten.xlsx", rows, headers=DUTCH, fields=fields)
    summary = run(onboard, "validate", sheet_path)
    assert summary["unmapped_columns"] == ["Notes"]
    problems = read_csv(report(summary, "rejects.csv"))

    sheet = load_workbook(report(summary, "rejects.xlsx")).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [*headers, "Errors"]
    assert sheet.max_row == 3
    position = {header: i for i, header in enumerate(headers)}
    by_note = {sheet.cell(row=r, column=1).value: list(sheet[r]) for r in (2, 3)}
    assert set(by_note) == {"two problems", "one problem"}
    expected = {"two problems": {"BTW-nummer", "E-mailadres"}, "one problem": {"Postcode"}}
    for note, expected_bad in expected.items():
        cells = by_note[note]
        red = {headers[i] for i, cell in enumerate(cells[:-1]) if is_red(cell)}
        assert red == expected_bad
        for header in expected_bad:
            cell = cells[position[header]]
            (message,) = [p["message"] for p in problems if p["column"] == header]
            assert cell.comment is not None
            assert message in cell.comment.text
        for i, cell in enumerate(cells[:-1]):
            if headers[i] not in expected_bad:
                assert cell.comment is None
        assert cells[-1].value
    assert by_note["two problems"][position["Debiteurnummer"]].value == "00124"


def test_a_fixed_rejects_xlsx_can_be_dropped_again_as_it_is(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It imports a fixed rejects.xlsx as it is, ignoring the Errors column."""
    rows = [valid_row(0), valid_row(1, tax_id="NL123"), valid_row(2)]
    first = run(onboard, "import", write_sheet(tmp_path / "in.xlsx", rows), "--db", db_url)
    assert (first["inserted"], first["rejected"]) == (2, 1)

    rejected = tmp_path / "fixed.xlsx"
    workbook = load_workbook(report(first, "rejects.xlsx"))
    sheet = workbook.active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Tax ID") + 1).value = valid_row(1)["tax_id"]
    workbook.save(rejected)

    again = run(onboard, "import", rejected, "--db", db_url)

    assert (again["rows"], again["accepted"], again["rejected"]) == (1, 1, 0)
    assert again["inserted"] == 1
    assert again["unmapped_columns"] == []
    customer = store.customer("00124")
    assert customer["tax_id"] == valid_row(1)["tax_id"]
    assert customer["status"] == "pending"


# README's summary.json contract; `batch_id` for an import, `skipped` and `error` when so.
SUMMARY_KEYS = {
    "file",
    "command",
    "sha256",
    "report_dir",
    "sheet",
    "header_row",
    "rows",
    "accepted",
    "rejected",
    "inserted",
    "updated",
    "unchanged",
    "warnings",
    "errors_by_code",
    "warnings_by_code",
    "unmapped_columns",
    "exit_code",
    "timings",
}


@pytest.mark.parametrize("command", ["validate", "import"])
def test_summary_json_has_the_contract_keys(
    command: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
) -> None:
    """It writes summary.json with exactly the keys of the contract, batch_id for import
    only, and each key's value."""
    rows = [
        valid_row(0, Notes="x"),
        valid_row(1, tax_id="NL123", contact_email="x"),
        valid_row(2, tax_id="NL1"),
        valid_row(3, tax_id=valid_row(0)["tax_id"]),  # shares row 2's VAT number: a warning each
    ]
    sheet = write_sheet(tmp_path / "in.csv", rows, fields=[*valid_row(), "Notes"])
    extra = ["--db", db_url] if command == "import" else []

    printed = run(onboard, command, sheet, *extra)
    summary = json.loads(report(printed, "summary.json").read_text(encoding="utf-8"))

    assert set(summary) == SUMMARY_KEYS | ({"batch_id"} if command == "import" else set())
    if command == "import":
        assert summary["batch_id"]
    assert (summary["file"], summary["command"]) == (str(sheet), command)
    assert Path(summary["report_dir"]).is_dir()
    assert len(summary["sha256"]) == 64
    assert (summary["sheet"], summary["header_row"]) == (None, 1)  # a CSV file has no sheets
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (4, 2, 2)
    assert summary["rows"] == summary["accepted"] + summary["rejected"]
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (
        (2, 0, 0) if command == "import" else (0, 0, 0)
    )
    assert summary["errors_by_code"] == {"invalid_email": 1, "invalid_tax_id": 2}
    assert (summary["warnings"], summary["warnings_by_code"]) == (2, {"duplicate_tax_id": 2})
    assert summary["unmapped_columns"] == ["Notes"]
    assert summary["exit_code"] == 1
    stages = {"read", "map", "validate", "total"} | ({"load"} if command == "import" else set())
    # summary.json is written during the report stage, so only the printed copy times it.
    assert (set(summary["timings"]), set(printed["timings"])) == (stages, stages | {"report"})
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in summary["timings"].values())
    assert {k: v for k, v in summary.items() if k != "timings"} == {
        k: v for k, v in printed.items() if k != "timings"
    }


def test_a_skipped_import_writes_its_own_summary_and_keeps_the_earlier_reports(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, db_url: str
) -> None:
    """It writes the skipped import's summary (as --json prints it) without touching the earlier batch's."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL123")])
    first = run(onboard, "import", sheet, "--db", db_url)
    earlier = report(first, "summary.json").read_text(encoding="utf-8")

    again = run(onboard, "import", sheet, "--db", db_url)

    assert again["skipped"] == "already imported"
    assert again["batch_id"] == first["batch_id"]
    assert report(first, "summary.json").read_text(encoding="utf-8") == earlier
    written = json.loads(report(again, "summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "timings"} == {
        k: v for k, v in again.items() if k != "timings"
    }
