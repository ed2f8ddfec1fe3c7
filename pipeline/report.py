"""Report stage: `summary.json`, `rejects.csv`, `warnings.csv` and `rejects.xlsx`.

No cell we write can start a formula. XLSX values are always string cells, marked with
Excel's quote prefix when they look like a formula, so the text stays exactly as the
user typed it and a fixed `rejects.xlsx` can be dropped again as it is. CSVs meant for
people quote every field and escape formula starts reversibly (`escape_formulas`), so
they stay safe whichever delimiter a spreadsheet program splits them on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.issues import Issue
from pipeline.names import plain_json
from pipeline.result import FileResult, escape_surrogates
from schemas.fields import ERRORS_COLUMN
from schemas.rules.text import visible

ISSUE_COLUMNS = ("row", "column", "field", "value", "code", "message")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RED = PatternFill(start_color="FFFFC7CE", end_color="FFFFC7CE", fill_type="solid")
RED_FONT = Font(color="FF9C0006")
BOLD = Font(bold=True)


# Excel refuses longer cells; a 1 MB cell in a report helps no one.
MAX_CELL = 32_767
EXCEL_COLUMNS = 16_384
MAX_REPORT_VALUE = 1_000


def shorten(value: str, limit: int = MAX_REPORT_VALUE) -> str:
    """The value, cut to `limit` characters with a note of how long it was."""
    if len(value) <= limit:
        return value
    return value[: limit - 40] + f"… ({len(value):,} characters in all)"


# A spreadsheet program may split a CSV line on any of these (a Dutch Excel splits on ";"),
# and on a line break when quotes confuse it, whatever delimiter the file was written with.
CSV_SEPARATORS = ",;\t\r\n"
# What gets an apostrophe at the start of a segment: formula starts, the apostrophe itself
# (so that the escape can be undone) and a quote (a program may drop it and read on).
ESCAPED_STARTS = "=+-@\t\r'\""
_SEGMENT_START = f"(?:^|(?<=[{re.escape(CSV_SEPARATORS)}]))( *)"
_ESCAPE = re.compile(f"{_SEGMENT_START}(?=[{re.escape(ESCAPED_STARTS)}])")
_UNESCAPE = re.compile(f"{_SEGMENT_START}'(?=[{re.escape(ESCAPED_STARTS)}])")


def escape_formulas(value: str) -> str:
    """`value` for a CSV a person opens: an apostrophe before every segment start (the
    value's start, or after a separator, past any spaces) that could begin a formula.

    `unescape_formulas` undoes it exactly: `Acme;=HYPERLINK(…)` → `Acme;'=HYPERLINK(…)`.
    """
    return _ESCAPE.sub(r"\1'", value)


def unescape_formulas(value: str) -> str:
    """The value `escape_formulas` was given: one apostrophe less at each segment start."""
    return _UNESCAPE.sub(r"\1", value)


def write_people_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A CSV for people: every field quoted and escaped (see `escape_formulas`).

    A lone surrogate (from a file that was not valid UTF-16) cannot be UTF-8: it is
    written as a visible \\udcxx."""
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow([escape_formulas(str(name)) for name in header])
        writer.writerows([escape_formulas(str(cell)) for cell in row] for row in rows)


def safe_text(value: object) -> str:
    """The text of `value` as a worksheet can hold it: within Excel's cell limit,
    undecodable bytes and lone surrogates as escapes, and control characters (which a
    worksheet cannot store) shown as U+FFFD."""
    text = escape_surrogates(visible(shorten("" if value is None else str(value), MAX_CELL)))
    shown: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return shown


def set_text(cell: Cell, value: object) -> None:
    """Write `value` as a string cell that can never be a formula (XLSX)."""
    text = safe_text(value)
    cell.value = text
    if text:
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True


def write_issues_csv(path: Path, issues: Iterable[Issue]) -> None:
    """One line per problem: row, column, field, value, code, message."""
    lines = (
        [issue.row, *(visible(shorten(str(getattr(issue, c)))) for c in ISSUE_COLUMNS[1:])]
        for issue in issues
    )
    write_people_csv(path, ISSUE_COLUMNS, lines)


def write_rejects_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_numbers: Sequence[int],
    issues: Sequence[Issue],
    mapped: Collection[int] = (),
) -> None:
    """The rejected rows in the file's own columns, bad cells red with the message.

    An `Errors` column lists every problem of the row; the pipeline ignores it, so the
    fixed workbook can be dropped again as it is.
    """
    by_row: dict[int, list[Issue]] = {}
    for issue in issues:
        by_row.setdefault(issue.row, []).append(issue)
    position_of = {header: i for i, header in reversed(list(enumerate(headers)))}
    keep = [i for i, h in enumerate(headers) if h != ERRORS_COLUMN]
    if len(keep) >= EXCEL_COLUMNS:
        # A worksheet holds 16,384 columns: keep the mapped ones and as many others as fit.
        wanted = set(mapped) | set(keep[: EXCEL_COLUMNS - 1 - len(set(mapped))])
        keep = [i for i in keep if i in wanted]
    source = dict(zip(row_numbers, rows, strict=True))
    # Write-only: rows stream to the file, several times faster than the in-memory model.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rejected rows")
    out_headers = [headers[i] for i in keep] + [ERRORS_COLUMN]
    sheet.freeze_panes = "A2"
    for column, header in enumerate(out_headers, start=1):
        width = 60 if header == ERRORS_COLUMN else min(max(len(header) + 2, 12), 40)
        sheet.column_dimensions[get_column_letter(column)].width = width
    header_cells = []
    for header in out_headers:
        cell = WriteOnlyCell(sheet)
        set_text(cell, header)
        cell.font = BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    out_column = {position: i for i, position in enumerate(keep)}
    for number in sorted(by_row):
        cells = source.get(number, [""] * len(headers))
        out_cells = []
        for position in keep:
            cell = WriteOnlyCell(sheet)
            set_text(cell, cells[position])
            out_cells.append(cell)
        problems = by_row[number]
        for issue in problems:
            found = position_of.get(issue.column)
            if found is None or found not in out_column:
                continue
            cell = out_cells[out_column[found]]
            cell.fill = RED
            cell.font = RED_FONT
            previous = cell.comment.text + "\n" if cell.comment else ""
            cell.comment = Comment(safe_text(previous + issue.message), "onboard")
        errors = WriteOnlyCell(sheet)
        set_text(errors, "; ".join(f"{i.column}: {i.message}" for i in problems))
        sheet.append([*out_cells, errors])
    workbook.save(path)


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """`summary.json`: the same object `--json` prints."""
    path.write_text(json.dumps(plain_json(summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_reports(
    result: FileResult,
    headers: Sequence[str] = (),
    rows: Sequence[Sequence[str]] = (),
    row_numbers: Sequence[int] = (),
    mapped: Collection[int] = (),
) -> None:
    """Write every report of one file into `result.report_dir`."""
    assert result.report_dir is not None
    folder = result.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    validated = result.error is None or bool(result.errors)
    if validated and not result.skipped:
        write_issues_csv(folder / "rejects.csv", result.errors)
        write_issues_csv(folder / "warnings.csv", result.warnings)
        write_rejects_xlsx(folder / "rejects.xlsx", headers, rows, row_numbers, result.errors, mapped)
    write_summary(folder / "summary.json", result.summary())


def write_customers(path: Path, rows: Sequence[dict[str, Any]], *, for_spreadsheet: bool = False) -> None:
    """Customers as CSV, XLSX or JSON, chosen by the file's extension.

    CSV and JSON are for programs and carry every value exactly as stored (JSON keeps
    numbers and NULLs as such); `for_spreadsheet` writes the CSV for people instead
    (every field quoted, formula starts escaped). XLSX is always safe to open.
    """
    from pipeline.store import customers as table

    columns = [c.name for c in table.columns]
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        records = [{c: _json_value(r.get(c)) for c in columns} for r in rows]
        path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    elif suffix == ".csv" and for_spreadsheet:
        write_people_csv(path, columns, ([_plain(r.get(c)) for c in columns] for r in rows))
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([_plain(r.get(c)) for c in columns] for r in rows)
    elif suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "Customers"
        for column, name in enumerate(columns, start=1):
            set_text(sheet.cell(row=1, column=column), name)
            sheet.cell(row=1, column=column).font = BOLD
        for row_number, r in enumerate(rows, start=2):
            for column, name in enumerate(columns, start=1):
                set_text(sheet.cell(row=row_number, column=column), _plain(r.get(name)))
        sheet.freeze_panes = "A2"
        workbook.save(path)
    else:
        raise ValueError(f"{path}: use .csv, .xlsx or .json")


def _json_value(value: object) -> object:
    """A stored value as JSON holds it: text, numbers and NULL as they are, times in ISO 8601."""
    if value is None or isinstance(value, str | int | float):
        return value
    return _plain(value)


def _plain(value: object) -> str:
    """A stored value as text: times in ISO 8601, NULL as empty."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
