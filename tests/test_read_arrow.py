"""The CSV fast reader (Arrow's) gives exactly the csv module's table wherever it is used:
the same headers, header row, cells, blank rows and row numbers; otherwise it steps aside."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
from factories import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import read
from pipeline.columns import synonym_index
from pipeline.sample import generate_rows, write_sheet

INDEX = synonym_index(None)
HEADER = ["ERP ID", "Short name", "Country", "Tax ID"]

# Cells from what trips readers up: delimiters, line ends inside and between records,
# Python's white space that Arrow might not call white space, quotes, non-ASCII text.
_CELL = st.text(alphabet=list("aZ09 ,;|\t\r\n\x1c\x1f\x85\xa0\u2028\u3000é€\"'x"), max_size=6)
_ROW = st.lists(_CELL, min_size=1, max_size=6) | st.lists(_CELL, min_size=4, max_size=4)


def _both(path: Path) -> tuple[read.Table | None, read.Table | None]:
    fast = read._arrow_csv_table(path, "sha", INDEX)
    plain = read._table(path, "sha", None, read._csv_stream(path, INDEX), INDEX, min_known=1)
    return fast, plain


def _same(fast: read.Table, plain: read.Table | None) -> None:
    assert plain is not None
    assert (fast.headers, fast.header_row) == (plain.headers, plain.header_row)
    pd.testing.assert_frame_equal(fast.cells, plain.cells)


@examples(quick=60, thorough=400)
def test_arrow_reader_reads_what_the_csv_module_reads(tmp_path: Path, examples: int) -> None:
    """It gives the csv module's table for any plain file it takes, and steps aside otherwise."""

    @settings(max_examples=examples, deadline=None)
    @given(
        rows=st.lists(_ROW, max_size=8),
        title=st.booleans(),
        ending=st.sampled_from(["\n", "\r\n", "\r"]),
        last_newline=st.booleans(),
        delimiter=st.sampled_from([",", ";", "\t"]),
        bom=st.booleans(),
    )
    def same_table(
        rows: list[list[str]], title: bool, ending: str, last_newline: bool, delimiter: str, bom: bool
    ) -> None:
        records = ([["Customers"]] if title else []) + [HEADER] + rows
        text = ending.join(delimiter.join(cells) for cells in records) + (ending if last_newline else "")
        path = tmp_path / "any.csv"
        path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
        try:
            fast, plain = _both(path)
        except read.FileError:
            return  # the csv module refuses the file; the fast reader must not have been needed
        if fast is not None:
            _same(fast, plain)

    same_table()


def test_arrow_reader_takes_a_plain_customer_file(tmp_path: Path) -> None:
    """It reads a generated customer file (UTF-8, no quotes) and equals the csv module there."""
    path = tmp_path / "customers.csv"
    write_sheet(path, generate_rows(500, seed=2, bad_ratio=0.2))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(",,,,,,,,,,,,,,,,,\n\n")  # a blank row, an empty line
    fast, plain = _both(path)
    assert fast is not None
    _same(fast, plain)


def test_arrow_reader_reads_blank_looking_cells_as_the_csv_module(tmp_path: Path) -> None:
    """It tells blank rows by Python's white space (\\x1c, no-break space) and keeps the
    numbers of the rows after them, with a BOM and old Mac line ends."""
    records = [
        "Customers;;;",
        "ERP ID;Short name;Country;Tax ID",
        "\x1c; \xa0;\u3000;",
        "C1;A;NL;x",
        ";;;",
        "C2; B ;\x85;",
    ]
    path = tmp_path / "blanks.csv"
    path.write_bytes(codecs.BOM_UTF8 + "\r".join(records).encode("utf-8"))
    fast, plain = _both(path)
    assert fast is not None
    _same(fast, plain)
    assert list(fast.cells.index) == [4, 6]


def test_arrow_reader_steps_aside_for_quotes_and_other_encodings(tmp_path: Path) -> None:
    """It leaves files with quotes, Windows-1252 text or NUL bytes to the csv module."""
    lines = {
        "quoted.csv": (b'ERP ID,Short name\nC1,"Acme, Inc"\n'),
        "latin.csv": "ERP ID,Short name\nC1,Müller\n".encode("cp1252"),
        "nul.csv": b"ERP ID,Short name\nC1,A\x00B\n",
        "ragged.csv": b"ERP ID,Short name\nC1,A,extra\nC2\n",
    }
    for name, data in lines.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert read._arrow_csv_table(path, "sha", INDEX) is None, name
