"""The Summary sheet of `rejects.xlsx`: what went wrong in a file, before any row of it.

Counts by problem and by column, a bar chart of the problems, the warnings' counts, and a
legend of the codes that occur, with their descriptions from `CODES`. No row of it names
more than one customer field, so the reader never takes it for the customer sheet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pipeline.issues import Issue
from pipeline.names import text_of
from pipeline.result import FileResult
from pipeline.workbook import RED_TEXT, Looks, count, print_setup, safe_text
from schemas.codes import CODES
from schemas.fields import ERRORS_COLUMN, FIELDS, ROW_COLUMN, label

# Pixels: Excel's default row is 20 high; a bar needs about 26 to carry its label.
ROW_PIXELS, BAR_PIXELS, CHART_FRAME = 20, 26, 90
ROW_POINTS = 15  # a line of text
CHART_WIDTH = 720
WIDTHS = (34, 22, 90)  # code or column; count or field; description


def write_summary_sheet(workbook: Any, sheet: Any, looks: Looks, result: FileResult) -> None:
    """Write the Summary sheet of `result` into `sheet` (rows strictly top to bottom)."""
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    print_setup(sheet, pages_wide=1)
    row = _intro(sheet, looks, result)
    by_code = _by_code(result.errors)
    if by_code:
        sheet.write_string(row, 0, "Problems by kind", looks.subtitle)
        table_row = _chart(workbook, sheet, row + 1, by_code)
        row = _table(sheet, looks, table_row, ("Problem", "Problems", "Rows"), by_code)
        by_column = _by_column(result.errors)
        row = _table(sheet, looks, row, ("Column", "Field", "Problems"), by_column, "Problems by column")
    else:
        sheet.write_string(row, 0, "No rows were rejected.", looks.subtitle)
        row += 2
    warned = _by_code(result.warnings)
    if warned:
        headers = ("Warning", "Warnings", "Rows")
        row = _table(sheet, looks, row, headers, warned, "Warnings by kind (sheet Warnings)")
    codes = [code for code, *_ in by_code + warned]
    legend = [(code, CODES[code].severity, CODES[code].description) for code in codes if code in CODES]
    if legend:
        _table(sheet, looks, row, ("Code", "Kind", "What it means"), legend, "What the codes mean")


def _intro(sheet: Any, looks: Looks, result: FileResult) -> int:
    """The title, the counts and how to use the workbook; returns the next free row."""
    problems, warnings = len(result.errors), len(result.warnings)
    lines = [
        (f"Problems in {text_of(result.file.name)}", looks.title),
        (
            f"{count(result.rows, 'row')} read: {result.accepted:,} accepted, {result.rejected:,} "
            f"rejected with {count(problems, 'problem')}; {count(warnings, 'warning')} on "
            "accepted rows.",
            None,
        ),
        (
            "To fix: correct the red cells on the sheet 'Rejected rows' (each red cell's comment "
            "says what is wrong), save, and import this workbook again."
            if result.rejected
            else "Nothing to fix: every row was accepted.",
            None,
        ),
        (
            f"On import, this sheet, the Warnings sheet and the columns '{ROW_COLUMN}' (the row in "
            f"the file you imported) and '{ERRORS_COLUMN}' are ignored.",
            looks.note,
        ),
    ]
    for row, (text, look) in enumerate(lines):
        sheet.write_string(row, 0, safe_text(text), look)
    return len(lines) + 1


def _by_code(issues: Sequence[Issue]) -> list[tuple[str, int, int]]:
    """(code, problems, rows with it), the most frequent first."""
    counts = Counter(issue.code for issue in issues)
    rows = Counter(code for code, _row in {(issue.code, issue.row) for issue in issues})
    return [(code, count, rows[code]) for code, count in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]


def _by_column(issues: Sequence[Issue]) -> list[tuple[str, str, int]]:
    """(column as written, the field's portal label, problems), the most frequent first."""
    counts = Counter((issue.column, issue.field) for issue in issues)
    ordered = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    return [(column, label(f) if f in FIELDS else f, count) for (column, f), count in ordered]


def _table(
    sheet: Any,
    looks: Looks,
    row: int,
    headers: Sequence[str],
    lines: Sequence[Sequence[object]],
    title: str = "",
) -> int:
    """A small table (under `title`, when given) from `row`; returns the next free row."""
    if title:
        sheet.write_string(row, 0, title, looks.subtitle)
        row += 1
    for column, header in enumerate(headers):
        sheet.write_string(row, column, header, looks.header)
    for line in lines:
        row += 1
        last = safe_text(line[-1])
        if len(last) > WIDTHS[len(line) - 1]:
            # A wrapped last cell needs its row as tall as its lines: spreadsheet programs do
            # not grow a row for text they did not wrap themselves (it ran into the next row).
            sheet.set_row(row, ROW_POINTS * -(-len(last) // WIDTHS[len(line) - 1]))
        for column, value in enumerate(line):
            if isinstance(value, int):
                sheet.write_number(row, column, value, looks.count)
            else:
                text = safe_text(value)
                sheet.write_string(row, column, text, looks.text(text, wrap=column == len(line) - 1))
    return row + 2


def _chart(workbook: Any, sheet: Any, row: int, by_code: Sequence[tuple[str, int, int]]) -> int:
    """A bar chart of the problems by kind, placed at `row`; it reads the table that
    `write_summary_sheet` writes right below it. Returns that table's row.

    The series carry their data as well: in constant-memory mode XlsxWriter cannot read
    the cells back, and without a cache Excel would take the codes for numbers."""
    bars = len(by_code)
    height = CHART_FRAME + BAR_PIXELS * bars
    table_row = row + -(-height // ROW_PIXELS) + 1
    first, last = table_row + 1, table_row + bars
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "Problems",
            "categories": [sheet.name, first, 0, last, 0],
            "values": [sheet.name, first, 1, last, 1],
            "categories_data": [code for code, _count, _rows in by_code],
            "values_data": [count for _code, count, _rows in by_code],
            "fill": {"color": RED_TEXT},
            "border": {"none": True},
            "gap": 60,
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "Problems by kind", "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})  # the most frequent problem on top, as in the table
    chart.set_x_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_size({"width": CHART_WIDTH, "height": height})
    sheet.insert_chart(row, 0, chart, {"object_position": 3})
    return table_row
