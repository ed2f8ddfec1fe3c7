"""Report stage: `summary.json`, `rejects.csv`, `warnings.csv` and `rejects.xlsx`.

No cell we write can start a formula: CSV values beginning with = + - @ tab or CR get a
leading apostrophe; XLSX values are always string cells marked with Excel's quote
prefix, so the text stays exactly as the user typed it and a fixed `rejects.xlsx` can be
dropped again as it is.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.issues import Issue
from pipeline.normalize import visible
from pipeline.result import FileResult, escape_surrogates, summary_json
from schemas.synonyms import ERRORS_COLUMN

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


def neutralize(value: str) -> str:
    """Text a spreadsheet program will not read as a formula (CSV)."""
    return "'" + value if value.startswith(FORMULA_START) else value


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
    # A lone surrogate cannot be UTF-8: backslashreplace writes it as a visible \\udcxx.
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.writer(handle)
        writer.writerow(ISSUE_COLUMNS)
        for issue in issues:
            cells = (neutralize(visible(shorten(str(getattr(issue, c))))) for c in ISSUE_COLUMNS[1:])
            writer.writerow([issue.row, *cells])


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
    path.write_text(summary_json(summary, indent=2) + "\n", encoding="utf-8")


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


def write_customers(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """Customers as CSV, XLSX or JSON, chosen by the file's extension."""
    from pipeline.store import customers as table

    columns = [c.name for c in table.columns]
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        records = [{c: _plain(r.get(c)) for c in columns} for r in rows]
        path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([neutralize(_plain(r.get(c))) for c in columns])
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


def _plain(value: object) -> str:
    """A stored value as text: times in ISO 8601, NULL as empty."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
