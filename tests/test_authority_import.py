"""The authority rules through the command line: what is stored, warned and rejected.

One sheet of customers from Germany, Spain, Italy, Ireland, the Netherlands and the
United States, each row exercising one rule of docs/rules.md, imported into SQLite and
PostgreSQL; then the store, warnings.csv and rejects.csv are read back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result
from factories import StoreView, json_lines, read_csv, valid_row, write_sheet


def customer(index: int, country: str, **fields: str) -> dict[str, str]:
    """A customer of `country` (valid VAT number, phone and registration) with `fields`."""
    if country == "NL":
        return valid_row(index, **fields)
    numbers = {
        "DE": ("DE136695976", "+49 30 1234567", "München HRB 1"),
        "ES": ("ESA13585625", "+34 912 345 678", "A13585625"),
        "IT": ("IT00743110157", "+39 06 1234 5678", "00743110157"),
        "IE": ("IE6433435F", "+353 1 234 5678", "123456"),
        "US": ("04-2103594", "(650) 253-0000", "C1234567"),
    }
    own = dict(zip(("tax_id", "contact_phone", "registration_number"), numbers[country], strict=True))
    return valid_row(index, **({"country": country, "state": ""} | own | fields))


def rule_warnings(summary: dict[str, Any]) -> dict[str, int]:
    """The summary's warnings by code, but duplicate_tax_id (the sheet's rows share VAT numbers)."""
    return {code: n for code, n in summary["warnings_by_code"].items() if code != "duplicate_tax_id"}


ROWS = [
    customer(1, "DE", postal_code="D-01067", city="Dresden"),  # 2: prefix of its own country
    customer(2, "DE", postal_code="10115", registration_number="HRB 12345"),  # 3: no court
    customer(3, "US", postal_code="94043", state="CA", contact_phone="+226 70 12 34 56"),  # 4: Burkina Faso
    customer(4, "ES", postal_code="08001", city="Barcelona"),  # 5: province from postcode
    customer(5, "ES", postal_code="07001", state="Baleares", city="Palma"),  # 6: Correos' spelling
    customer(6, "IT", postal_code="47121", state="Forli", city="Forlì"),  # 7: GeoNames' spelling
    customer(7, "IE", postal_code="D02 B285", city="Dublin"),  # 8: B is no Eircode letter
    customer(8, "NL", registration_number="000012345678"),  # 9: a vestigingsnummer
    customer(9, "DE", postal_code="1067", city="Dresden"),  # 10: a spreadsheet dropped the 0
    customer(10, "DE", postal_code="A-1010", city="Wien"),  # 11: Austria's prefix
    customer(11, "IE", postal_code="A65 F4E2", city="Dublin"),  # 12: an unlisted routing key
]


def test_the_authority_rules_decide_each_row(
    tmp_path: Path, db_url: str, onboard: Callable[..., Result]
) -> None:
    """It stores, warns and rejects each row as docs/rules.md says, on SQLite and PostgreSQL."""
    sheet = write_sheet(tmp_path / "europe.csv", ROWS)
    result = onboard("import", sheet, "--db", db_url, "--user", "tester", "--json")
    assert result.exit_code == 1, result.output
    (summary,) = json_lines(result.stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (11, 7, 4)
    report = Path(summary["report_dir"])

    rejected = {(line["row"], line["field"], line["code"]) for line in read_csv(report / "rejects.csv")}
    assert rejected == {
        ("8", "postal_code", "invalid_postal_code"),
        ("9", "registration_number", "invalid_registration_number"),
        ("10", "postal_code", "invalid_postal_code"),
        ("11", "postal_code", "invalid_postal_code"),
    }
    messages = {line["row"]: line["message"] for line in read_csv(report / "rejects.csv")}
    assert "vestigingsnummer" in messages["9"]
    assert "01067" in messages["10"] and "Text" in messages["10"]
    assert "Austria" in messages["11"]

    # The rules' warnings (the rows share VAT numbers too: duplicate_tax_id is not ours).
    warnings = [line for line in read_csv(report / "warnings.csv") if line["code"] != "duplicate_tax_id"]
    # A value starting with + is written with a quote in front, so it stays text in Excel.
    warned = {(w["row"], w["field"], w["code"], w["value"].removeprefix("'")) for w in warnings}
    assert warned == {
        ("3", "registration_number", "registration_number_unverified", "HRB 12345"),
        ("4", "contact_phone", "phone_other_country", "+226 70 12 34 56"),
        ("5", "state", "state_from_postal_code", ""),
        ("12", "postal_code", "postal_code_unverified", "A65 F4E2"),
    }
    assert rule_warnings(summary) == {
        "registration_number_unverified": 1,
        "phone_other_country": 1,
        "state_from_postal_code": 1,
        "postal_code_unverified": 1,
    }

    store = StoreView(db_url)
    assert store.customer(ROWS[0]["erp_id"])["postal_code"] == "01067"
    assert store.customer(ROWS[1]["erp_id"])["registration_number"] == "HRB 12345"
    assert store.customer(ROWS[2]["erp_id"])["contact_phone"] == "+22670123456"
    assert store.customer(ROWS[3]["erp_id"])["state"] == "Barcelona"
    assert store.customer(ROWS[4]["erp_id"])["state"] == "Illes Balears"
    assert store.customer(ROWS[5]["erp_id"])["state"] == "Forlì-Cesena"
    assert store.customer(ROWS[10]["erp_id"])["postal_code"] == "A65 F4E2"


def test_validate_and_import_agree_on_the_warnings(tmp_path: Path, onboard: Callable[..., Result]) -> None:
    """It reports the same rule warnings when validating as when importing, and stores nothing."""
    sheet = write_sheet(tmp_path / "europe.xlsx", ROWS[:6])
    result = onboard("validate", sheet, "--json")
    assert result.exit_code == 0, result.output
    (summary,) = json_lines(result.stdout)
    assert summary["accepted"] == 6
    assert rule_warnings(summary) == {
        "registration_number_unverified": 1,
        "phone_other_country": 1,
        "state_from_postal_code": 1,
    }
