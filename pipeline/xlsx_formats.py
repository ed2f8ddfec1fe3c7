"""The text Excel shows for a number cell whose format pads it with zeros.

Excel keeps a postcode, an ERP ID or a KvK number typed as `01067` as the number 1067
unless the cell is text; a sheet that wants the zeros back formats the column `00000`
(Excel's own "Zip Code" format, and "Zip Code + 4", `00000-0000`). The cell then shows
`01067`, and that is what the user sees and means, but calamine returns the number 1067.
Such cells are found from the workbook's styles and the sheet's XML and given the text
Excel shows: `00123` stays `00123`. Only formats of zero placeholders and literal marks
(`-`, space, brackets, quoted text) are applied; decimals, fractions, conditions and
colours are other formats, and their cells keep the number as calamine reads it.

Cells merged down a column (`D2:D5`, one country for a group of customers) show the first
cell's value on every row, and calamine gives it to the first row alone: every row of
the merged cells that holds other values gets it, as the user sees it (a row blank but
for the merge is a cell made taller, and stays blank). Merges across columns are left as read (a
header merged over two columns would otherwise name one field twice).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence

from pipeline.xlsx_scan import cell_position, part_elements, related_part, sheet_pieces

# A format's first section: zeros, quoted text, escaped characters, - space ( ).
_PADDING = re.compile(r'(?:0|"[^"]*"|\\.|[-\s()])+')
_ATTRIBUTE = re.compile(rb'\s(r|s|t)="([^"]*)"')

Padded = dict[int, dict[int, str]]  # row → column → the format, zero-based positions
Shown = dict[int, dict[int, str]]  # row → column → the text Excel shows, zero-based
Merge = tuple[tuple[int, int], tuple[int, int]]  # calamine's (first row, column), (last row, column)


def padded_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    """The cell styles (indexes into `cellXfs`) whose number format pads with zeros, and
    that format; empty when the workbook has none (most have none)."""
    styles = related_part(archive, "styles")
    if styles is None:
        return {}
    formats: dict[str, str] = {}
    padded: dict[int, str] = {}
    section, index = "", 0
    for name, attrs in part_elements(archive, styles):
        if name in ("numFmts", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"):
            section = name
        elif name == "numFmt" and section == "numFmts":
            code = _first_section(attrs.get("formatCode", ""))
            if _PADDING.fullmatch(code) and code.count("0") >= 2:
                formats[attrs.get("numFmtId", "")] = code
        elif name == "xf" and section == "cellXfs":
            if attrs.get("numFmtId", "") in formats:
                padded[index] = formats[attrs["numFmtId"]]
            index += 1
    return padded


def shown_cells(
    archive: zipfile.ZipFile,
    member: str,
    styles: Mapping[int, str],
    raw: Sequence[Sequence[object]],
    merges: Sequence[Merge],
    text_of: Callable[[object], str],
) -> Shown:
    """The cells of `raw` (the sheet in `member` as calamine reads it, with its merged
    ranges `merges`) that Excel shows otherwise: numbers in a zero-padded style, and
    cells merged into the one above, in rows holding other values."""
    found: Shown = {}
    for row, column, pattern in _styled_cells(archive, member, styles) if styles else ():
        text = shown(raw[row][column], pattern) if row < len(raw) and column < len(raw[row]) else None
        if text is not None:
            found.setdefault(row, {})[column] = text
    for (first, column), (last, last_column) in merges:
        if column != last_column or first >= len(raw) or column >= len(raw[first]):
            continue
        top = found.get(first, {}).get(column, text_of(raw[first][column]))
        for row in range(first + 1, min(last, len(raw) - 1) + 1):
            # A row blank but for the merge is layout (a cell made taller), not a customer.
            if column < len(raw[row]) and text_of(raw[row][column]) == "" and _other_value(raw[row], column):
                found.setdefault(row, {})[column] = top
    return found


def _other_value(row: Sequence[object], column: int) -> bool:
    """Whether the row holds a value in another column than `column`."""
    return any(value not in (None, "") for index, value in enumerate(row) if index != column)


def _styled_cells(
    archive: zipfile.ZipFile, member: str, styles: Mapping[int, str]
) -> Iterator[tuple[int, int, str]]:
    """(row, column, format) of each number cell in `styles`, zero-based: a byte scan of
    the sheet's XML, a megabyte at a time, of the start tags of cells in those styles
    alone (a sheet holds millions); a cell without a plain `r` keeps calamine's number."""
    tags = re.compile(rb'<c\s[^>]*?\bs="(?:' + "|".join(map(str, styles)).encode() + rb')"[^>]*>')
    for found in _matches(archive, member, tags):
        attrs = {key.decode(): value.decode() for key, value in _ATTRIBUTE.findall(found[0])}
        style, position = attrs.get("s", ""), cell_position(attrs.get("r", ""))
        if style.isdigit() and int(style) in styles and attrs.get("t", "n") == "n" and position:
            yield position[0], position[1], styles[int(style)]


def shown(value: object, pattern: str) -> str | None:
    """`value` (a whole, non-negative number) as `pattern` shows it, or None for any other
    value: digits fill the zeros from the right, more digits than zeros go in front."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**15:
        return None
    tokens = re.findall(r'"[^"]*"|\\.|.', pattern)
    digits = str(value).zfill(tokens.count("0"))
    spare = len(digits) - tokens.count("0")
    out, taken = [], 0
    for token in tokens:
        if token == "0":
            width = spare + 1 if taken == 0 else 1
            out.append(digits[taken : taken + width])
            taken += width
        else:
            out.append(token[1:-1] if token.startswith('"') else token[-1])
    return "".join(out)


def _first_section(code: str) -> str:
    """A format code's section for positive numbers (before its first unquoted `;`)."""
    return re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', code, maxsplit=1)[0]


def _matches(archive: zipfile.ZipFile, member: str, tags: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
    """Every match of `tags` in the sheet's XML, read a piece at a time."""
    for piece in sheet_pieces(archive, member):
        yield from tags.finditer(piece)
