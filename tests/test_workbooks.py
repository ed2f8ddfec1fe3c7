"""The workbooks people open (rejects.xlsx, export, sample), written through the CLI and
reopened: sheet order, the Summary's counts, chart and legend, row numbers, warnings,
widths, frozen panes, and a rejects.xlsx dropped again as it is."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from factories import text_format_columns
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.sample import generate_rows
from pipeline.store import customers
from schemas.codes import CODES
from schemas.fields import FIELDS

pytestmark = pytest.mark.usefixtures("workdir")

Row = Callable[..., dict[str, str]]
Onboard = Callable[..., Result]
ReadCsv = Callable[[Path], list[dict[str, str]]]

HEADER_FILL = "FFDDEBF7"
PORTAL_LABELS = {name: field.label for name, field in FIELDS.items()}
LONG_NOTE = "A note that goes on and on " * 12


def run(onboard: Onboard, *args: object) -> dict[str, Any]:
    """Run a command with --json; the file's summary."""
    result = onboard(*args, "--json")
    assert result.exit_code in (0, 1), result.output
    (line,) = result.stdout.splitlines()
    return dict(json.loads(line))


def problem_rows(
    onboard: Onboard, write_sheet: Callable[..., Path], valid_row: Row, path: Path
) -> dict[str, Any]:
    """Validate a sheet with title rows, three rejected rows (four problems) and two accepted
    rows sharing a VAT number (two warnings)."""
    shared = valid_row(4)["tax_id"]
    rows = [
        valid_row(0, Notes="fine"),
        valid_row(1, tax_id="NL123", contact_email="nobody", Notes=LONG_NOTE),
        valid_row(2, currency="QQQ", Notes="short"),
        valid_row(3, tax_id="NL999", Notes="=1+2"),
        valid_row(4),
        valid_row(5, tax_id=shared),
    ]
    fields = [*valid_row(), "Notes"]
    sheet = write_sheet(path, rows, fields=fields, title_rows=[["Customers for March"], []])
    return run(onboard, "validate", sheet)


def table_under(sheet: Worksheet, header: str) -> list[tuple[Any, ...]]:
    """The rows of the Summary's table whose first header cell is `header`, up to a blank row."""
    values = [tuple(cell.value for cell in row[:3]) for row in sheet.iter_rows()]
    start = [row[0] for row in values].index(header) + 1
    lines = []
    for row in values[start:]:
        if row[0] is None:
            break
        lines.append(row)
    return lines


def width(sheet: Worksheet, letter: str) -> float:
    return float(sheet.column_dimensions[letter].width)


def test_rejects_xlsx_opens_on_a_summary_with_counts_a_chart_and_a_legend(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It puts a Summary sheet first and opens on it: counts by problem and by column equal to
    summary.json, a bar chart drawn from the problem counts, and the codes' descriptions."""
    summary = problem_rows(onboard, write_sheet, valid_row, tmp_path / "march.xlsx")
    assert summary["errors_by_code"] == {"invalid_email": 1, "invalid_tax_id": 2, "unknown_currency": 1}
    workbook = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx")

    assert workbook.sheetnames == ["Summary", "Rejected rows", "Warnings"]
    assert workbook.active is not None and workbook.active.title == "Summary"
    sheet = workbook["Summary"]
    assert sheet["A1"].value == "Problems in march.xlsx"
    assert "6 rows read: 3 accepted, 3 rejected with 4 problems; 2 warnings" in str(sheet["A2"].value)
    by_kind = table_under(sheet, "Problem")
    assert by_kind == [("invalid_tax_id", 2, 2), ("invalid_email", 1, 1), ("unknown_currency", 1, 1)]
    assert table_under(sheet, "Column") == [
        ("Tax ID", "Tax ID", 2),
        ("Currency", "Currency", 1),
        ("Email address", "Email address", 1),
    ]
    assert table_under(sheet, "Warning") == [("duplicate_tax_id", 2, 2)]
    legend = {code: (kind, meaning) for code, kind, meaning in table_under(sheet, "Code")}
    assert legend == {
        code: (CODES[code].severity, CODES[code].description)
        for code in ("invalid_tax_id", "invalid_email", "unknown_currency", "duplicate_tax_id")
    }

    (chart,) = sheet._charts
    assert (type(chart).__name__, chart.type) == ("BarChart", "bar")
    (series,) = chart.series
    first = next(row[0].row for row in sheet.iter_rows() if row[0].value == "invalid_tax_id")
    assert series.cat.strRef.f == f"Summary!$A${first}:$A${first + 2}"
    assert series.val.numRef.f == f"Summary!$B${first}:$B${first + 2}"
    # Cached with the chart, so Excel shows the codes before it reads the cells.
    assert [point.v for point in series.cat.strRef.strCache.pt] == [code for code, _, _ in by_kind]


def test_rejected_rows_carry_the_users_row_numbers_and_fitted_widths(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It starts every rejected row with its row number in the user's file (title rows
    counted), freezes the header and that column, and fits widths to the content, capped."""
    summary = problem_rows(onboard, write_sheet, valid_row, tmp_path / "march.xlsx")
    workbook = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx")
    sheet = workbook["Rejected rows"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "Original row" and headers[-1] == "Errors"

    numbers = [cell.value for cell in sheet["A"][1:]]
    csv_rows = sorted({int(line["row"]) for line in read_csv(Path(summary["report_dir"]) / "rejects.csv")})
    assert numbers == csv_rows == [5, 6, 7]
    assert sheet.freeze_panes == "B2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}4"
    assert {cell.fill.fgColor.rgb for cell in sheet[1]} == {HEADER_FILL}
    assert all(cell.font.b for cell in sheet[1])

    letter = {header: sheet.cell(row=1, column=i).column_letter for i, header in enumerate(headers, start=1)}
    assert width(sheet, letter["Notes"]) == pytest.approx(50, abs=1)  # capped: the long note wraps off
    assert width(sheet, letter["Currency"]) == pytest.approx(len("Currency") + 2, abs=1)
    assert width(sheet, letter["Full name"]) == pytest.approx(len(valid_row(1)["full_name"]) + 2, abs=1)
    assert width(sheet, letter["Original row"]) == pytest.approx(len("Original row") + 2, abs=1)
    errors = sheet[f"{letter['Errors']}2"]
    assert errors.alignment.wrap_text
    assert errors.value.splitlines() == [
        line["message"]
        for line in read_csv(Path(summary["report_dir"]) / "rejects.csv")
        if line["row"] == "5"
    ]


def test_warnings_have_a_sheet_of_their_own(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It lists the accepted rows' warnings on the Warnings sheet, line for line as warnings.csv."""
    summary = problem_rows(onboard, write_sheet, valid_row, tmp_path / "march.xlsx")
    sheet = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx")["Warnings"]
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert lines[0] == ["Row", "Column", "Field", "Value", "Code", "Message"]
    expected = read_csv(Path(summary["report_dir"]) / "warnings.csv")
    assert len(expected) == 2
    assert lines[1:] == [
        [int(w["row"]), w["column"], w["field"], w["value"], w["code"], w["message"]] for w in expected
    ]
    assert {line[0] for line in lines[1:]} == {8, 9}
    assert sheet.freeze_panes == "A2"


def test_an_untouched_rejects_xlsx_dropped_again_is_read_from_its_rejected_rows(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It reads a rejects.xlsx dropped again as written (Summary, chart and all) from its
    Rejected rows sheet, ignores the Original row and Errors columns, and finds the same problems."""
    first = problem_rows(onboard, write_sheet, valid_row, tmp_path / "march.xlsx")
    again = run(onboard, "validate", Path(first["report_dir"]) / "rejects.xlsx")

    assert (again["sheet"], again["header_row"]) == ("Rejected rows", 1)
    assert (again["rows"], again["accepted"], again["rejected"]) == (3, 0, 3)
    assert again["errors_by_code"] == first["errors_by_code"]
    assert again["unmapped_columns"] == ["Notes"]
    lines = read_csv(Path(again["report_dir"]) / "rejects.csv")
    assert sorted({int(line["row"]) for line in lines}) == [2, 3, 4]  # rows of the rejects.xlsx itself
    nested = load_workbook(Path(again["report_dir"]) / "rejects.xlsx")["Rejected rows"]
    assert [cell.value for cell in nested[1]].count("Errors") == 1
    assert [cell.value for cell in nested[1]].count("Original row") == 1


def test_a_file_without_rejects_gets_a_summary_that_says_so(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It writes a rejects.xlsx without a chart when nothing was rejected, saying so on the
    Summary (no instructions to fix what is not there) and the Warnings sheet, its header
    still ready to be filled in and printed on one page, not across several empty ones."""
    summary = run(onboard, "validate", write_sheet(tmp_path / "clean.xlsx", [valid_row(0)]))
    workbook = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx")
    sheet = workbook["Summary"]
    assert sheet["A2"].value.startswith("1 row read: 1 accepted, 0 rejected with 0 problems; 0 warnings")
    assert sheet["A3"].value == "Nothing to fix: every row was accepted."
    rejected = workbook["Rejected rows"]
    assert rejected.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default width)
    assert (rejected.page_setup.fitToWidth or 1, rejected.page_setup.fitToHeight) == (1, 0)
    assert sheet._charts == []
    first_column = [row[0].value for row in sheet.iter_rows()]
    assert "No rows were rejected." in first_column and "Problems by kind" not in first_column
    assert workbook["Rejected rows"].max_row == 1
    assert str(workbook["Warnings"]["A2"].value).startswith("No warnings")


def test_export_xlsx_is_streamed_with_a_styled_frozen_header_and_fitted_widths(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, db_url: str
) -> None:
    """It exports customers to one sheet whose bold, tinted header is frozen, whose widths fit
    the values, and whose rows were streamed (inline strings, no shared-string table kept in memory)."""
    rows = [valid_row(i) for i in range(3)]
    assert run(onboard, "import", write_sheet(tmp_path / "in.csv", rows), "--db", db_url)["inserted"] == 3
    out = tmp_path / "pending.xlsx"
    assert onboard("export", "--status", "pending", "--out", out, "--db", db_url).exit_code == 0

    sheet = load_workbook(out)["Customers"]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.name for column in customers.columns]
    assert sheet.freeze_panes == "A2"
    assert {cell.fill.fgColor.rgb for cell in sheet[1]} == {HEADER_FILL} and all(c.font.b for c in sheet[1])
    records = [
        dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert sorted(r["erp_id"] for r in records) == sorted(r["erp_id"] for r in rows)
    letter = {name: sheet.cell(row=1, column=i).column_letter for i, name in enumerate(header, start=1)}
    longest = max(len(r["full_name"]) for r in rows)
    assert width(sheet, letter["full_name"]) == pytest.approx(longest + 2, abs=1)
    assert width(sheet, letter["id"]) == pytest.approx(8, abs=1)
    with zipfile.ZipFile(out) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()


def test_sample_xlsx_has_a_styled_frozen_header_and_the_generated_rows(
    tmp_path: Path, onboard: Onboard
) -> None:
    """It writes the sample under the portal's labels in a bold, frozen header, widths fitted,
    every generated value as text."""
    out = tmp_path / "sample.xlsx"
    result = onboard("sample", "--rows", "40", "--seed", "3", "--out", out)
    assert result.exit_code == 0, result.output

    sheet = load_workbook(out)["Customers"]
    assert [cell.value for cell in sheet[1]] == list(PORTAL_LABELS.values())
    assert sheet.freeze_panes == "A2"
    assert {cell.fill.fgColor.rgb for cell in sheet[1]} == {HEADER_FILL}
    generated = generate_rows(40, seed=3)
    written = [[cell.value or "" for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert written == [[row[field] for field in PORTAL_LABELS] for row in generated]
    column = list(PORTAL_LABELS).index("full_name") + 1
    longest = max(len(row["full_name"]) for row in generated)
    assert width(sheet, sheet.cell(row=1, column=column).column_letter) == pytest.approx(longest + 2, abs=1)


def test_a_long_meaning_of_a_code_gets_a_row_as_tall_as_its_lines(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It makes the Summary's legend row of a code whose meaning wraps as tall as the
    wrapped lines (it ran into the next row on paper and on screen)."""
    rows = [valid_row(0), {name: "" for name in valid_row(1)} | {"short_name": "Total: 1"}]
    summary = run(onboard, "validate", write_sheet(tmp_path / "total.xlsx", rows))
    sheet = load_workbook(Path(summary["report_dir"]) / "rejects.xlsx")["Summary"]
    (row,) = [cell.row for (cell,) in sheet.iter_rows(max_col=1) if cell.value == "not_a_customer_row"][-1:]
    assert (sheet.row_dimensions[row].height or 0) >= 30


def test_what_a_person_types_into_a_rejects_workbook_stays_as_typed(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It gives the rejected rows' cells and columns Excel's Text format, so a fix typed
    into them (`1-31`, `00123`, a long number) is kept as typed when the workbook is
    dropped again, not turned into a date or a number by the spreadsheet."""
    summary = problem_rows(onboard, write_sheet, valid_row, tmp_path / "march.xlsx")
    path = Path(summary["report_dir"]) / "rejects.xlsx"
    sheet = load_workbook(path)["Rejected rows"]
    written = [
        cell for row in sheet.iter_rows(min_row=2, min_col=2) for cell in row if cell.value is not None
    ]
    assert written and all(cell.number_format == "@" for cell in written)
    columns = text_format_columns(path, "xl/worksheets/sheet2.xml")
    assert columns and all(columns)
