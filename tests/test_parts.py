"""Large files are read, validated and loaded in parts (README: Large files). Small parts
make a small file take the same path a million-row file takes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from factories import StoreView, json_lines, read_csv, valid_row, write_sheet

import pipeline.importer
import pipeline.read
from pipeline.store import audit, batches, customers
from pipeline.validate import validate


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_read_in_parts_counts_numbers_and_finds_duplicates_across_parts(
    suffix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    onboard: Callable[..., Result],
    db_url: str,
    store: StoreView,
) -> None:
    """It gives a file read 3 rows and validated 4 rows at a time the rows, row numbers,
    duplicates and stored customers of a file read whole."""
    monkeypatch.setattr(pipeline.read, "BATCH_ROWS", 3)
    monkeypatch.setattr(pipeline.importer, "validate", functools.partial(validate, part_rows=4))
    rows = [valid_row(i) for i in range(11)]
    rows[9] = valid_row(9, erp_id=rows[1]["erp_id"])  # repeats row 3's ERP ID, three parts later
    rows[6] = valid_row(6, tax_id="NL123")  # invalid, in a middle part
    blank = dict.fromkeys(rows[0], "")
    # Blank rows are skipped but keep their numbers: they shift the parts' boundaries.
    sheet = write_sheet(tmp_path / f"parts{suffix}", [*rows[:4], blank, *rows[4:8], blank, *rows[8:]])

    result = onboard("import", sheet, "--db", db_url, "--json")

    assert result.exit_code == 1, result.output
    (summary,) = json_lines(result.stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (11, 8, 3)
    assert summary["errors_by_code"] == {"duplicate_in_file": 2, "invalid_tax_id": 1}
    rejects = read_csv(Path(summary["report_dir"]) / "rejects.csv")
    # The header is row 1; blank rows 6 and 11 count in the numbering.
    assert sorted((int(r["row"]), r["code"]) for r in rejects) == [
        (3, "duplicate_in_file"),
        (9, "invalid_tax_id"),
        (13, "duplicate_in_file"),
    ]
    stored = sorted(row["erp_id"] for row in store.rows(customers))
    assert stored == sorted(rows[i]["erp_id"] for i in (0, 2, 3, 4, 5, 7, 8, 10))
    (batch,) = store.rows(batches)
    assert (batch["rows"], batch["accepted"], batch["inserted"]) == (11, 8, 8)
    assert store.count(audit) == 8
