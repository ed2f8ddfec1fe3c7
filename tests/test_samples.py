"""The sample spreadsheets give exactly their documented problems, and the generator
writes valid customers with the share of mistakes asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import StoreView

from pipeline.config import Config
from pipeline.importer import import_file, validate_file
from pipeline.sample import generate_rows, write_sheet
from pipeline.store import customers, open_store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "samples.json"


def problems(path: Path, tmp_path: Path) -> dict[str, object]:
    result = validate_file(path, Config(report_dir=tmp_path))
    return {
        "rows": result.rows,
        "accepted": result.accepted,
        "errors": sorted([i.row, i.field, i.code] for i in result.errors),
        "warnings": sorted([i.row, i.field, i.code] for i in result.warnings),
        "unmapped_columns": result.unmapped_columns,
    }


@pytest.mark.parametrize("name", ["portal-customers.xlsx", "klanten-nl.csv", "multi-country.xlsx"])
def test_samples_match_their_golden_problems(name: str, tmp_path: Path) -> None:
    """It finds exactly the problems samples/README.md documents for each sample."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert problems(SAMPLES / name, tmp_path) == golden[name]


def test_generator_is_deterministic() -> None:
    """It writes the same customers for the same seed."""
    assert generate_rows(200, seed=4) == generate_rows(200, seed=4)
    assert generate_rows(200, seed=4) != generate_rows(200, seed=5)


def test_generated_customers_are_valid_where_no_mistake_was_made(tmp_path: Path) -> None:
    """It generates customers that pass every check when asked for no mistakes."""
    path = tmp_path / "clean.csv"
    write_sheet(path, generate_rows(2000, seed=1, bad_ratio=0.0))
    result = validate_file(path, Config(report_dir=tmp_path / "reports"))
    assert (result.rows, result.rejected) == (2000, 0), result.errors[:5]


def test_mistakes_come_at_the_share_asked_for(tmp_path: Path) -> None:
    """It makes about `bad_ratio` of the rows wrong, and the pipeline rejects about that many."""
    path = tmp_path / "big.csv"
    write_sheet(path, generate_rows(3000, seed=2, bad_ratio=0.05))
    result = validate_file(path, Config(report_dir=tmp_path / "reports"))
    assert result.rows == 3000
    assert 0.035 < result.rejected / result.rows < 0.09


def test_sheets_keep_leading_zeros_in_csv_and_xlsx(tmp_path: Path) -> None:
    """It writes every cell as text, so ERP IDs keep their leading zeros into the store."""
    rows = generate_rows(50, seed=3, bad_ratio=0.0)
    assert any(r["erp_id"].startswith("0") for r in rows), "the sample should hold zero-led ERP IDs"
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"s{suffix}"
        write_sheet(path, rows)
        url = f"sqlite:///{tmp_path / f's{suffix}.db'}"
        engine = open_store(url)
        try:
            result = import_file(path, Config(report_dir=tmp_path / suffix, user="tester"), engine)
        finally:
            engine.dispose()
        assert result.accepted == 50
        stored = sorted(customer["erp_id"] for customer in StoreView(url).rows(customers))
        assert stored == sorted(r["erp_id"] for r in rows)
