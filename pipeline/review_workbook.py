"""The review file's columns and its workbook: grey read-only columns, a yellow
decision drop-down, and a sheet of instructions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.report import FORMULA_START, safe_text
from pipeline.workbook import count, print_setup
from schemas.fields import FIELDS

KEY_COLUMNS = ("erp_id", "decision", "reason")
# The import's warnings about the customer (look-alikes, a foreign phone, a register
# number without its court): why a reviewer should look twice. Beside the decision.
WARNINGS = "warnings"
WARNINGS_WIDTH = 60  # characters
INSTRUCTIONS_WIDTH = 100  # characters: one column that fits a landscape A4 page
TRAILING_COLUMNS = ("status", "batch_id", "fingerprint")
REVIEW_COLUMNS = (*KEY_COLUMNS, WARNINGS, *(f for f in FIELDS if f != "erp_id"), *TRAILING_COLUMNS)
READ_ONLY = frozenset({"erp_id", WARNINGS, "status", "batch_id", "fingerprint"})

GREY_RGB, YELLOW_RGB = "#E7E6E6", "#FFF2CC"


def review_header(name: str) -> str:
    """A review column's header: a customer field's portal label (as the reviewer knows it
    from the portal), else the column's name. `review apply` reads either back."""
    return FIELDS[name].label if name in FIELDS else name


def write_review_workbook(out: Path, lines: list[dict[str, Any]], batch_id: str | None) -> None:
    """The review workbook, written with XlsxWriter: openpyxl spends 15 µs a cell, and a
    review of 100,000 customers has 2.4 million of them."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    workbook = xlsxwriter.Workbook(str(out), options | {"strings_to_urls": False})
    # A cell's look: grey when read-only; quote-prefixed when its text looks like a formula.
    formats = {
        (fill, quoted): _look(workbook, fill, quote_prefix=quoted, valign="top", num_format="@")
        for fill in (None, GREY_RGB)
        for quoted in (0, 1)
    }
    # Warnings wrap (one a line) and stand out: dark orange text on the grey.
    formats[WARNINGS, 0] = _look(
        workbook, GREY_RGB, text_wrap=True, font_color="#9C5700", valign="top", num_format="@"
    )
    sheet = workbook.add_worksheet("Review")
    _write_header(workbook, sheet, lines)
    _write_lines(sheet, lines, formats)
    _add_decision_list(sheet, len(lines))
    _write_instructions(workbook, _instructions(len(lines), batch_id))
    try:
        workbook.close()
    except XlsxWriterException as exc:
        raise OSError(f"cannot write {out}: {exc}") from None


def _look(workbook: Any, fill: str | None, **properties: Any) -> Any:
    """A cell format: `properties`, on a background of `fill` when given."""
    return workbook.add_format(properties | ({"bg_color": fill} if fill else {}))


def _write_header(workbook: Any, sheet: Any, lines: list[dict[str, Any]]) -> None:
    """Column names, widths fitted to the first lines, read-only columns marked."""
    typed_text = _look(workbook, None, num_format="@")
    for column, name in enumerate(REVIEW_COLUMNS):
        header = review_header(name)
        longest = max([len(header), *(len(str(line.get(name, ""))) for line in lines[:200])])
        width = WARNINGS_WIDTH if name == WARNINGS else min(max(longest + 2, 10), 45)
        # Text format: a reason typed as 3/4 or 1-2 stays as typed, not a date.
        sheet.set_column(column, column, width, typed_text)
        fill = GREY_RGB if name in READ_ONLY else YELLOW_RGB if name in ("decision", "reason") else None
        sheet.write_string(0, column, header, _look(workbook, fill, bold=True))
        if name in READ_ONLY:
            sheet.write_comment(0, column, "Read-only: do not change this column.", {"author": "onboard"})


def _write_lines(sheet: Any, lines: list[dict[str, Any]], formats: dict[tuple[str | None, int], Any]) -> None:
    """One row per customer, every cell a text cell; a row with warnings as tall as
    they wrap (spreadsheet programs do not grow a row for wrapped text they did not wrap)."""
    for row, line in enumerate(lines, start=1):
        if warnings := str(line.get(WARNINGS) or ""):
            wrapped = sum(-(-len(message) // WARNINGS_WIDTH) for message in warnings.splitlines())
            sheet.set_row(row, min(15 * wrapped, 409))  # 409 points: the most a row may be
        for column, name in enumerate(REVIEW_COLUMNS):
            text = safe_text(line.get(name, ""))
            fill = GREY_RGB if name in READ_ONLY else None
            look = (
                formats["warnings", 0]
                if name == WARNINGS
                else formats[fill, int(text.startswith(FORMULA_START))]
            )
            if text or fill:  # an empty plain cell needs no element at all
                sheet.write_string(row, column, text, look)


def _add_decision_list(sheet: Any, customers: int) -> None:
    """The decision drop-down (also below the last line, for lines added by hand), the
    frozen key columns and the filter."""
    last = max(customers + 1, 2)
    sheet.data_validation(
        1,
        1,
        max(last, 1000) - 1,
        1,
        {
            "validate": "list",
            "source": ["approve", "reject"],
            "ignore_blank": True,
            "error_title": "Decision",
            "error_message": "Choose approve or reject, or leave the cell empty.",
        },
    )
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, last - 1, len(REVIEW_COLUMNS) - 1)
    # Printed, every page repeats the header row and the ERP ID.
    print_setup(sheet)
    sheet.repeat_rows(0)
    sheet.repeat_columns(0, 0)
    sheet.hide_gridlines(0)


def _write_instructions(workbook: Any, text: list[str]) -> None:
    """One line of the instructions a row, wrapped inside one column that fits a printed
    page (a line running on into the next columns printed as slivers on further pages)."""
    guide = workbook.add_worksheet("Instructions")
    guide.set_column(0, 0, INSTRUCTIONS_WIDTH)
    print_setup(guide, pages_wide=1)
    title = _look(workbook, None, bold=True, font_size=14)
    wrapped = _look(workbook, None, text_wrap=True, valign="top")
    for row, line_text in enumerate(text):
        if row and line_text:
            # Rows do not grow for text they did not wrap themselves (as in _write_lines).
            guide.set_row(row, 15 * -(-len(line_text) // INSTRUCTIONS_WIDTH))
        if line_text:
            guide.write_string(row, 0, safe_text(line_text), wrapped if row else title)


def _instructions(customers: int, batch_id: str | None) -> list[str]:
    return [
        "How to review these customers",
        "",
        "1. For each customer, choose a decision in the yellow 'decision' column: approve or reject.",
        "2. A reject needs a 'reason' (the customer's contact may see it). Leave the decision "
        "empty to decide later.",
        "3. Do not change the grey columns (ERP ID, warnings, status, batch_id, fingerprint): the "
        "fingerprint proves which version of the customer you reviewed.",
        "   The 'warnings' column says why to look twice: a customer stored under another ERP ID "
        "that looks the same (same VAT or registration number, a near name at the same postcode), "
        "a phone number of another country, a register number without its court, a row the "
        "imported sheet hid (by hand or with a filter).",
        "4. You may sort, filter, delete rows or add columns of your own; they are ignored.",
        "5. Save the file and apply it: onboard review apply FILE --reviewer YOUR-NAME",
        "   (or drop it into the reviews/ folder of the drop folder for the next sweep).",
        "",
        "A customer changed by an import after this file was written is refused as stale: export a "
        "new review file for it.",
        f"Exported {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {count(customers, 'pending customer')}"
        + (f" of batch {batch_id}." if batch_id else "."),
    ]
