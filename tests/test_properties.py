"""Invariants over arbitrary sheets: whatever the cells hold, validation counts and reports every row."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from factories import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline.config import Config
from pipeline.importer import validate_file
from pipeline.validate import clean
from schemas.fields import FIELDS as FIELD_FACTS
from schemas.rules.text import clean_text

FIELDS = tuple(FIELD_FACTS)

# Values that stress the reader and the checks: blanks, white space, numbers as text,
# formula-like text, leading zeros, near-valid values.
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "  \t ",
        "\u00a0",
        "\n",
        "\x00",
        "\x1f",
        "a\x07b",
        "\u200b",
        "0",
        "00123",
        "123",
        "1.5",
        "1e3",
        "-0",
        "=1+2",
        '=HYPERLINK("http://x")',
        "+31 6 12345678",
        "-12",
        "@SUM(A1)",
        "'quoted",
        '"',
        ",;|",
        "NL",
        "Nederland",
        "EUR",
        "€",
        "Commercial",
        "non profit",
        "NL006486253B01",
        "5652aw",
        "jan@example.com",
        "2026-11-25",
        "TRUE",
        "Zoë Ærø 東京 🚀",
    ]
)
CELL = st.one_of(TRICKY, st.text(max_size=12), st.integers(-(10**18), 10**18).map(str))


# A row: arbitrary cells, blank cells, or valid customer `index` with some cells replaced
# (mostly near-misses of one field). Valid rows are built in the test from `valid_row`.
RowSpec = tuple[int | None, dict[str, str]]
ARBITRARY = st.tuples(st.none(), st.fixed_dictionaries({f: CELL for f in FIELDS}))
WHITE = st.sampled_from(["", " ", "\t", "\u00a0", "\u3000"])
BLANK = st.tuples(st.none(), st.fixed_dictionaries({f: WHITE for f in FIELDS}))
VALID = st.tuples(st.integers(0, 5), st.dictionaries(st.sampled_from(FIELDS), CELL, max_size=2))
SHEETS = st.tuples(
    st.sampled_from([".csv", ".xlsx"]),
    st.permutations(FIELDS),
    st.lists(st.one_of(ARBITRARY, BLANK, VALID), max_size=8),
)


def _xlsx_safe(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Cells an .xlsx file can hold: XML forbids most control characters."""
    return [{f: ILLEGAL_CHARACTERS_RE.sub("", v) for f, v in row.items()} for row in rows]


# The fixtures used are pure functions, safe to share between examples.
@pytest.mark.parametrize(
    "examples", [pytest.param(12, id="quick"), pytest.param(60, id="thorough", marks=pytest.mark.slow)]
)
def test_every_row_is_counted_once_and_every_reject_is_reported(
    examples: int, write_sheet: Callable[..., Path], valid_row: Callable[..., dict[str, str]]
) -> None:
    """It never raises, counts every non-blank row as accepted or rejected, and reports each
    rejected row (a few sheets in `make test`, many more in `make test-slow`)."""
    shared = [HealthCheck.function_scoped_fixture]
    check = settings(max_examples=examples, deadline=None, suppress_health_check=shared)
    check(given(sheet=SHEETS)(_counted_once))(write_sheet=write_sheet, valid_row=valid_row)


def _counted_once(
    sheet: tuple[str, list[str], list[RowSpec]],
    write_sheet: Callable[..., Path],
    valid_row: Callable[..., dict[str, str]],
) -> None:
    suffix, order, specs = sheet
    rows = [cells if index is None else valid_row(index, **cells) for index, cells in specs]
    if suffix == ".xlsx":
        rows = _xlsx_safe(rows)
    # Data rows follow the header in row 1; a row is blank when every cell is white space.
    expected_rows = {n for n, row in enumerate(rows, start=2) if any(v.strip() for v in row.values())}
    with tempfile.TemporaryDirectory() as folder:
        path = write_sheet(Path(folder) / f"sheet{suffix}", rows, fields=order)

        result = validate_file(path, Config(report_dir=Path(folder) / "reports"))

        assert result.error is None, result.error.message
        assert result.rows == result.accepted + result.rejected
        assert result.rows == len(expected_rows)
        assert result.report_dir is not None
        with (result.report_dir / "rejects.csv").open(encoding="utf-8", newline="") as handle:
            reported = {int(line["row"]) for line in csv.DictReader(handle)}
        rejected_rows = {issue.row for issue in result.errors}
        assert len(rejected_rows) == result.rejected
        assert rejected_rows == reported
        assert reported <= expected_rows


# Every white space of `schemas.rules.text.WHITESPACE`, plain spaces and a little text.
SPACED_TEXT = st.lists(
    st.lists(
        st.sampled_from([" ", "  ", "\t", "\n", "\r", "\f", "\v", "\u00a0", "\u1680", "\u2000", "\u2009"])
        | st.sampled_from(
            ["\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "a", "Bé", "1"]
        ),
        max_size=8,
    ).map("".join),
    min_size=1,
    max_size=30,
)


@examples(quick=100, thorough=1000)
def test_cleaning_a_frame_is_cleaning_each_cell(examples: int) -> None:
    """It cleans every cell of a frame as `clean_text` cleans the one value (trimmed, runs
    of white space as one space, blank as missing), whether or not a column holds white
    space to collapse: the frame skips the rewrite of a column that has none."""

    @settings(max_examples=examples, deadline=None)
    @given(st.lists(SPACED_TEXT, min_size=1, max_size=3))
    def agrees(columns: list[list[str]]) -> None:
        rows = max(len(column) for column in columns)
        padded = [column + ["x"] * (rows - len(column)) for column in columns]
        frame = pd.DataFrame({i: pd.array(column, dtype="str") for i, column in enumerate(padded)})

        cleaned = clean(frame)

        for i, column in enumerate(padded):
            expected = [clean_text(value) or None for value in column]
            assert [None if pd.isna(value) else value for value in cleaned[i]] == expected

    agrees()
