"""The read stage: real .csv and .xlsx files in, text cells and the user's row numbers out."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from pipeline import xlsx_scan
from pipeline.issues import FileError
from pipeline.read import read_table

HEADER = ["ERP ID", "Short name", "Country", "Tax ID"]


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV file of `lines` (cells split on "|"), in `encoding`, with CRLF line ends."""
    text = "".join(delimiter.join(line.split("|")) + "\r\n" for line in lines)
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An .xlsx with one sheet per entry, its rows appended from row 1."""
    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def read_error(path: Path, **options: Any) -> FileError:
    with pytest.raises(FileError) as caught:
        read_table(path, **options)
    return caught.value


# --- header row and row numbers ---------------------------------------------------------


def test_header_below_title_rows_xlsx(tmp_path: Path) -> None:
    """It skips title rows above the header and numbers rows as Excel shows them."""
    path = write_xlsx(
        tmp_path / "titled.xlsx",
        {
            "Customers": [
                ["Customer list Q1"],
                ["exported 2024-01-31"],
                [],
                HEADER,
                ["00123", "Copaco", "NL", "NL006486253B01"],
                ["00124", "Acme", "DE", "DE136695976"],
            ]
        },
    )
    table = read_table(path)
    assert table.header_row == 4
    assert table.headers == tuple(HEADER)
    assert table.sheet == "Customers"
    assert table.row_numbers == [5, 6]
    assert table.rows[0] == ["00123", "Copaco", "NL", "NL006486253B01"]


def test_header_below_title_rows_csv(tmp_path: Path) -> None:
    """It skips title lines above a CSV header; the header row is the record's number."""
    path = write_csv(tmp_path / "titled.csv", ["Customer list", "", "|".join(HEADER), "1|Copaco|NL|x"])
    table = read_table(path)
    assert table.header_row == 3
    assert table.row_numbers == [4]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_rows_are_skipped_but_numbers_kept(tmp_path: Path, suffix: str) -> None:
    """It leaves out fully blank rows without renumbering the rows after them."""
    rows = [HEADER, ["1", "A", "NL", "x"], ["", "", "", ""], ["", " ", "", ""], ["2", "B", "NL", "y"]]
    if suffix == ".csv":
        path = write_csv(tmp_path / "blank.csv", ["|".join(r) for r in rows])
    else:
        path = write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": [[c or None for c in r] for r in rows]})
    table = read_table(path)
    assert table.row_numbers == [2, 5]
    assert [r[0] for r in table.rows] == ["1", "2"]


def test_empty_csv_lines_are_skipped_but_numbers_kept(tmp_path: Path) -> None:
    """It skips empty CSV lines (no delimiters at all) and keeps the file's record numbers."""
    path = tmp_path / "gaps.csv"
    path.write_bytes(b"ERP ID,Short name\n1,A\n\n\n2,B\n")
    table = read_table(path)
    assert table.row_numbers == [2, 5]


def test_short_rows_are_padded(tmp_path: Path) -> None:
    """It pads a row with fewer cells than the header to the header's width."""
    path = tmp_path / "short.csv"
    path.write_bytes(b"ERP ID,Short name,Country\n1,A\n")
    assert read_table(path).rows == [["1", "A", ""]]


def test_multiline_cell_does_not_shift_row_numbers(tmp_path: Path) -> None:
    """It numbers CSV rows by record, so a quoted cell over several lines shifts nothing."""
    path = tmp_path / "multiline.csv"
    path.write_bytes(
        b'ERP ID,Short name,Address\r\n1,A,"Hurksestraat 45\r\nBuilding B\r\n2nd floor"\r\n2,B,Main St 1\r\n'
    )
    table = read_table(path)
    assert table.row_numbers == [2, 3]
    assert table.rows[0][2] == "Hurksestraat 45\r\nBuilding B\r\n2nd floor"
    assert table.rows[1] == ["2", "B", "Main St 1"]


# --- CSV encodings and delimiters ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    """It reads UTF-8 with and without BOM, Windows-1252 and UTF-16 with BOM alike."""
    path = write_csv(
        tmp_path / "enc.csv", ["ERP ID|Short name|City", "1|Café Ümit|Zoëtermeer"], encoding=encoding
    )
    if encoding == "utf-16":
        assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    table = read_table(path)
    assert table.headers == ("ERP ID", "Short name", "City")
    assert table.rows == [["1", "Café Ümit", "Zoëtermeer"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(tmp_path: Path, delimiter: str) -> None:
    """It detects comma, semicolon and tab as the delimiter, even with the others in cells."""
    # A cell holding the delimiter must be quoted, as every spreadsheet program writes it.
    lines = ["ERP ID|Full name|Address", '1|"Jansen, Smit & Co; B.V."|Markt 1']
    path = write_csv(tmp_path / "delim.csv", lines, delimiter=delimiter)
    table = read_table(path)
    assert table.headers == ("ERP ID", "Full name", "Address")
    assert table.rows == [["1", "Jansen, Smit & Co; B.V.", "Markt 1"]]


# --- cells exactly as the user sees them -----------------------------------------------------


def test_csv_keeps_leading_zeros(tmp_path: Path) -> None:
    """It keeps an ERP ID of 00123 as 00123 in a CSV."""
    path = write_csv(tmp_path / "zeros.csv", ["ERP ID|Short name", "00123|A"])
    assert read_table(path).rows[0][0] == "00123"


def test_xlsx_cells_read_as_shown(tmp_path: Path) -> None:
    """It reads xlsx cells as text the way Excel shows them: 00123, 123, 12.5, 2024-01-31."""
    path = write_xlsx(
        tmp_path / "cells.xlsx",
        {"Sheet1": [[*HEADER, "Note"], ["00123", 123, 12.5, dt.date(2024, 1, 31), True]]},
    )
    assert read_table(path).rows == [["00123", "123", "12.5", "2024-01-31", "TRUE"]]


def test_xlsx_datetime_at_midnight_reads_as_date(tmp_path: Path) -> None:
    """It reads a date-time cell at midnight as the date alone."""
    path = write_xlsx(tmp_path / "dt.xlsx", {"Sheet1": [HEADER, ["1", dt.datetime(2024, 1, 31), "NL", "x"]]})
    assert read_table(path).rows[0][1] == "2024-01-31"


def test_xlsx_float_integer_reads_without_decimals(tmp_path: Path) -> None:
    """It reads a float cell holding a whole number (123.0) as 123."""
    path = write_xlsx(tmp_path / "f.xlsx", {"Sheet1": [HEADER, [123.0, "A", "NL", 17087985.0]]})
    assert read_table(path).rows[0] == ["123", "A", "NL", "17087985"]


# --- sheets --------------------------------------------------------------------------------


def test_sheet_option_selects_a_sheet(tmp_path: Path) -> None:
    """It reads the sheet named with --sheet; without it, customers on two sheets are
    refused, naming both (reading one would leave the other's customers out unseen), and
    a sheet of notes beside the customers is no second one."""
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {"First": [HEADER, ["1", "A", "NL", "x"]], "Second": [HEADER, ["2", "B", "DE", "y"]]},
    )
    error = read_error(path)
    assert error.code == "several_customer_sheets"
    assert "'First' and 'Second'" in error.message and "--sheet" in error.message
    notes = write_xlsx(
        tmp_path / "notes.xlsx", {"First": [HEADER, ["1", "A", "NL", "x"]], "Notes": [["ERP ID"]]}
    )
    assert read_table(notes).sheet == "First"
    table = read_table(path, sheet="Second")
    assert table.sheet == "Second"
    assert table.rows == [["2", "B", "DE", "y"]]


def test_sheets_beside_the_customers_that_hold_none_are_no_second_one(tmp_path: Path) -> None:
    """It reads the customer sheet of a workbook whose other sheets hold lists for
    drop-downs (Country, Currency, Industry: no ERP ID), only a header, or cannot be read
    (a stray cell far away): looking at the other sheets never fails the file."""
    lists = [["Country", "Currency", "Industry"], ["NL", "EUR", "Government"]]
    customers = [HEADER, ["1", "A", "NL", "x"]]
    for others in ({"Lists": lists}, {"Empty": [HEADER]}, {"Lists": lists, "Dump": [["x"]]}):
        assert (
            read_table(write_xlsx(tmp_path / "beside.xlsx", {"Customers": customers, **others})).sheet
            == "Customers"
        )
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    for row in customers:
        first.append(row)
    far = workbook.create_sheet("Dump")
    far["A1"], far["XFD1048576"] = "x", "far"
    workbook.save(tmp_path / "far.xlsx")
    assert read_table(tmp_path / "far.xlsx").rows == [["1", "A", "NL", "x"]]


def test_unknown_sheet(tmp_path: Path) -> None:
    """It refuses a --sheet the workbook does not have, naming the sheets it has."""
    path = write_xlsx(tmp_path / "one.xlsx", {"Customers": [HEADER]})
    error = read_error(path, sheet="Klanten")
    assert error.code == "sheet_not_found"
    assert "Klanten" in error.message
    assert "Customers" in error.message


def test_first_sheet_without_header_is_skipped(tmp_path: Path) -> None:
    """It skips a first sheet without a header row for a later sheet that has one."""
    path = write_xlsx(
        tmp_path / "cover.xlsx",
        {
            "Read me": [["How to fill in this workbook"], ["Country: the customer's country"]],
            "Customers": [["Customer list"], HEADER, ["00123", "Copaco", "NL", "NL006486253B01"]],
        },
    )
    table = read_table(path)
    assert table.sheet == "Customers"
    assert table.header_row == 2
    assert table.row_numbers == [3]


# --- files that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize("name", ["customers.xls", "customers.ods", "customers.txt", "customers"])
def test_unsupported_file_type(tmp_path: Path, name: str) -> None:
    """It refuses files other than .xlsx and .csv."""
    path = tmp_path / name
    path.write_bytes(b"ERP ID,Short name\n1,A\n")
    assert read_error(path).code == "unsupported_file_type"


@pytest.mark.parametrize("name", ["missing.csv", "missing.xlsx"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    """It reports a file that does not exist as file_not_found."""
    assert read_error(tmp_path / name).code == "file_not_found"


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    """It refuses random bytes named .xlsx as unreadable."""
    path = tmp_path / "fake.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    assert read_error(path).code == "unreadable_file"


def test_csv_with_unclosed_quote(tmp_path: Path) -> None:
    """It refuses a CSV whose quote is never closed rather than swallowing the rest."""
    path = tmp_path / "quote.csv"
    path.write_bytes(b'ERP ID,Short name,Country\n1,"Copaco,NL\n2,Acme,DE\n')
    assert read_error(path).code == "unreadable_file"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_header_row(tmp_path: Path, suffix: str) -> None:
    """It refuses a file none of whose first rows names a customer field."""
    rows = [["apples", "pears"], ["1", "2"]]
    if suffix == ".csv":
        path = write_csv(tmp_path / "fruit.csv", ["|".join(r) for r in rows])
    else:
        path = write_xlsx(tmp_path / "fruit.xlsx", {"Fruit": rows})
    assert read_error(path).code == "no_header_row"


# --- the sheet's extent, from its XML, before calamine reads it ------------------------------


@given(bound=st.integers(1, 2_000_000), value=st.integers(1, 3_000_000))
def test_at_most_pattern_compares_like_numbers(bound: int, value: int) -> None:
    """It builds a pattern that matches a row number or column exactly when it is at most the bound."""
    rows = re.compile(xlsx_scan._at_most(str(bound), "0", "9"))
    assert bool(rows.fullmatch(str(value))) == (value <= bound)
    columns = re.compile(xlsx_scan._at_most(xlsx_scan._column_letters(bound), "A", "Z"))
    assert bool(columns.fullmatch(xlsx_scan._column_letters(value))) == (value <= bound)


def _sheet_zip(path: Path, rows: list[str]) -> zipfile.ZipFile:
    """A zip holding one sheet part whose sheetData is `rows` (XML), for `scan_sheet`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sheet.xml", f"<worksheet><sheetData>{''.join(rows)}</sheetData></worksheet>")
    return zipfile.ZipFile(path)


def _row(number: int, columns: tuple[str, ...] = ("A", "B", "C")) -> str:
    cells = "".join(f'<c r="{column}{number}"><v>{number}</v></c>' for column in columns)
    return f'<row r="{number}">{cells}</row>'


# Sheets by their number of rows n: the rows' XML, the last row and the last column.
EXTENTS: dict[str, Callable[[int], tuple[list[str], int, int]]] = {
    "rows in order": lambda n: ([_row(r) for r in range(1, n + 1)], n, 3),
    "rows in reverse order": lambda n: ([_row(r) for r in range(n, 0, -1)], n, 3),
    "a wider row half-way": lambda n: (
        [_row(r, ("A", "B", "C", "AZ") if r == n // 2 else ("A", "B", "C")) for r in range(1, n + 1)],
        n,
        52,
    ),
    "a cell of a far row inside an early row": lambda n: (
        [_row(1), '<row r="2"><c r="B2000000"><v>1</v></c></row>', *(_row(r) for r in range(3, n + 1))],
        2_000_000,
        3,
    ),
}


# make test: pieces of 4 KB over 1,500 rows; make test-slow: the real megabyte pieces over
# 40,000 rows (several megabytes of XML). Either way the sheet spans more than three pieces.
@pytest.mark.parametrize(
    ("chunk", "count"),
    [
        pytest.param(4096, 1_500, id="quick"),
        pytest.param(None, 40_000, id="thorough", marks=pytest.mark.slow),
    ],
)
@pytest.mark.parametrize("case", list(EXTENTS))
def test_sheet_extent_across_pieces(
    case: str, chunk: int | None, count: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It bounds a sheet whose XML spans several pieces by every cell, wherever it lies."""
    if chunk is not None:
        monkeypatch.setattr(xlsx_scan, "_CHUNK", chunk)
    rows, last_row, last_column = EXTENTS[case](count)
    with _sheet_zip(tmp_path / "sheet.zip", rows) as archive:
        assert archive.getinfo("sheet.xml").file_size > 3 * xlsx_scan._CHUNK
        bound = xlsx_scan.scan_sheet(archive, "sheet.xml", limit=10**12)
        exact = xlsx_scan.scan_sheet(archive, "sheet.xml", limit=1)
    assert last_row <= bound.rows <= last_row * 1.1
    assert bound.columns == last_column
    assert (exact.rows, exact.columns) == (last_row, last_column)
