"""`onboard template`: an empty customer workbook in the team's language whose headers all
map, with drop-downs, text-formatted ID columns, input messages and instructions; filled
in and dropped, it imports cleanly and nothing but the customers typed in is counted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from factories import POSTGRES_IN_TEST_SLOW, decide, read_csv
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.columns import map_headers
from pipeline.store import customers
from pipeline.template import (
    EXAMPLES,
    LANGUAGES,
    OPTIONAL_FIELDS,
    TEXT_FIELDS,
    country_choices,
    fields,
    headers,
)
from schemas.rules.currency import normalize_currency

pytestmark = pytest.mark.usefixtures("workdir")

Onboard = Callable[..., Result]

SHEETS = {"en": "Customers", "nl": "Klanten", "de": "Kunden", "fr": "Clients"}
GUIDES = {"en": "Instructions", "nl": "Instructies", "de": "Anleitung", "fr": "Instructions"}
# Each language's first words of a required and an optional column's input message.
NEEDED = {
    "en": ("Required.", "Optional."),
    "nl": ("Verplicht.", "Optioneel."),
    "de": ("Pflichtfeld.", "Optional."),
    "fr": ("Obligatoire.", "Facultatif."),
}


def cell_values(sheet: Any, row: int) -> list[Any]:
    return [cell.value for cell in sheet[row]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_headers_drop_downs_formats_and_messages(
    language: str, tmp_path: Path, onboard: Onboard
) -> None:
    """It writes the 18 fields as headers in the language (every one maps, nothing
    unmapped), drop-downs for country, currency and industry from a hidden Lists sheet,
    ID-like columns as Text, an input message on every column, a frozen header and an
    Instructions sheet; the data sheet holds no row but the header."""
    out = tmp_path / f"template-{language}.xlsx"
    result = onboard("template", out, "--lang", language)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == [SHEETS[language], GUIDES[language], "Lists"]
    assert [s.sheet_state for s in workbook.worksheets] == ["visible", "visible", "hidden"]
    sheet = workbook[SHEETS[language]]
    written = cell_values(sheet, 1)
    assert written == list(headers(language))
    mapped = map_headers(written)
    assert {f: written[p] for f, p in mapped.fields.items()} == dict(zip(fields(), written, strict=True))
    assert mapped.unmapped == ()
    assert sheet.max_row == 1  # no example row that could be imported
    assert sheet.freeze_panes == "A2"
    for position, field in enumerate(fields(), start=1):
        dimension = sheet.column_dimensions[get_column_letter(position)]
        assert dimension.number_format == ("@" if field in TEXT_FIELDS else "General"), field
        assert 10 <= dimension.width <= 45
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert len(validations) == 18
    for position, field in enumerate(fields(), start=1):
        validation = validations[f"{get_column_letter(position)}2"]
        assert validation.promptTitle == written[position - 1][:32]
        required, optional = NEEDED[language]
        assert validation.prompt.startswith(optional if field in OPTIONAL_FIELDS else required)
        assert validation.prompt.endswith(EXAMPLES[field])
        assert len(validation.prompt) <= 255
    lists = workbook["Lists"]
    for field, column in (("country", "A"), ("currency", "B"), ("industry", "C")):
        validation = validations[f"{get_column_letter(fields().index(field) + 1)}2"]
        assert validation.type == "list"
        assert validation.formula1.startswith(f"Lists!${column}$2:${column}$")
    assert [c.value for c in lists["C"][1:] if c.value] == [
        "Commercial",
        "Education",
        "Government",
        "Healthcare",
        "Non-profit",
    ]
    assert len([c for c in lists["A"][1:] if c.value]) == len(country_choices()) == 249
    assert "Netherlands" in {c.value for c in lists["A"]}
    guide = workbook[GUIDES[language]]
    text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "onboard validate" in text
    assert all(header in text for header in written)


def test_template_drop_downs_come_from_the_configuration(tmp_path: Path, onboard: Onboard) -> None:
    """It fills the industry and currency lists from onboard.toml."""
    (tmp_path / "onboard.toml").write_text(
        '[validation]\nindustries = ["Retail", "Public sector"]\ncurrencies = ["EUR", "CHF"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "template.xlsx"
    assert onboard("template", out).exit_code == 0
    lists = load_workbook(out)["Lists"]
    assert [c.value for c in lists["B"][1:] if c.value] == ["EUR", "CHF"]
    assert [c.value for c in lists["C"][1:] if c.value] == ["Retail", "Public sector"]


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_filled_template_imports_cleanly(
    language: str,
    tmp_path: Path,
    valid_row: Callable[..., dict[str, str]],
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It imports a template filled in (ERP IDs with leading zeros) with every row accepted,
    and counts only the customers typed in: the instructions and lists are never rows."""
    out = tmp_path / "template.xlsx"
    assert onboard("template", out, "--lang", language).exit_code == 0
    workbook = load_workbook(out)
    sheet = workbook.worksheets[0]
    typed = [valid_row(0), valid_row(1) | {"erp_id": "00042"}]
    for row, customer in enumerate(typed, start=2):
        for column, field in enumerate(fields(), start=1):
            if customer[field]:
                sheet.cell(row=row, column=column, value=customer[field])
    workbook.save(out)
    result = onboard("import", out, "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (summary["rows"], summary["accepted"], summary["inserted"]) == (2, 2, 2)
    assert summary["unmapped_columns"] == []
    assert sorted(c["erp_id"] for c in store.rows(customers)) == ["00042", "00123"]


def test_template_needs_an_xlsx_name(tmp_path: Path, onboard: Onboard) -> None:
    """It refuses another extension with a usage error and writes nothing."""
    result = onboard("template", tmp_path / "template.csv")
    assert result.exit_code == 2
    assert ".xlsx" in result.output
    assert not (tmp_path / "template.csv").exists()


def test_the_quick_start_walks_from_template_to_approved(
    tmp_path: Path, valid_row: Callable[..., dict[str, str]], onboard: Onboard
) -> None:
    """It follows the README's quick start: template, fill in, validate, import, review
    export, approve, status and export, with the default store in the current folder."""
    out = tmp_path / "customers.xlsx"
    assert onboard("template", out, "--lang", "nl").exit_code == 0
    workbook = load_workbook(out)
    sheet = workbook.worksheets[0]
    for column, field in enumerate(fields(), start=1):
        if valid_row(0)[field]:
            sheet.cell(row=2, column=column, value=valid_row(0)[field])
    workbook.save(out)
    assert onboard("validate", out).exit_code == 0
    assert onboard("import", out, "--user", "newcomer").exit_code == 0
    review = tmp_path / "review.xlsx"
    assert onboard("review", "export", "--out", review).exit_code == 0
    decide(review, {"00123": ("approve", "")})
    assert onboard("review", "apply", review, "--reviewer", "Jane Doe").exit_code == 0
    (status,) = [json.loads(line) for line in onboard("status", "--json").stdout.splitlines()]
    assert status["customers"] == {"pending": 0, "approved": 1, "rejected": 0}
    assert onboard("export", "--status", "approved", "--out", tmp_path / "approved.csv").exit_code == 0
    (approved,) = read_csv(tmp_path / "approved.csv")
    assert (approved["erp_id"], approved["status"]) == ("00123", "approved")


def test_the_currency_drop_down_offers_only_what_the_rule_accepts(tmp_path: Path, onboard: Onboard) -> None:
    """It lists every ISO 4217 currency the currency rule accepts, and none it rejects (XTS, XAU)."""
    out = tmp_path / "template.xlsx"
    assert onboard("template", out).exit_code == 0
    offered = [c.value for c in load_workbook(out)["Lists"]["B"][1:] if c.value]
    assert "EUR" in offered and "XTS" not in offered and "XAU" not in offered
    assert [code for code in offered if not normalize_currency(str(code)).ok] == []
