"""The text Excel shows for a number cell whose format pads it with zeros.

Excel keeps a postcode, an ERP ID or a KvK number typed as `01067` as the number 1067
unless the cell is text; a sheet that wants the zeros back formats the column `00000`
(Excel's own "Zip Code" format, and "Zip Code + 4", `00000-0000`). The cell then shows
`01067`, and that is what the user sees and means, but calamine returns the number 1067.
Such cells are found from the workbook's styles and the sheet's XML and given the text
Excel shows: `00123` stays `00123`. Only formats of zero placeholders and literal marks
(`-`, space, brackets, quoted text) are applied; decimals, fractions, conditions and
colours are other formats, and their cells keep the number as calamine reads it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping

from pipeline.xlsx_scan import cell_position, part_elements, related_part

_CHUNK = 1 << 20
# A format's first section: zeros, quoted text, escaped characters, - space ( ).
_PADDING = re.compile(r'(?:0|"[^"]*"|\\.|[-\s()])+')
_ATTRIBUTE = re.compile(rb'\s(r|s|t)="([^"]*)"')

Padded = dict[int, dict[int, str]]  # row → column → the format, zero-based positions


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


def padded_cells(archive: zipfile.ZipFile, member: str, styles: Mapping[int, str]) -> Padded:
    """The number cells of the sheet in `member` styled with one of `styles`, by position.

    A byte scan of the cells' start tags, a megabyte at a time; cells written without a
    plain `r` reference keep calamine's number.
    """
    found: Padded = {}
    # Only the tags of cells in those styles are looked at: a sheet holds millions of cells.
    styled = re.compile(rb'<c\s[^>]*?\bs="(?:' + "|".join(map(str, styles)).encode() + rb')"[^>]*>')
    for tag in _start_tags(archive, member, styled):
        attrs = {key.decode(): value.decode() for key, value in _ATTRIBUTE.findall(tag)}
        style = attrs.get("s", "")
        if not style.isdigit() or int(style) not in styles or attrs.get("t", "n") != "n":
            continue
        position = cell_position(attrs.get("r", ""))
        if position is not None:
            found.setdefault(position[0], {})[position[1]] = styles[int(style)]
    return found


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


def _start_tags(archive: zipfile.ZipFile, member: str, tags: re.Pattern[bytes]) -> Iterator[bytes]:
    """Every start tag matching `tags` in the sheet's XML, read a chunk at a time."""
    carry = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            # A tag cut by the chunk's end is completed by the next chunk.
            cut = data.rfind(b"<")
            if cut != -1 and data.find(b">", cut) == -1:
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            yield from tags.findall(data)
