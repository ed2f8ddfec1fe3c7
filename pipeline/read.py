"""Read a spreadsheet into text cells exactly as the user sees them.

`.xlsx` is read with python-calamine, `.csv` with the csv module after detecting the
encoding and the delimiter; bytes a CSV's encoding cannot decode are read as stand-ins
that the `encoding` check rejects (see `schemas.rules.text`), so the rest stays exact.
The header row is the first row (of the first 30) that names the most canonical fields,
so title rows above it are skipped. Row numbers are those a spreadsheet program shows:
Excel's row number, or a CSV record's number.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute

from pipeline import xlsx_formats, xlsx_scan
from pipeline.columns import count_known, known_fields, synonym_index
from pipeline.config import Limits
from pipeline.issues import FileError, is_failure
from schemas.rules.text import UNDECODABLE_RANGE, stand_in_for_undecodable

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

T = TypeVar("T")

HEADER_SEARCH_ROWS = 30
SUFFIXES = (".xlsx", ".csv")
_DELIMITERS = (",", ";", "\t", "|")
# Rows are gathered as Python lists this many at a time, then kept as Arrow text columns:
# a million rows take a few hundred megabytes instead of gigabytes.
BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Table:
    """The cells of one sheet below its header row, as text.

    `cells` has one text column per header position (0, 1, …), indexed by the row's
    number in the file, and is padded to the width of `headers`. Fully blank rows are not
    in it.
    """

    path: Path
    sha256: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    cells: pd.DataFrame
    # The numbers of the rows the sheet hides (by hand, or filtered out), whether blank or
    # not; read as the others.
    hidden_rows: frozenset[int] = frozenset()
    # The cells the spreadsheet holds as a date, time or TRUE/FALSE rather than as typed
    # text, by (row number, header position): their kind (see `converted_kind`).
    converted: Mapping[tuple[int, int], str] = dataclasses.field(default_factory=dict)

    @property
    def row_numbers(self) -> list[int]:
        return [int(number) for number in self.cells.index]

    @property
    def rows(self) -> list[list[str]]:
        """Every row as a list of cells (for small tables and reports)."""
        return self.rows_at(self.cells.index)

    def rows_at(self, numbers: Iterable[int]) -> list[list[str]]:
        """The cells of the rows with these numbers, in that order."""
        picked = self.cells.loc[list(numbers)]
        columns = [picked[position].tolist() for position in picked.columns]
        if not columns:
            return [[] for _ in range(len(picked))]
        return [list(row) for row in zip(*columns, strict=True)]


def cells_frame(rows: Sequence[Sequence[str]], row_numbers: Sequence[int], width: int) -> pd.DataFrame:
    """Text columns 0 … width-1 of `rows` (each exactly `width` long), indexed by row number."""
    index = pd.Index(list(row_numbers), name="row", dtype="int64")
    # Every cell converted to Arrow at once, then each column taken by stride: pyarrow does
    # in C what zip(*rows) and a conversion per column did (0.63 s → 0.15 s per 100k × 18).
    table = arrow.array(rows, type=arrow.list_(arrow.large_string()))
    if len(table) and arrow.compute.min_max(table.value_lengths()).as_py() != {"min": width, "max": width}:
        raise ValueError(f"rows must all have {width} cells")
    cells, starts = table.flatten(), np.arange(len(table), dtype=np.int64) * width
    return pd.DataFrame(
        {
            position: pd.Series(pd.array(cells.take(starts + position), dtype="str"), index=index)
            for position in range(width)
        },
        index=index,
        columns=range(width),
    )


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


DEFAULT_LIMITS = Limits()
_HINTS = {
    ".xls": "it is an Excel 97-2003 workbook: open it in Excel and save it as .xlsx",
    ".ods": "it is an OpenDocument spreadsheet: save it as .xlsx or .csv",
    ".xlsm": "it is a macro workbook: save it as .xlsx",
    ".numbers": "it is a Numbers file: export it as .xlsx or .csv",
}
# The start of an OLE2 compound file: a legacy .xls, or an encrypted (password) workbook.
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse files we do not read, cannot open, or that are too large, before reading."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = _HINTS.get(suffix, "save it as .xlsx or .csv")
        raise FileError(
            "unsupported_file_type", f"{path.name}: {suffix or 'no extension'} files are not read; {hint}"
        )
    try:
        # Look before opening: opening a FIFO blocks until a writer comes, a device never
        # ends. A symlink is judged by its target: a link to a saved file is fine.
        size = _regular_file_size(path)
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise FileError("file_not_found", f"{path}: no such file") from None
    except OSError as exc:
        raise FileError("file_not_found", f"{path}: cannot be opened ({exc.strerror})") from None
    if size > limits.max_file_mb * 1e6:
        raise FileError(
            "file_too_large",
            f"{path.name} is {size / 1e6:.0f} MB, more than the limit of {limits.max_file_mb:.0f} MB; "
            "split it into smaller files",
        )
    if suffix == ".xlsx":
        if head == _OLE_MAGIC:
            raise FileError(
                "unreadable_file",
                f"{path.name} is password-protected (encrypted) or a legacy .xls renamed to .xlsx; "
                "remove the password or save it again as .xlsx",
            )
        _check_unpacked_size(path, limits)


def _regular_file_size(path: Path) -> int:
    """The size of a regular file (following symlinks); refuses anything else."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise FileError(
            "unreadable_file",
            f"{path}: not a regular file but {kind}; give the path of a saved .xlsx or .csv file",
        )
    return info.st_size


_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _check_unpacked_size(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the reader says so in its own words
    if unpacked > limits.max_unpacked_mb * 1e6:
        raise FileError(
            "file_too_large",
            f"{path.name} expands to {unpacked / 1e6:.0f} MB, more than the limit of "
            f"{limits.max_unpacked_mb:.0f} MB; it may be damaged or hostile",
        )


def read_table(
    path: Path,
    sheet: str | None = None,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Table:
    """Read `path` and find its header row. Raises `FileError` when it cannot be used."""
    check_file(path, limits)
    suffix = path.suffix.lower()
    try:
        sha256 = file_sha256(path)
    except OSError as exc:
        raise FileError("file_not_found", f"{path}: cannot be opened ({exc.strerror})") from None
    index = synonym_index(synonyms)
    if suffix == ".csv":
        table = _arrow_csv_table(path, sha256, index)
        if table is None:
            table = _table(path, sha256, None, _csv_stream(path, index), index, min_known=1)
        if table is not None:
            return table
    else:
        found = _xlsx_table(path, sha256, sheet, index, limits)
        if found is not None:
            return found
    raise FileError(
        "no_header_row",
        f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows"
        f"{' of any sheet' if suffix == '.xlsx' else ''} (expected column names such as "
        "'ERP ID', 'Tax ID', 'Country')",
    )


# A sheet whose header row names this many fields holds customers.
_CUSTOMER_SHEET_FIELDS = 3


def _xlsx_table(
    path: Path, sha256: str, sheet: str | None, index: Mapping[str, str], limits: Limits
) -> Table | None:
    """The table of the sheet named `sheet`, else of the first visible sheet whose header
    row names three or more fields. Customers on another visible sheet too are refused:
    one file is read from one sheet, and the other's customers would be left out unseen."""
    sheets = _xlsx_sheets(path, sheet, limits)
    for name, records, hidden, converted in sheets:
        table = _table(path, sha256, name, records, index, min_known=1 if sheet else _CUSTOMER_SHEET_FIELDS)
        if table is None:
            continue
        other = None if sheet else _other_customer_sheet(sheets, index)
        if other is not None:
            raise FileError(
                "several_customer_sheets",
                f"{path.name} has customers on more than one sheet ({name!r} and {other!r}), and "
                "one file is read from one sheet: move them onto one sheet, or save each sheet as a "
                "file of its own (or name the one to read with --sheet)",
            )
        return dataclasses.replace(table, hidden_rows=hidden, converted=converted)
    return None


def _other_customer_sheet(sheets: Iterator[SheetRows], index: Mapping[str, str]) -> str | None:
    """The name of the next visible sheet that holds customers too: a header naming an
    ERP ID among three or more fields, and a row below it. Lists for drop-downs (Country,
    Currency, Industry) hold none. The look never fails the file: a sheet that cannot be
    read ends it, as the file's own sheet was read."""
    try:
        for name, records, _hidden, _converted in sheets:
            rows = list(islice(records, HEADER_SEARCH_ROWS + 1))
            at, known = _find_header(rows, index)
            if known < _CUSTOMER_SHEET_FIELDS or "erp_id" not in known_fields(rows[at], index):
                continue
            if any(cell.strip() for row in rows[at + 1 :] for cell in row):
                return name
    except FileError:
        pass
    return None


def read_records(
    path: Path, index: Mapping[str, str], sheet: str | None = None, min_known: int = 2
) -> tuple[str | None, list[list[str]]]:
    """All rows of a CSV, or of the first sheet (or `sheet`) whose header names at least
    `min_known` keys of `index`; for files other than customer sheets (review files)."""
    check_file(path)
    if path.suffix.lower() == ".csv":
        return None, _csv_records(path, index)
    for name, stream, _hidden, _converted in _xlsx_sheets(path, sheet):
        records = list(stream)
        if _find_header(records, index)[1] >= min_known:
            return name, records
    raise FileError("no_header_row", f"{path.name}: no sheet has the expected header row")


def find_header(records: Sequence[Sequence[str]], index: Mapping[str, str]) -> tuple[int, int]:
    """(position of the row naming most keys of `index` among the first rows, how many)."""
    return _find_header(records, index)


def _find_header(records: Sequence[Sequence[str]], index: Mapping[str, str]) -> tuple[int, int]:
    """(position of the best header candidate, how many fields it names)."""
    best, best_count = -1, 0
    for position, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        known = count_known(cells, index)
        if known > best_count:
            best, best_count = position, known
    return best, best_count


def _table(
    path: Path,
    sha256: str,
    sheet: str | None,
    records: Iterable[list[str]],
    index: Mapping[str, str],
    min_known: int,
) -> Table | None:
    """The table below the header row, or None when no row names `min_known` fields.

    `records` is consumed as it comes, so a file is never held as Python lists whole.
    """
    stream = iter(records)
    head = list(islice(stream, HEADER_SEARCH_ROWS))
    header_at, known = _find_header(head, index)
    if known < min_known:
        return None
    headers = tuple(cell.strip() for cell in head[header_at])
    width = len(headers)
    parts: list[pd.DataFrame] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in enumerate(chain(head[header_at + 1 :], stream), start=header_at + 2):
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        if "".join(cells).strip():  # not blank: as any(cell.strip() …), in C (0.25 → 0.03 s per 100k)
            rows.append(cells)
            numbers.append(number)
            if len(rows) == BATCH_ROWS:
                parts.append(cells_frame(rows, numbers, width))
                rows, numbers = [], []
    if rows or not parts:
        parts.append(cells_frame(rows, numbers, width))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts)
    return Table(path, sha256, sheet, header_at + 1, headers, frame)


# --- CSV ---------------------------------------------------------------------------


_SNIFF_BYTES = 1 << 16
# The codec error handler that reads undecodable bytes as stand-ins (see schemas.rules.text).
_STAND_INS = "onboard-undecodable"
codecs.register_error(_STAND_INS, stand_in_for_undecodable)


def _encoding(path: Path) -> tuple[str, str]:
    """(encoding, error handling) of a CSV file: UTF-8 (with or without BOM), UTF-16,
    else Windows-1252; decided from the bytes without holding the whole file.

    A UTF-8 file with a few stray bytes (one cell typed in another program) stays UTF-8:
    its good cells are read exactly, the stray bytes as stand-ins the `encoding` rule
    rejects. Only a file with high bytes but no UTF-8 sequence at all is Windows-1252, or
    Mac Roman (Excel for Mac's "CSV (Macintosh)") where that reads its words better.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", _STAND_INS
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", _STAND_INS
    if len(head) >= 4 and head.count(0) * 3 > len(head):
        # Text with a NUL in every other byte is UTF-16 written without a BOM.
        even_nuls = head[0::2].count(0)
        return ("utf-16-be" if even_nuls > len(head) // 4 else "utf-16-le"), _STAND_INS
    if _decodes(path, "utf-8") or _has_utf8_text(path):
        return "utf-8", _STAND_INS
    if _reads_better_as_mac_roman(head):
        return "mac_roman", "strict"
    # cp1252 leaves five bytes undefined; latin-1 maps them so nothing is dropped.
    return ("cp1252" if _decodes(path, "cp1252") else "latin-1"), "strict"


# A letter of a word: one after another letter has its case (`Café`, `ÜMIT`), as a
# decoding that fits the file gives; the wrong one gives `CafŽ`, `CafÈ` or `†mit`.
_WORD_LETTER = re.compile(r"(?<![^\W\d_])[^\W\d_]|(?<=[a-z])[^\W\d_A-Z]|(?<=[A-Z])[^\W\d_a-z]")


def _reads_better_as_mac_roman(head: bytes) -> bool:
    """True when the high bytes of a single-byte file make more word letters in Mac Roman
    than in Windows-1252 (their letters lie in different byte ranges)."""

    def letters(encoding: str) -> int:
        text = head.decode(encoding, errors="replace")
        return sum(1 for found in _WORD_LETTER.finditer(text) if ord(found.group()) > 0x7F)

    return letters("mac_roman") > letters("cp1252")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# Decoded text other than ASCII and stand-ins: a real UTF-8 sequence.
_UTF8_TEXT = re.compile(f"[^\x00-\x7f{UNDECODABLE_RANGE}]")


def _has_utf8_text(path: Path) -> bool:
    """True when some of the file's high bytes decode as UTF-8 (so the rest are strays)."""
    decoder = codecs.getincrementaldecoder("utf-8")(_STAND_INS)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if _UTF8_TEXT.search(decoder.decode(block)):
                return True
    return False


def _csv_records(path: Path, index: Mapping[str, str]) -> list[list[str]]:
    """Every record of a CSV file (for small files such as review files)."""
    return list(_csv_stream(path, index))


def _dialect(path: Path, index: Mapping[str, str]) -> tuple[str, str, str]:
    """(encoding, error handling, delimiter) of a CSV file."""
    try:
        encoding, errors = _encoding(path)
        with path.open(encoding=encoding, errors=errors, newline="") as handle:
            sample = handle.read(_SNIFF_BYTES)
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError("unreadable_file", f"{path.name}: cannot be read ({exc})") from None
    return encoding, errors, _delimiter("\n".join(sample.splitlines()[:HEADER_SEARCH_ROWS]), index)


def _csv_stream(path: Path, index: Mapping[str, str]) -> Iterator[list[str]]:
    """The records of a CSV file one at a time, in its detected encoding and delimiter."""
    encoding, errors, delimiter = _dialect(path, index)
    try:
        with (
            path.open(encoding=encoding, errors=errors, newline="") as handle,
            _fields_up_to(path.stat().st_size),
        ):
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            try:
                yield from reader
            except csv.Error as exc:
                message = f"{path.name}: CSV cannot be parsed near record {reader.line_num}: {exc}"
                raise FileError("unreadable_file", message) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError("unreadable_file", f"{path.name}: cannot be read ({exc})") from None


# White space as Python's str.strip() sees it, for telling blank rows the same way.
_PYTHON_SPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_BLANK = "^[" + "".join(f"\\x{{{ord(char):x}}}" for char in _PYTHON_SPACE) + "]*$"


def _plain_text(path: Path) -> bool:
    """True when the file holds no quote and no NUL: the csv module then only splits on
    the delimiter and line ends, and Arrow's reader gives the very same text."""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if b'"' in block or b"\0" in block:
                return False
    return True


def _arrow_csv_table(path: Path, sha256: str, index: Mapping[str, str]) -> Table | None:
    """The table of a plain UTF-8 CSV read by Arrow's reader (about ten times faster than
    the csv module), or None where it might read otherwise: other encodings, quotes, NULs,
    rows of different widths. `tests/test_read.py` holds both readers' tables equal."""
    import pyarrow.csv as arrow_csv

    encoding, _, delimiter = _dialect(path, index)
    if encoding not in ("utf-8", "utf-8-sig") or not _plain_text(path):
        return None
    with path.open("rb") as handle:
        first = re.split(rb"\r|\n", handle.read(_SNIFF_BYTES), maxsplit=1)[0]
    # Arrow needs the width up front; a record of another width makes it fail, not guess.
    width = first.count(delimiter.encode()) + 1
    try:
        # From an open file: Arrow cannot take a path that is not valid UTF-8.
        with path.open("rb") as handle:
            cells = arrow_csv.read_csv(
                handle,
                read_options=arrow_csv.ReadOptions(column_names=[str(i) for i in range(width)]),
                parse_options=arrow_csv.ParseOptions(
                    delimiter=delimiter, quote_char=False, ignore_empty_lines=False
                ),
                convert_options=arrow_csv.ConvertOptions(
                    column_types={str(i): arrow.large_string() for i in range(width)},
                    strings_can_be_null=False,
                ),
            )
    except (arrow.ArrowInvalid, OSError):
        return None
    return _arrow_table(path, sha256, cells, index)


def _arrow_table(path: Path, sha256: str, cells: arrow.Table, index: Mapping[str, str]) -> Table | None:
    """`_table` over an Arrow table of every record (the same header search and numbers)."""
    head = [list(record.values()) for record in cells.slice(0, HEADER_SEARCH_ROWS).to_pylist()]
    header_at, known = _find_header(head, index)
    if known < 1:
        return None
    headers = tuple(cell.strip() for cell in head[header_at])
    body = cells.slice(header_at + 1)
    blank = np.ones(len(body), dtype=bool)
    for column in body.columns:
        blank &= pyarrow.compute.match_substring_regex(column, _BLANK).to_numpy(zero_copy_only=False)
    keep = np.flatnonzero(~blank)
    if len(keep) < len(body):
        body = body.take(keep)
    numbers = pd.Index(keep + header_at + 2, name="row", dtype="int64")
    frame = pd.DataFrame(
        {
            position: pd.Series(pd.array(column, dtype="str"), index=numbers)
            for position, column in enumerate(body.columns)
        },
        index=numbers,
        columns=range(len(headers)),
    )
    return Table(path, sha256, None, header_at + 1, headers, frame)


@contextmanager
def _fields_up_to(characters: int) -> Iterator[None]:
    """Let the csv module read fields up to `characters` long while the block runs.

    Its default (131,072) would fail the whole file for one long cell, which is only its
    row's problem (`too_long`). The limit is process-wide in the csv module, so it is raised
    only while a file is read and restored after; a field is never longer than its file,
    whose size `limits.max_file_mb` bounds.
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, characters))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _delimiter(sample: str, index: Mapping[str, str]) -> str:
    """The delimiter under which some early row reads best as a header."""
    best_delimiter, best_known = ",", -1
    for delimiter in _DELIMITERS:
        try:
            head = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        known = _find_header(head, index)[1]
        if known > best_known:
            best_delimiter, best_known = delimiter, known
    return best_delimiter


# --- XLSX --------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """The text a spreadsheet shows for a cell value that calamine returns."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if abs(value) < 1e15 else f"{value:.6G}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def converted_kind(value: object) -> str | None:
    """What a spreadsheet made of a typed value, for a cell that is not text or a number:
    `1-31` and `03/04` become dates, `10:30` a time, `true` a truth value. What was typed
    is lost then, so such a cell is never read as a customer's value."""
    if isinstance(value, bool):
        return "TRUE/FALSE"
    if isinstance(value, dt.date):  # a datetime too
        return "date"
    if isinstance(value, dt.time | dt.timedelta):
        return "time"
    return None


# The classes calamine returns for such cells (a set test per row is cheap; most have none).
_CONVERTED_CLASSES = frozenset({bool, dt.datetime, dt.date, dt.time, dt.timedelta})


# A sheet as read: its name, its rows' texts, the rows it hides, its converted cells.
SheetRows = tuple[str, Iterator[list[str]], frozenset[int], dict[tuple[int, int], str]]


def _xlsx_sheets(path: Path, wanted: str | None, limits: Limits = DEFAULT_LIMITS) -> Iterator[SheetRows]:
    """Each sheet to try: its name, its rows' texts, the numbers of the rows it hides, and
    its converted cells (filled in as the rows are read)."""
    workbook, names = _open_workbook(path, wanted)
    with _guarded(path, None, lambda: zipfile.ZipFile(path)) as archive:
        parts = _guarded(path, None, lambda: xlsx_scan.sheet_parts(archive))
        styles = _guarded(path, None, lambda: xlsx_formats.padded_styles(archive))
        for name in names:
            member = parts.get(name)
            raw, merges, scan = _sheet_cells(path, workbook, archive, member, name, limits)
            show = partial(xlsx_formats.shown_cells, archive, member or "", styles, raw, merges, cell_text)
            shown = _guarded(path, name, show) if styles or merges else {}
            converted = _uncalculated(path, name, archive, member or "") if scan.formulas else {}
            yield name, _shown_texts(raw, shown, converted), scan.hidden, converted


def _uncalculated(path: Path, name: str, archive: zipfile.ZipFile, member: str) -> dict[tuple[int, int], str]:
    """The formula cells without a saved value, by (row number, column), as `converted`."""
    found = _guarded(path, name, lambda: xlsx_scan.uncalculated_formulas(archive, member))
    return {(row + 1, column): "formula" for row, column in found}


def _shown_texts(
    raw: Sequence[Sequence[object]], shown: xlsx_formats.Shown, converted: dict[tuple[int, int], str]
) -> Iterator[list[str]]:
    """The rows' texts, with the cells Excel shows otherwise than calamine reads them (a
    zero-padded number `01067`, a cell merged into the one above) as Excel shows them.
    Cells holding a date, time or TRUE/FALSE go into `converted` by (row number, column)."""
    for number, row in enumerate(raw):
        texts = [v if v.__class__ is str else cell_text(v) for v in row]
        if not _CONVERTED_CLASSES.isdisjoint(map(type, row)):
            for column, value in enumerate(row):
                kind = converted_kind(value)
                if kind is not None:
                    converted[(number + 1, column)] = kind
        for column, text in shown.get(number, {}).items():
            texts[column] = text
        yield texts


def _open_workbook(path: Path, wanted: str | None) -> tuple[CalamineWorkbook, list[str]]:
    """The workbook and the names of the sheets to try: `wanted`, or every visible one."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [m for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        names = [m.name for m in sheets]
        # Hidden sheets are read only when named with --sheet.
        visible = [m.name for m in sheets if m.visible == python_calamine.SheetVisibleEnum.Visible]
    except BaseException as exc:  # calamine raises several undocumented types, and panics
        if not is_failure(exc):
            raise
        raise FileError(
            "unreadable_file",
            f"{path.name} cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); "
            "open it in Excel and save it again as .xlsx",
        ) from None
    if wanted is None:
        return workbook, visible
    if wanted not in names:
        raise FileError(
            "sheet_not_found",
            f"{path.name} has no sheet named {wanted!r}; its sheets: {', '.join(names)}",
        )
    return workbook, [wanted]


def _sheet_cells(
    path: Path,
    workbook: CalamineWorkbook,
    archive: zipfile.ZipFile,
    member: str | None,
    name: str,
    limits: Limits,
) -> tuple[Sequence[Sequence[object]], list[xlsx_formats.Merge], xlsx_scan.SheetScan]:
    """Every cell of a sheet from A1, once its XML shows that it fits `limits.max_cells`,
    its merged ranges, and the scan of its XML (the rows it hides, whether it has formulas).

    calamine allocates the whole block at once, before any limit could be checked on
    what it returns; error cells it would lose are handed to it as text.
    """
    if member is None:
        raise FileError("unreadable_file", f"sheet {name!r} of {path.name} is not in the workbook's parts")
    scan = _guarded(path, name, lambda: xlsx_scan.scan_sheet(archive, member, limits.max_cells))
    if scan.cells > limits.max_cells:
        raise _too_large(path, name, scan, limits.max_cells)
    if not scan.errors:
        return (*_dense_cells(path, lambda: workbook, name, limits), scan)
    with _guarded(path, name, lambda: xlsx_scan.errors_as_text(archive, member)) as copy:
        return (*_dense_cells(path, lambda: type(workbook).from_filelike(copy), name, limits), scan)


def _dense_cells(
    path: Path, workbook: Callable[[], CalamineWorkbook], name: str, limits: Limits
) -> tuple[Sequence[Sequence[object]], list[xlsx_formats.Merge]]:
    """The sheet's cells as calamine reads them, from A1, and its merged ranges."""
    try:
        sheet = workbook().get_sheet_by_name(name)
        rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if rows * columns > limits.max_cells:  # had the scan missed a cell
            raise _too_large(path, name, xlsx_scan.SheetScan(rows, columns), limits.max_cells)
        return sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or ())
    except FileError:
        raise
    except BaseException as exc:  # see _open_workbook
        if not is_failure(exc):
            raise
        why = _why(exc)
        raise FileError("unreadable_file", f"sheet {name!r} of {path.name} cannot be read ({why})") from None


def _why(exc: BaseException) -> str:
    """What calamine's failure means for the person who must fix the file."""
    if type(exc).__name__ == "PanicException" and "TimeDelta" in str(exc):
        # chrono's limit, reached by a date-formatted cell (Excel shows such a cell as #####).
        return (
            f"a cell formatted as a date or time holds a number no date can have ({exc}); "
            "in Excel it shows as #####: correct the cell or format it as a number"
        )
    return str(exc)


def _guarded(path: Path, name: str | None, step: Callable[[], T]) -> T:
    """The step's result; a workbook whose zip or XML cannot be scanned is unreadable."""
    try:
        return step()
    except Exception as exc:  # zipfile and zlib raise several types for damaged parts
        where = f"sheet {name!r} of {path.name}" if name else path.name
        reason = str(exc) if isinstance(exc, xlsx_scan.SheetXmlError) else f"{type(exc).__name__}: {exc}"
        raise FileError(
            "unreadable_file",
            f"{where} cannot be read: {reason}; open it in Excel and save it again as .xlsx",
        ) from None


def _too_large(path: Path, name: str, scan: xlsx_scan.SheetScan, limit: int) -> FileError:
    """The refusal of a sheet whose block of cells exceeds `limit`, naming its far cells."""
    spans = (
        f"its used range A1:{xlsx_scan.cell_name(scan.rows - 1, scan.columns - 1)} spans "
        f"{scan.cells:,} cells, more than the limit of {limit:,}"
    )
    # Mostly empty: a few stray values far from the data, not a sheet too big to read.
    if scan.far and scan.values is not None and scan.values * 2 < scan.cells:
        what = "a value in cell" if len(scan.far) == 1 else "values in cells"
        return FileError(
            "file_too_large",
            f"sheet {name!r} of {path.name} has {what} {' and '.join(scan.far)}, far outside its data: "
            f"{spans}; delete the stray cells or rows/columns and save again",
        )
    return FileError(
        "file_too_large",
        f"sheet {name!r} of {path.name}: {spans}; remove empty formatted rows and columns or split it",
    )
