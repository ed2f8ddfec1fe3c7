"""How the workbooks we write look, and why none of their cells can become a formula.

Every workbook (rejects, export, sample) is written with XlsxWriter in constant-memory
mode: each row goes to disk as it is written, so an export of a million customers needs
no more memory than one of ten. Headers are bold on a tinted band and frozen; column
widths are fitted to the longest value written (capped), which costs one `len` per cell.

Text is always a string cell; text that starts like a formula carries Excel's quote
prefix, so it stays text even when someone edits it, and its value is unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.result import escape_surrogates
from schemas.rules.text import visible

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses longer cells; a 1 MB cell in a report helps no one.
MAX_CELL = 32_767
MAX_REPORT_VALUE = 1_000
# Column widths in characters: room for a short header, no wider than a readable line.
MIN_WIDTH, MAX_WIDTH = 8, 50
# Points per line of text (Calibri 11), and the most lines a row is made tall for.
LINE_HEIGHT, MAX_LINES = 15, 20
# A width unit is one digit wide; a line of prose fits about this many characters per unit.
CHARACTERS_PER_WIDTH = 1.2

HEADER_FILL = "#DDEBF7"
HEADER_LINE = "#8EA9DB"
RED_FILL, RED_TEXT = "#FFC7CE", "#9C0006"
GREY_TEXT = "#595959"


def shorten(value: str, limit: int = MAX_REPORT_VALUE) -> str:
    """The value, cut to `limit` characters with a note of how long it was."""
    if len(value) <= limit:
        return value
    return value[: limit - 40] + f"… ({len(value):,} characters in all)"


def safe_text(value: object) -> str:
    """The text of `value` as a worksheet can hold it: within Excel's cell limit,
    undecodable bytes and lone surrogates as escapes, and control characters (which a
    worksheet cannot store) shown as U+FFFD."""
    text = escape_surrogates(visible(shorten("" if value is None else str(value), MAX_CELL)))
    if text.isprintable():  # no control character: most cells, and a quicker test
        return text
    # openpyxl's list of what a worksheet cannot hold; imported here, as it is rarely
    # needed and loading openpyxl costs a tenth of a second of every run.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    shown: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return shown


def new_workbook(path: Path) -> Any:
    """A streaming XlsxWriter workbook that writes strings as strings, never as formulas,
    numbers or links."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def save(workbook: Any, path: Path) -> None:
    """Close the workbook; a failure to write it is an `OSError` like any other."""
    from xlsxwriter.exceptions import XlsxWriterException

    try:
        workbook.close()
    except XlsxWriterException as exc:
        raise OSError(f"cannot write {path}: {exc}") from None


def count(number: int, noun: str) -> str:
    """`number`, thousands grouped as a report's reader expects, and `noun`, in the plural
    unless one: "1 row", "1,500 rows"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def print_setup(sheet: Any, pages_wide: int = 0) -> None:
    """Landscape A4 with narrow margins; `pages_wide` > 0 shrinks the sheet to that many
    pages across."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.print_across()  # a wide table's next columns come before its next rows
    if pages_wide:
        sheet.fit_to_pages(pages_wide, 0)


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Looks:
    """The cell formats of one workbook, made once (a format per cell would bloat it)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._made: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.header = self.text("", header=True)
        self.title = self.look(bold=True, font_size=14)
        self.subtitle = self.look(bold=True, font_size=12)
        self.note = self.look(font_color=GREY_TEXT, italic=True)
        self.number = self.look(font_color=GREY_TEXT, align="left")
        self.count = self.look(align="left")
        # Text format ("@"): what a person types into a cell stays as typed (`00123`, `1-31`,
        # a long number), so a fixed workbook dropped again holds what was meant.
        self.typed_text = self.look(num_format="@")

    def look(self, **properties: Any) -> Any:
        """The format with these properties, made once per workbook."""
        key = tuple(sorted(properties.items()))
        if key not in self._made:
            self._made[key] = self._workbook.add_format(properties)
        return self._made[key]

    def text(
        self, text: str, *, header: bool = False, bad: bool = False, wrap: bool = False, top: bool = False
    ) -> Any:
        """The format of a text cell: Text ("@", see `typed_text`), the header's, red when
        `bad`, wrapped when `wrap`, at the top of a tall row when `top`, and quote-prefixed
        when it looks like a formula."""
        properties: dict[str, Any] = {"valign": "top"} if top else {}
        if header:
            properties |= {"bold": True, "bg_color": HEADER_FILL, "bottom": 1, "bottom_color": HEADER_LINE}
        else:
            properties["num_format"] = "@"
        if bad:
            properties |= {"bg_color": RED_FILL, "font_color": RED_TEXT}
        if wrap:
            properties |= {"text_wrap": True, "valign": "top"}
        if text.startswith(FORMULA_START):
            properties["quote_prefix"] = True
        return self.look(**properties) if properties else None


class TableSheet:
    """One worksheet written as a table, a row at a time: a styled, frozen header, then rows.

    Widths are fitted to the longest text of each column when the table is finished;
    `wrapped` columns (position → width) wrap their text at that width instead.
    """

    def __init__(
        self,
        workbook: Any,
        looks: Looks,
        name: str,
        headers: Sequence[str],
        freeze_columns: int = 0,
        wrapped: Mapping[int, int] | None = None,
    ) -> None:
        self.sheet = workbook.add_worksheet(name)
        self.looks = looks
        self.widths = [0] * len(headers)
        self.wrapped = dict(wrapped or {})
        self.row = 0
        self.sheet.freeze_panes(1, freeze_columns)
        print_setup(self.sheet)
        self.sheet.repeat_rows(0)  # every printed page carries the header (and the frozen columns)
        if freeze_columns:
            self.sheet.repeat_columns(0, freeze_columns - 1)
        self.append(headers, header=True)

    def append(self, values: Sequence[object], bad: Collection[int] = (), header: bool = False) -> int:
        """Write one row: text as string cells, whole numbers as number cells. Returns its index."""
        sheet, looks, widths, row = self.sheet, self.looks, self.widths, self.row
        texts = [value if _is_number(value) else safe_text(value) for value in values]
        # Cells sit at the top of rows that wrapped text makes tall.
        top = self._fit_height(texts)
        number = looks.look(font_color=GREY_TEXT, align="left", valign="top") if top else looks.number
        for column, value in enumerate(texts):
            if not isinstance(value, str):
                sheet.write_number(row, column, value, looks.header if header else number)
                widths[column] = max(widths[column], len(str(value)))
                continue
            if not value and column not in bad and not header:
                continue  # an empty plain cell needs no element at all
            wrap = column in self.wrapped and not header
            look = looks.text(value, header=header, bad=column in bad, wrap=wrap, top=top)
            sheet.write_string(row, column, value, look)
            if len(value) > widths[column]:
                widths[column] = max(widths[column], *(len(line) for line in value.splitlines()))
        self.row += 1
        return row

    def _fit_height(self, texts: Sequence[object]) -> bool:
        """Make the row tall enough for its wrapped text (LibreOffice keeps the stored height,
        one line, of a row it opens, whatever the text needs); True when it is taller."""
        lines = 1
        for column, width in self.wrapped.items():
            text = texts[column] if column < len(texts) else ""
            if isinstance(text, str) and text:
                per_line = int(width * CHARACTERS_PER_WIDTH)
                lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in text.split("\n")))
        if lines > 1:
            self.sheet.set_row(self.row, LINE_HEIGHT * min(lines, MAX_LINES))
        return lines > 1

    def finish(self, autofilter: bool = True) -> None:
        """Fit each column's width to its longest text, and put filter buttons on the header."""
        for column, longest in enumerate(self.widths):
            width = min(max(longest + 2, MIN_WIDTH), self.wrapped.get(column, MAX_WIDTH))
            self.sheet.set_column(column, column, width, self.looks.typed_text)
        if autofilter and self.widths:
            self.sheet.autofilter(0, 0, max(self.row - 1, 0), len(self.widths) - 1)
