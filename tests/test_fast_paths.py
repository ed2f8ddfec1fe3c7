"""The fast paths (compiled vectorized checks, outcome tables, validation in parts,
accepted rows on disk) decide exactly what the plain path decides: the same problems,
the same values."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from pipeline import fast as compiled
from pipeline.columns import field_frame, map_headers
from pipeline.config import Config
from pipeline.read import read_table
from pipeline.sample import generate_rows, write_sheet
from pipeline.validate import Validation, validate

# Values typed the many ways people type them, good and bad, beyond the generator's mistakes.
VARIANTS: dict[str, list[str]] = {
    "tax_id": ["nl 0064.86.253.b01", "NL123", "DE 136 695 976", "BE0403019261", "", "=1+1"],
    "contact_phone": ["+31(0)40 123 4567", "040-1234567", "0031 40 123 4567", "12", "+32 2 555 12 12"],
    "postal_code": ["5652aw", " 5652  AW ", "5652", "1000", "12345", "SA 5652"],
    "contact_email": ["Jan@Example.NL", "jan@", "jan..x@example.nl", "jan@example", "ü@bücher.de"],
    "country": ["nederland", "Deutschland", "BE", "Holland", "UK", "Atlantis", ""],
    "currency": ["eur", "€", "Euro", "USD", "EURO$"],
    "registration_number": ["12345678", "1234567", "0403.019.261", "HRB 1234", "abc"],
    "state": ["", "Noord-Brabant", "NB", "Bavaria", "Nowhere"],
    "erp_id": ["C0000001", "C0000002", "  C0000003 "],
}


def _hard_sheet(path: Path, count: int) -> Path:
    rows = generate_rows(count, seed=11, bad_ratio=0.3)
    rng = random.Random(5)
    for row in rows:
        if rng.random() < 0.25:
            field = rng.choice(list(VARIANTS))
            row[field] = rng.choice(VARIANTS[field])
    write_sheet(path, rows)
    return path


def _validate(path: Path, **options: object) -> Validation:
    table = read_table(path)
    columns = map_headers(table.headers)
    config = Config()
    return validate(
        field_frame(columns, table.cells), columns, config.industries, config.currencies, **options
    )  # type: ignore[arg-type]


def _accepted(validation: Validation) -> pd.DataFrame:
    frame = validation.accepted.frame().astype(object)
    return frame.where(frame.notna(), None).sort_index()


# A few parts of a file in make test; more rows, so more of each kind of value, in make test-slow.
@pytest.mark.parametrize(
    "rows", [pytest.param(1_500, id="quick"), pytest.param(4_000, id="thorough", marks=pytest.mark.slow)]
)
def test_fast_paths_decide_what_the_plain_path_decides(tmp_path: Path, rows: int) -> None:
    """Compiled checks, parts and outcome tables give the same rejects, messages and values."""
    path = _hard_sheet(tmp_path / "hard.csv", rows)
    plain = _validate(path, fast=False, part_rows=10 * rows)
    # Small parts, so that this small file takes every path a large one takes.
    fast = _validate(path, fast=True, part_rows=700)
    table = read_table(path)
    phones = field_frame(map_headers(table.headers), table.cells)["contact_phone"].dropna()
    assert compiled.decide("contact_phone", phones, pd.Series("NL", index=phones.index)).notna().any()

    codes = {issue.code for issue in plain.errors}
    assert len(codes) >= 10, f"the file should hold many kinds of problems, has {codes}"
    assert 0 < len(plain.rejected_rows) < rows
    assert fast.rows == plain.rows == rows
    assert fast.errors == plain.errors
    assert fast.warnings == plain.warnings
    pd.testing.assert_frame_equal(_accepted(fast), _accepted(plain))
    assert len(fast.rejected_rows) + fast.accepted.rows == rows


def test_repeated_erp_ids_are_found_across_parts(tmp_path: Path) -> None:
    """Every row of an ERP ID repeated in different parts of the file is rejected."""
    rows = generate_rows(50, seed=3, bad_ratio=0)
    rows[45]["erp_id"] = rows[2]["erp_id"]
    path = tmp_path / "repeat.csv"
    write_sheet(path, rows)
    validation = _validate(path, part_rows=10)
    duplicated = sorted(i.row for i in validation.errors if i.code == "duplicate_in_file")
    assert duplicated == [4, 47]  # the header is row 1
