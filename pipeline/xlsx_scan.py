"""A worksheet's real extent and its error cells, read from its XML before calamine reads it.

python-calamine holds a sheet as one dense block of cells from A1 to the last row and
column that hold a value, so a 10 KB workbook with one stray value in XFD1048576 asks for
half a terabyte and aborts the process. `scan_sheet` finds that block's size from the
cells that exist, streaming the sheet's XML part out of the zip, so that
`limits.max_cells` is checked before calamine allocates anything; memory stays bounded by
the XML read at a time. The `<dimension>` element is never trusted: it can claim anything.

Two passes, the second only when the first cannot decide:

1. a byte scan (regular expressions with a literal prefix, at C speed) of a sheet whose
   cells are all written `<c r="B7"…>`: the largest column and row their references
   reach, with or without a value; in a sheet of ordered rows no cell needs parsing;
2. an XML parse (expat; a DTD, the way to entity-expansion attacks, is refused) that
   follows calamine's rules: a cell or row without `r` takes the next position, a cell
   without a value (style only, empty `<v/>`, a formula without a cached value) does not
   count, namespace prefixes (`x:c`) are ignored. It runs for sheets written otherwise,
   and for sheets the first pass finds too large, to tell far stray cells from size.

The rows the sheet hides (`hidden="1"`: by hand, or filtered out) are found on the way too
(a piece without the word "hidden" costs one substring search), for a warning on each.

Excel's error cells (`t="e"`: #REF!, #N/A, #SPILL!, …) are found on the way: calamine
reads the classic ones as blank and fails the whole sheet on newer ones, so
`errors_as_text` copies the workbook with them as text cells, for the `spreadsheet_error`
rule to reject their rows.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO
from xml.parsers import expat

_CHUNK = 1 << 20
_ANY_CELL = re.compile(rb"<c[\s/>]")
# A cell start tag whose first attribute is not a plain reference (no r, r later, quotes).
_UNUSUAL = re.compile(rb'<c(?! r="[A-Z]+\d+")[\s/>]')
_PREFIXED = re.compile(rb":c[\s/>]")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_COLUMNS = re.compile(rb'<c r="([A-Z]+)')
_ROWS = re.compile(rb'<c r="[A-Z]+(\d+)')
_ROW_START = re.compile(rb'<row r="(\d+)"')
# The type attribute of an error cell's start tag (group 1 ends before its value).
_ERROR_CELL = re.compile(rb"""(<(?:[\w.-]+:)?c\b[^>]*?\st\s*=\s*)(["'])e\2""")


class SheetXmlError(Exception):
    """The sheet's XML cannot be scanned (malformed, or with a DTD); the message says why."""


@dataclass(frozen=True)
class SheetScan:
    """What calamine will find in a sheet: the block from A1 that holds every value.

    `rows` and `columns` are its size, or a bound on it from the first pass.
    """

    rows: int
    columns: int
    # The references of the cells that reach the last row and column (second pass).
    far: tuple[str, ...] = ()
    # Cells holding a value (second pass).
    values: int | None = None
    errors: bool = False
    # Whether a cell may hold a formula (the second pass does not look: it may).
    formulas: bool = True
    # The numbers of the rows the sheet hides (by hand, or filtered out).
    hidden: frozenset[int] = frozenset()

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """The zip member of every sheet, by name, found the way calamine finds them.

    The package's relationships name the workbook part; its relationships map each
    sheet's id onto a target, relative to the workbook's folder unless it starts with /.
    Raises `SheetXmlError` when the parts cannot be found or a name is in the zip twice.
    """
    members = _member_index(archive)
    folder = _workbook_folder(archive, members)
    rels = _elements(_read(archive, members, f"{folder}_rels/workbook.xml.rels"))
    targets = {a.get("Id", ""): a.get("Target", "") for name, a in rels if name == "Relationship"}
    parts: dict[str, str] = {}
    for name, attrs in _elements(_read(archive, members, f"{folder}workbook.xml")):
        target = targets.get(attrs.get("id", ""), "") if name == "sheet" else ""
        path = target[1:] if target.startswith("/") else folder + target
        if target and _normalized(path) in members:
            parts[attrs.get("name", "")] = members[_normalized(path)]
    return parts


def related_part(archive: zipfile.ZipFile, kind: str) -> str | None:
    """The member the workbook's relationship of `kind` (`styles`, …) targets; None when
    the workbook has no such part."""
    members = _member_index(archive)
    folder = _workbook_folder(archive, members)
    for name, attrs in _elements(_read(archive, members, f"{folder}_rels/workbook.xml.rels")):
        if name == "Relationship" and attrs.get("Type", "").endswith(f"/relationships/{kind}"):
            target = attrs.get("Target", "")
            return members.get(_normalized(target[1:] if target.startswith("/") else folder + target))
    return None


def part_elements(archive: zipfile.ZipFile, member: str) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of every element of a small XML part, no DTD allowed."""
    return _elements(archive.read(member))


def cell_position(reference: str) -> tuple[int, int] | None:
    """The zero-based (row, column) of a plain reference such as B7, else None."""
    found = re.fullmatch(r"([A-Z]+)([0-9]+)", reference)
    if found is None or int(found[2]) == 0:
        return None
    return int(found[2]) - 1, _column_number(found[1]) - 1


def _workbook_folder(archive: zipfile.ZipFile, members: dict[str, str]) -> str:
    """The folder of the workbook part the package's relationships name (`xl/`)."""
    office = [
        a.get("Target", "")
        for name, a in _elements(_read(archive, members, "_rels/.rels"))
        if name == "Relationship" and a.get("Type", "").endswith("/relationships/officeDocument")
    ]
    if not office:
        raise SheetXmlError("it names no workbook part")
    return office[-1].rpartition("/")[0].lstrip("/") + "/" if "/" in office[-1] else ""


def scan_sheet(archive: zipfile.ZipFile, member: str, limit: int) -> SheetScan:
    """The extent of the sheet in `member`, exact enough to compare with `limit` cells."""
    bound = _reference_scan(archive, member)
    if bound is not None and bound.cells <= limit:
        return bound
    exact = _exact_scan(archive, member)
    if exact.cells > limit:
        return exact
    return dataclasses.replace(exact, hidden=hidden_rows(archive, member))


def errors_as_text(archive: zipfile.ZipFile, member: str) -> IO[bytes]:
    """A copy of the workbook (an anonymous temporary file, uncompressed) in which the
    error cells of `member` are text cells holding the error, as Excel shows it."""
    copy = tempfile.TemporaryFile(prefix="onboard-errors-")  # noqa: SIM115 (the caller's)
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as source, out.open(info.filename, "w", force_zip64=True) as target:
                if info.filename != member:
                    shutil.copyfileobj(source, target, _CHUNK)
                    continue
                for piece in _pieces(source):
                    # A fast first look for t="e": the full pattern has no literal start.
                    typed = b'"e"' in piece or b"'e'" in piece
                    target.write(_ERROR_CELL.sub(rb"\1\2str\2", piece) if typed else piece)
    copy.seek(0)
    return copy


# A formula element (not `<formula1>` of a drop-down's list).
_FORMULA = re.compile(rb"<f[\s>/]")
# A plainly written cell holding a formula and no saved value (`<c r="B2"><f>A2&amp;"
# B.V."</f></c>`, or an empty `<v/>`): what a program writes when no spreadsheet has
# calculated the workbook. calamine reads it as blank while Excel shows its result.
_UNCALCULATED = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


def uncalculated_formulas(archive: zipfile.ZipFile, member: str) -> frozenset[tuple[int, int]]:
    """The zero-based (row, column) of every formula cell of the sheet without a saved value."""
    found: set[tuple[int, int]] = set()
    for piece in sheet_pieces(archive, member):
        if _FORMULA.search(piece):
            found |= {
                (int(row) - 1, _column_number(column) - 1) for column, row in _UNCALCULATED.findall(piece)
            }
    return frozenset(found)


def cell_name(row: int, column: int) -> str:
    """The A1 reference of a cell by zero-based position (XFD1048576)."""
    return f"{_column_letters(column + 1)}{row + 1}"


def _column_letters(number: int) -> str:
    """A one-based column number as A1-style letters (16384 → XFD)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- pass 1: bytes -------------------------------------------------------------------------


def sheet_pieces(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The XML of the part `member` in pieces of about a megabyte that never split a tag."""
    with archive.open(member) as handle:
        yield from _pieces(handle)


def _pieces(handle: IO[bytes]) -> Iterator[bytes]:
    """The stream in pieces of about a megabyte that never split a tag, nor a cell's start
    tag from its value, so that its type and value are seen together (but for a cell over
    a megabyte, which Excel never writes)."""
    rest = b""
    while block := handle.read(_CHUNK):
        data = rest + block
        cut = data.rfind(b"<c")
        if cut <= 0 or len(data) - cut > _CHUNK:
            # No cell to keep whole (or a huge one): carry only a tag left incomplete.
            cut = data.rfind(b"<")
            if cut == -1 or data.find(b">", cut) != -1:
                cut = len(data)
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest


def _reference_scan(archive: zipfile.ZipFile, member: str) -> SheetScan | None:
    """Pass 1: the block spanned by the references of every cell (with a value or not),
    or None when a cell is not written plainly (`<c r="B7"…`, no prefix, ASCII XML).

    Bounds run along: the last row opened so far and the widest column seen. A piece with
    a cell outside them (rare, as rows come in order) is measured exactly by itself.
    """
    columns = rows = 0
    errors = seen_data = formulas = False
    hidden: set[int] = set()
    with archive.open(member) as handle:
        for piece in _pieces(handle):
            if _PREFIXED.search(piece) or b"\0" in piece:
                return None
            seen_data = seen_data or b"sheetData" in piece
            if b"hidden" in piece:  # rare: the piece's row tags are read one by one
                hidden |= _hidden_in(piece, rows)[0]
            rows = max(rows, _last_row_opened(piece))
            if _outside(columns, _rounded_up(rows)).search(piece):
                if _UNUSUAL.search(piece):
                    return None
                columns = max([columns, *map(_column_number, set(_COLUMNS.findall(piece)))])
                rows = max([rows, *map(int, set(_ROWS.findall(piece)))])
            # Error values all start with #, rare elsewhere: a fast first look (a plain
            # sheet's pieces keep a cell's type and value together).
            errors = errors or (b"#" in piece and _ERROR_TYPE.search(piece) is not None)
            formulas = formulas or _FORMULA.search(piece) is not None
    if not seen_data:
        return None
    return SheetScan(_rounded_up(rows), columns, errors=errors, hidden=frozenset(hidden), formulas=formulas)


# A row's start tag, its number and whether it is hidden (by hand, or by a filter: Excel
# writes both as hidden="1").
_ROW_TAG = re.compile(rb"<row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_HIDDEN = re.compile(rb"""\shidden\s*=\s*["'](?:1|true)["']""")


def hidden_rows(archive: zipfile.ZipFile, member: str) -> frozenset[int]:
    """The numbers of the rows the sheet hides (by hand, or filtered out): calamine reads
    them like every other row, while the person who saved the file did not see them."""
    hidden: set[int] = set()
    last = 0
    for piece in sheet_pieces(archive, member):
        found, last = _hidden_in(piece, last)
        hidden |= found
    return frozenset(hidden)


def _hidden_in(piece: bytes, before: int) -> tuple[set[int], int]:
    """The hidden rows among the piece's row tags, and the number of its last row;
    `before` is the last row before it, and a row without a number is the one after the
    row before it, as calamine counts."""
    hidden: set[int] = set()
    last = before
    for tag in _ROW_TAG.finditer(piece):
        number = _ROW_NUMBER.search(tag[1])
        last = int(number[1]) if number else last + 1
        if _HIDDEN.search(tag[1]):
            hidden.add(last)
    return hidden, last


def _last_row_opened(piece: bytes) -> int:
    """The number of the piece's last `<row r="…">`: rows come in order, and a cell beyond
    it is caught as outside the bounds anyway."""
    found = _ROW_START.search(piece, max(piece.rfind(b'<row r="'), 0))
    return int(found[1]) if found else 0


@lru_cache(maxsize=64)
def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell start tag other than `<c r="…"` with a column and row within the bounds."""
    if not columns or not rows:
        return _ANY_CELL
    within = _at_most(_column_letters(columns), "A", "Z") + _at_most(str(rows), "0", "9")
    return re.compile(rb'<c(?! r="' + within.encode() + rb'")[\s/>]')


def _at_most(bound: str, first: str, last: str) -> str:
    """A pattern for the strings of characters first…last that are at most `bound` when
    compared by length, then by character: A1 column letters, or row numbers."""
    every = f"[{first}-{last}]"
    # Possessive ({…}+): a shorter string never backtracks into the longer options.
    options = [f"{every}{{1,{len(bound) - 1}}}+"] if len(bound) > 1 else []
    head = bound.rstrip(last)  # a tail of last characters (…999) allows anything there
    for position, char in enumerate(head):
        if char > first:
            smaller = f"[{first}-{chr(ord(char) - 1)}]"
            options.append(f"{head[:position]}{smaller}{every}{{{len(bound) - position - 1}}}")
    options.append(f"{head}{every}{{{len(bound) - len(head)}}}")
    return "(?:" + "|".join(options) + ")"


def _rounded_up(rows: int) -> int:
    """`rows` rounded up to two significant digits, less one (100,001 → 109,999): a bound
    whose pattern is short, and that changes once in many pieces."""
    if rows < 100:
        return 99
    digits = str(rows)
    scale: int = 10 ** (len(digits) - 2)
    return (int(digits[:2]) + 1) * scale - 1


def _column_number(letters: bytes | str) -> int:
    """A1-style column letters as a one-based number (A → 1, XFD → 16384)."""
    number = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


# --- pass 2: XML --------------------------------------------------------------------------


def _exact_scan(archive: zipfile.ZipFile, member: str) -> SheetScan:
    """The block of cells with a value, placed and valued by calamine's own rules."""
    state = _SheetState()
    parser = _parser(state.start, state.end)
    parser.CharacterDataHandler = state.text
    try:
        with archive.open(member) as handle:
            while block := handle.read(_CHUNK):
                parser.Parse(block, False)
                if state.done:
                    break
            else:
                parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SheetXmlError(f"its XML is malformed ({expat.errors.messages[exc.code]})") from None
    return state.result()


class _SheetState:
    """calamine's walk over `sheetData`: positions of cells and whether they hold a value."""

    def __init__(self) -> None:
        self.inside = self.done = False
        self.row = self.column = 0
        self.cell: tuple[int, int] | None = None
        self.kind: str | None = None
        self.depth = 0
        self.child = ""
        self.chars: list[str] = []
        self.has_value = False
        self.last_row: tuple[int, str] = (-1, "")
        self.last_column: tuple[int, str] = (-1, "")
        self.values = 0
        self.errors = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.done or not self.inside:
            self.inside = self.inside or local == "sheetData"
            return
        if self.cell is not None:
            self.depth += 1
            if self.depth == 1:
                self.child, self.chars = local, []
                # The last of a cell's children decides its value, as in calamine.
                self.has_value = local == "is"
            return
        if local == "row" and "r" in attrs:
            self.row = _position(attrs["r"], self.row)[0]
        elif local == "c":
            self.cell = _position(attrs["r"], self.column) if "r" in attrs else (self.row, self.column)
            self.kind, self.depth, self.has_value = attrs.get("t"), 0, False

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if self.done or not self.inside:
            return
        if self.cell is not None and self.depth > 0:
            if self.depth == 1 and self.child == "v":
                self.has_value = _has_value(self.kind, "".join(self.chars))
            self.depth -= 1
        elif self.cell is not None:
            self._count(*self.cell)
        elif local == "row":
            self.row, self.column = self.row + 1, 0
        elif local == "sheetData":
            self.done = True

    def text(self, data: str) -> None:
        if self.cell is not None and self.depth == 1 and self.child == "v":
            self.chars.append(data)

    def _count(self, row: int, column: int) -> None:
        self.cell, self.column = None, column + 1
        if not self.has_value:
            return
        self.values += 1
        self.errors = self.errors or self.kind == "e"
        # The last cell to reach the far row or column: for a full sheet, one corner cell.
        if row >= self.last_row[0]:
            self.last_row = (row, cell_name(row, column))
        if column >= self.last_column[0]:
            self.last_column = (column, cell_name(row, column))

    def result(self) -> SheetScan:
        rows, columns = self.last_row[0] + 1, self.last_column[0] + 1
        far = tuple(dict.fromkeys((self.last_column[1], self.last_row[1])))
        return SheetScan(rows, columns, far if self.values else (), self.values, self.errors)


def _has_value(kind: str | None, text: str) -> bool:
    """Whether calamine finds a value in a `<v>` of a cell of type `kind`."""
    if kind in (None, "n", "s", "b", "e"):
        return text != ""
    # An inline string's value is its <is>; "str", "d" and others count even when empty.
    return kind not in ("inlineStr", "is")


def _position(reference: str, column: int) -> tuple[int, int]:
    """The zero-based (row, column) of a reference such as B7; a reference calamine cannot
    read (it then fails the sheet itself) keeps the position it was given."""
    found = re.fullmatch(r"([A-Za-z]*)([0-9]+)", reference)
    if found is None or int(found[2]) == 0:
        return (0, column)
    letters = found[1]
    return (int(found[2]) - 1, _column_number(letters) - 1 if letters else column)


# --- small XML parts -----------------------------------------------------------------------


def _parser(
    start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None
) -> expat.XMLParserType:
    """An expat parser that refuses any DTD, so no entity is ever declared or expanded."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end

    def refuse(*_: object) -> None:
        raise SheetXmlError("it declares a DTD, which no workbook does")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes by local name) of every element of a small XML part."""
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        found.append((name.rpartition(":")[2], {k.rpartition(":")[2]: v for k, v in attrs.items()}))

    try:
        _parser(start).Parse(data, True)
    except expat.ExpatError as exc:
        raise SheetXmlError(f"its XML is malformed ({expat.errors.messages[exc.code]})") from None
    return found


def _normalized(name: str) -> str:
    return name.replace("\\", "/").lower()


def _member_index(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member names by their case-insensitive form, as calamine looks them up."""
    members: dict[str, str] = {}
    for name in archive.namelist():
        if _normalized(name) in members:
            # Which of the two a reader takes is up to it: the scan could miss the one it reads.
            raise SheetXmlError(f"it holds two parts named {name!r}")
        members[_normalized(name)] = name
    return members


def _read(archive: zipfile.ZipFile, members: dict[str, str], path: str) -> bytes:
    member = members.get(_normalized(path))
    if member is None:
        raise SheetXmlError(f"its part {path} is missing")
    return archive.read(member)
