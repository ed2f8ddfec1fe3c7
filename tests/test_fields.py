"""The field registry (`schemas/fields.py`) is the one statement of each field's facts:
the Pandera schema is built from it, every code it names is in the code table, every row
problem's message is its code's template filled in, and `schemas/` stands on its own."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from pathlib import Path

import pandera.pandas as pa
import pytest
from click.testing import Result
from factories import json_lines, read_csv, valid_row, write_sheet

from schemas.codes import CODES
from schemas.customer import customer_schema, warning_schema
from schemas.fields import FIELD_OF_CODE, FIELDS, REQUIRED

REPO = Path(__file__).resolve().parent.parent
# Checks every text field gets, whatever its rule.
TEXT_CHECKS = {"too_long", "control_character", "encoding", "spreadsheet_error"}


def check_names(checks: list[pa.Check]) -> set[str]:
    return {str(check.name) for check in checks}


def test_the_schema_has_a_column_per_field_with_the_fields_facts() -> None:
    """It builds one column per registry field, in the portal's order: required fields
    not nullable, the maximum length the registry gives, scientific notation refused in
    digit fields, and the field's own codes as its checks."""
    schema = customer_schema()
    assert list(schema.columns) == list(FIELDS)
    assert schema.strict is True
    for name, field in FIELDS.items():
        column = schema.columns[name]
        assert column.nullable is (name not in REQUIRED) is (not field.required)
        too_long = next(c for c in column.checks if c.name == "too_long")
        assert too_long.statistics == {"maximum": field.max_length}
        own = set() if field.country_dependent else set(field.codes)
        digits = {"scientific_notation"} if field.digits else set()
        placeholders = {"placeholder_value"} if field.takes_placeholders else set()
        assert check_names(column.checks) == TEXT_CHECKS | digits | own | placeholders, name


def test_rules_that_depend_on_the_country_are_row_checks_named_by_their_codes() -> None:
    """It checks every code of a country-dependent field on the whole row, and nothing else."""
    expected = {code for field in FIELDS.values() if field.country_dependent for code in field.codes}
    assert check_names(customer_schema().checks) == expected
    assert check_names(warning_schema().checks) == {c for f in FIELDS.values() for c in f.warnings}


def test_every_code_the_registry_names_is_a_row_code_of_its_one_field() -> None:
    """It names only row-level codes of the code table, warnings as warnings, each about one field."""
    named = [(code, f.name) for f in FIELDS.values() for code in f.codes]
    warned = [(code, f.name) for f in FIELDS.values() for code in f.warnings]
    assert len({code for code, _ in named + warned}) == len(named + warned), "a code on two fields"
    for code, field in named + warned:
        assert CODES[code].level == "row", code
        assert FIELD_OF_CODE[code] == field
    assert {CODES[code].severity for code, _ in named} == {"error"}
    assert {CODES[code].severity for code, _ in warned} == {"warning"}


def test_every_row_code_has_a_template_and_no_file_code_has_one() -> None:
    """It gives each row problem a message template; a file problem's message is written
    where the file fails (it names the file and the library's reason)."""
    for code in CODES.values():
        assert bool(code.template) is (code.level == "row"), code.name


def pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression: each `{field}` matches any text."""
    parts = string.Formatter().parse(template)
    return re.compile("".join(re.escape(text) + ("" if name is None else ".*?") for text, name, *_ in parts))


def test_every_problem_message_is_its_codes_template_filled_in(
    tmp_path: Path, onboard: Callable[..., Result]
) -> None:
    """It writes each rejected and warned cell's message from the template of its code,
    whether a field's rule or a check by itself found the problem."""
    mistakes = [
        {"tax_id": "NL123"},
        {"tax_id": "DE136695976"},
        {"registration_number": "1234"},
        {"postal_code": "12"},
        {"postal_code": ""},
        {"country": "US", "state": "", "postal_code": "94105", "tax_id": "12-3456789"},
        {"country": "AQ", "tax_id": "AQ 123"},
        {"contact_phone": "+31 12"},
        {"contact_email": "jan@"},
        {"country": "Atlantis"},
        {"currency": "EURO$"},
        {"industry": "Retail banking"},
        {"city": ""},
        {"city": "x" * 201},
        {"city": "a\x01b"},
        {"city": "#REF!"},
        {"city": "n/a"},
        {"erp_id": "1.23457E+11"},
        {"state": "Nowhere"},
        # The rules' warnings beyond our libraries (docs/rules.md).
        {"country": "DE", "tax_id": "DE136695976", "postal_code": "10115", "contact_phone": "+49 30 1234567",
         "registration_number": "HRB 12345"},
        {"country": "IE", "tax_id": "IE6433435F", "postal_code": "A65 F4E2",
         "contact_phone": "+353 1 234 5678"},
        {"country": "ES", "tax_id": "ESA13585625", "postal_code": "08001", "contact_phone": "+34 912 345 678",
         "registration_number": "A13585625"},
    ]  # fmt: skip
    rows = [valid_row(i + 1, **changes) for i, changes in enumerate(mistakes)]
    rows += [valid_row(25, erp_id="00200"), valid_row(26, erp_id="00200")]
    rows += [valid_row(0), valid_row(27, tax_id=valid_row(0)["tax_id"])]  # one VAT number, two ERP IDs
    rows += [{"short_name": "Total: 28"}]
    sheet = write_sheet(tmp_path / "mistakes.csv", rows)

    result = onboard("validate", sheet, "--report-dir", tmp_path / "reports", "--json")
    report_dir = Path(json_lines(result.output)[0]["report_dir"])
    lines = read_csv(report_dir / "rejects.csv") + read_csv(report_dir / "warnings.csv")
    for line in lines:
        assert pattern(CODES[line["code"]].template).fullmatch(line["message"]), line
    found = {line["code"] for line in lines}
    assert found == {code.name for code in CODES.values() if code.level == "row"} - {
        "currency_not_allowed",  # needs a configured list of currencies
        "encoding",  # needs a file in another encoding
        "approved_customer_changed",  # needs a store
        "possible_duplicate",  # needs a store (tests/test_lookalikes.py)
        "contact_name_split",  # needs a contact-name column (tests/test_column_parts.py)
        "hidden_row",  # needs a workbook hiding rows (tests/test_untrusted_values.py)
        "spreadsheet_conversion",  # needs a workbook with date cells (tests/test_sheet_artifacts.py)
        "formula_without_value",  # needs a workbook with formulas (tests/test_sheet_artifacts.py)
    }


def imports_of(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted((REPO / "schemas").rglob("*.py")), ids=lambda p: p.name)
def test_schemas_import_nothing_from_pipeline(path: Path) -> None:
    """It keeps the rules at the bottom: no module of schemas/ imports pipeline/, not even late."""
    assert [name for name in imports_of(path) if name.split(".")[0] == "pipeline"] == []


def test_no_context_variables_carry_state_into_the_checks() -> None:
    """It passes what spans rows as check statistics: no ContextVar in pipeline/ or schemas/."""
    sources = [*(REPO / "pipeline").rglob("*.py"), *(REPO / "schemas").rglob("*.py")]
    assert [p.name for p in sources if "contextvars" in imports_of(p)] == []
