"""Report stage: `summary.json`, `rejects.csv`, `warnings.csv` and `rejects.xlsx`.

No cell we write can start a formula. In XLSX every value of the file is a string cell,
marked with Excel's quote prefix when it looks like a formula (see `pipeline.workbook`), so
the text stays exactly as the user typed it and a fixed `rejects.xlsx` can be dropped
again as it is; only the row numbers and counts we add are numbers. CSVs meant for
people quote every field and escape formula starts reversibly (`escape_formulas`), so
they stay safe whichever delimiter a spreadsheet program splits them on.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.issues import Issue
from pipeline.names import plain_json
from pipeline.result import FileResult
from pipeline.summary_sheet import write_summary_sheet
from pipeline.workbook import FORMULA_START as FORMULA_START  # re-exported for review.py
from pipeline.workbook import Looks, TableSheet, new_workbook, save, shorten
from pipeline.workbook import safe_text as safe_text
from schemas.fields import ERRORS_COLUMN, REPORT_COLUMNS, ROW_COLUMN
from schemas.rules.text import visible

ISSUE_COLUMNS = ("row", "column", "field", "value", "code", "message")
EXCEL_COLUMNS = 16_384
ERRORS_WIDTH = 80  # characters; longer messages wrap
COMMENT = {"author": "onboard", "x_scale": 2.5, "y_scale": 1.5}


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


def write_issues_csv(path: Path, issues: Iterable[Issue]) -> None:
    """One line per problem: row, column, field, value, code, message."""
    lines = (
        [issue.row, *(visible(shorten(str(getattr(issue, c)))) for c in ISSUE_COLUMNS[1:])]
        for issue in issues
    )
    write_people_csv(path, ISSUE_COLUMNS, lines)


def write_rejects_xlsx(
    path: Path,
    result: FileResult,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_numbers: Sequence[int],
    mapped: Collection[int] = (),
) -> None:
    """The rejects workbook: a Summary sheet first, the rejected rows, then the warnings.

    The rejected rows keep the file's own columns and order, each row's number in the
    file in front and an `Errors` column behind; bad cells are red with the message as a
    comment. The reader skips the Summary (no header row) and ignores both added columns,
    so the fixed workbook can be dropped again as it is.
    """
    workbook = new_workbook(path)
    looks = Looks(workbook)
    summary = workbook.add_worksheet("Summary")  # the first tab, shown on opening
    _rejected_rows_sheet(workbook, looks, headers, rows, row_numbers, result.errors, mapped)
    _warnings_sheet(workbook, looks, result.warnings)
    write_summary_sheet(workbook, summary, looks, result)
    summary.activate()
    save(workbook, path)


def _rejected_rows_sheet(
    workbook: Any,
    looks: Looks,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_numbers: Sequence[int],
    issues: Sequence[Issue],
    mapped: Collection[int],
) -> None:
    by_row: dict[int, list[Issue]] = {}
    for issue in issues:
        by_row.setdefault(issue.row, []).append(issue)
    keep = _kept_columns(headers, mapped)
    position_of = {header: i for i, header in reversed(list(enumerate(headers)))}
    # Where a problem's column is in the workbook: behind the row number, if it was kept.
    out_column = {position: i for i, position in enumerate(keep, start=1)}
    placed = {header: out_column[p] for header, p in position_of.items() if p in out_column}
    out_headers = [ROW_COLUMN, *(headers[i] for i in keep), ERRORS_COLUMN]
    table = TableSheet(
        workbook, looks, "Rejected rows", out_headers, freeze_columns=1, wrapped={len(keep) + 1: ERRORS_WIDTH}
    )
    source = dict(zip(row_numbers, rows, strict=True))
    for number in sorted(by_row):
        cells = source.get(number, [""] * len(headers))
        problems = by_row[number]
        messages: dict[int, list[str]] = {}
        for issue in problems:
            if issue.column in placed:
                messages.setdefault(placed[issue.column], []).append(issue.message)
        errors = "\n".join(_located(issue) for issue in problems)
        at = table.append([number, *(cells[i] for i in keep), errors], bad=messages)
        for column, texts in messages.items():
            table.sheet.write_comment(at, column, safe_text("\n".join(texts)), COMMENT)
    if not by_row:  # the bare header would print across several empty pages
        table.sheet.fit_to_pages(1, 0)
    table.finish()


def _located(issue: Issue) -> str:
    """The message, after its column's header unless it already starts with it."""
    return issue.message if issue.message.startswith(issue.column) else f"{issue.column}: {issue.message}"


def _kept_columns(headers: Sequence[str], mapped: Collection[int]) -> list[int]:
    """The positions of the file's columns to show: all but the ones we add ourselves, and
    of a sheet wider than Excel's 16,384 columns the mapped ones and as many others as fit."""
    keep = [i for i, header in enumerate(headers) if header not in REPORT_COLUMNS]
    room = EXCEL_COLUMNS - len(REPORT_COLUMNS)
    if len(keep) > room:
        wanted = set(mapped)
        wanted |= set([i for i in keep if i not in wanted][: room - len(wanted)])
        keep = [i for i in keep if i in wanted]
    return keep


def _warnings_sheet(workbook: Any, looks: Looks, warnings: Sequence[Issue]) -> None:
    """The accepted rows' warnings, as warnings.csv lists them."""
    headers = [name.capitalize() for name in ISSUE_COLUMNS]
    table = TableSheet(workbook, looks, "Warnings", headers, wrapped={len(headers) - 1: ERRORS_WIDTH})
    for issue in warnings:
        table.append([issue.row, issue.column, issue.field, shorten(issue.value), issue.code, issue.message])
    table.sheet.fit_to_pages(1, 0)  # six columns: one page wide on paper
    if not warnings:  # an empty table reads like a failure to write one
        table.sheet.write_string(1, 0, "No warnings: no accepted row needed a second look.", looks.note)
    table.finish()


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
    if validated and not result.skip_reason:
        write_issues_csv(folder / "rejects.csv", result.errors)
        write_issues_csv(folder / "warnings.csv", result.warnings)
        write_rejects_xlsx(folder / "rejects.xlsx", result, headers, rows, row_numbers, mapped)
    write_summary(folder / "summary.json", result.summary())


def write_customers(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]], *, for_spreadsheet: bool = False
) -> int:
    """Customers as CSV, XLSX or JSON in `columns`, the format chosen by the file's
    extension; how many were written.

    CSV and JSON are for programs and carry every value exactly as stored (JSON keeps
    numbers and NULLs as such); `for_spreadsheet` writes the CSV for people instead
    (every field quoted, formula starts escaped). XLSX is always safe to open. The rows
    are written as they come (a million never sit in memory at once) to a temporary file
    beside `path`, renamed to `path` only when complete: a failed export leaves no half
    file behind, nor destroys the previous one.
    """
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        raise ValueError(f"{path}: use .csv, .xlsx or .json")
    path.parent.mkdir(parents=True, exist_ok=True)
    counted = _Counted(rows)
    # A name of its own (two exports to one file never share it), owner-only as all we write.
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".part{suffix}")
    os.close(descriptor)
    partial = Path(name)
    try:
        if suffix == ".json":
            _customers_json(partial, columns, counted)
        elif suffix == ".csv" and for_spreadsheet:
            write_people_csv(partial, columns, ([_plain(r.get(c)) for c in columns] for r in counted))
        elif suffix == ".csv":
            with partial.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows([_plain(r.get(c)) for c in columns] for r in counted)
        else:
            _customers_workbook(partial, columns, counted)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counted.count


class _Counted:
    """The rows, counted as they pass."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            self.count += 1
            yield row


def _customers_json(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """A JSON array of objects, written one object at a time, laid out as
    `json.dumps(records, indent=2)` lays it out."""
    with path.open("w", encoding="utf-8") as handle:
        separator = "[\n"
        for row in rows:
            text = json.dumps({c: _json_value(row.get(c)) for c in columns}, indent=2, ensure_ascii=False)
            handle.write(separator + "  " + text.replace("\n", "\n  "))
            separator = ",\n"
        handle.write("[]\n" if separator == "[\n" else "\n]\n")


def _customers_workbook(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    """Customers as one streamed worksheet: memory stays flat however many there are."""
    workbook = new_workbook(path)
    table = TableSheet(workbook, Looks(workbook), "Customers", columns)
    for record in rows:
        table.append([_plain(record.get(name)) for name in columns])
    table.finish()
    save(workbook, path)


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
