"""Mapping help: a file whose columns do not map names every header it did not recognise,
with the nearest fields, and a [columns.synonyms] block that, pasted into onboard.toml,
makes the same file import. Ignored columns stand out in the summary and the JSON."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

pytestmark = pytest.mark.usefixtures("workdir")

Onboard = Callable[..., Result]
Row = Callable[..., dict[str, str]]


def summary_of(result: Result) -> dict[str, object]:
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    return summary


def test_missing_columns_name_every_unrecognised_header_with_its_nearest_fields(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It lists every header it did not recognise, each with its nearest fields, in the JSON
    summary and in summary.json, and names the missing fields."""
    sheet = write_sheet(
        tmp_path / "customers.xlsx",
        [valid_row(0) | {"Opmerking": "call first"}],
        headers={"erp_id": "Relatienr", "contact_email": "Mail adres"},
        fields=[*valid_row(), "Opmerking"],
    )
    result = onboard("validate", sheet, "--json")
    assert result.exit_code == 2
    summary = summary_of(result)
    assert summary["error"]["code"] == "missing_columns"  # type: ignore[index]  # JSON object
    assert summary["missing_columns"] == ["erp_id", "contact_email"]
    assert summary["unmapped_columns"] == ["Relatienr", "Mail adres", "Opmerking"]
    hints = {h["column"]: h["nearest"] for h in summary["column_hints"]}  # type: ignore[attr-defined]
    assert hints["Relatienr"][0] == "erp_id"
    assert "contact_email" in hints["Mail adres"]
    assert hints["Opmerking"] == []
    written = json.loads((Path(str(summary["report_dir"])) / "summary.json").read_text(encoding="utf-8"))
    assert written["column_hints"] == summary["column_hints"]
    assert len(result.stderr.strip().splitlines()) == 1  # with --json, one line on standard error


def test_the_printed_synonyms_block_makes_the_file_import(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It prints a [columns.synonyms] block that, pasted into onboard.toml, maps the file."""
    sheet = write_sheet(
        tmp_path / "customers.csv",
        [valid_row(0), valid_row(1)],
        headers={"erp_id": "Debiteur", "contact_role": "Functietitel"},
    )
    failed = onboard("validate", sheet)
    assert failed.exit_code == 2
    lines = failed.stderr.splitlines()
    assert "'Debiteur' — nearest: ERP ID (erp_id)" in failed.stderr
    assert "'Functietitel' — nearest: Role (contact_role)" in failed.stderr
    start = next(i for i, line in enumerate(lines) if line.strip() == "[columns.synonyms]")
    block = "\n".join(line.strip() for line in lines[start:])
    assert tomllib.loads(block) == {
        "columns": {"synonyms": {"erp_id": ["Debiteur"], "contact_role": ["Functietitel"]}}
    }
    (tmp_path / "onboard.toml").write_text(block + "\n", encoding="utf-8")
    fixed = onboard("validate", sheet, "--json")
    assert fixed.exit_code == 0, fixed.output
    assert summary_of(fixed)["accepted"] == 2


def test_a_missing_field_no_header_resembles_is_a_line_to_fill_in(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It writes a commented line for a missing field when no header looks like it, and
    offers a second candidate for one field only as a comment (two would be duplicates)."""
    fields = [f for f in valid_row() if f not in ("contact_phone", "erp_id")]
    sheet = write_sheet(
        tmp_path / "customers.csv",
        [valid_row(0) | {"Debiteur": "1", "Debiteur oud": "2"}],
        fields=[*fields, "Debiteur", "Debiteur oud"],
    )
    result = onboard("validate", sheet)
    block = result.stderr[result.stderr.index("[columns.synonyms]") :]
    assert '# contact_phone = ["the header of your Phone number column"]' in block
    assert 'erp_id = ["Debiteur"]' in block
    assert '# erp_id = ["Debiteur oud"]' in block
    assert tomllib.loads("\n".join(line.strip() for line in block.splitlines())) == {
        "columns": {"synonyms": {"erp_id": ["Debiteur"]}}
    }


def test_ignored_columns_stand_out(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It names each ignored column on a line of its own, under a heading with the count,
    with its nearest field; the JSON lists them with their hints."""
    sheet = write_sheet(
        tmp_path / "customers.csv",
        [valid_row(0) | {"Notes": "x", "Mobiel telefoonnummer": "06"}],
        fields=[*valid_row(), "Notes", "Mobiel telefoonnummer"],
    )
    human = onboard("validate", sheet)
    assert human.exit_code == 0, human.output
    assert "2 columns ignored (not imported):" in human.stderr
    assert "    'Notes' — not like any field" in human.stderr
    assert "    'Mobiel telefoonnummer' — nearest: Phone number (contact_phone)" in human.stderr
    summary = summary_of(onboard("validate", sheet, "--json"))
    assert summary["unmapped_columns"] == ["Notes", "Mobiel telefoonnummer"]
    assert summary["column_hints"] == [
        {"column": "Notes", "nearest": [], "note": ""},
        {"column": "Mobiel telefoonnummer", "nearest": ["contact_phone"], "note": ""},
    ]
    assert summary["missing_columns"] == []
