"""Columns that hold part of a field: street + house number (+ addition) become the
address in the order the customer's country writes it, and one contact-name column
becomes first and last name. A column holding part of a field is never dropped silently."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from factories import POSTGRES_IN_TEST_SLOW, read_csv
from openpyxl import load_workbook

from pipeline.store import customers
from schemas.codes import CODES
from schemas.column_parts import COLUMN_PARTS, address_order, join_address, split_contact_name
from schemas.fields import FIELDS
from schemas.rules.text import header_key

pytestmark = pytest.mark.usefixtures("workdir")

Onboard = Callable[..., Result]
Row = Callable[..., dict[str, str]]

FRENCH = {
    "short_name": "Acme",
    "full_name": "Acme SA",
    "erp_id": "FR1",
    "registration_number": "552008443",
    "tax_id": "FR40303265045",
    "currency": "EUR",
    "industry": "Commercial",
    "country": "France",
    "city": "Paris",
    "postal_code": "75002",
    "contact_first_name": "Marie",
    "contact_last_name": "Dupont",
    "contact_role": "Gérante",
    "contact_email": "marie@acme.fr",
    "contact_phone": "+33 1 42 68 53 00",
}


def imported(onboard: Onboard, sheet: Path, db_url: str) -> dict[str, Any]:
    result = onboard("import", sheet, "--db", db_url, "--json")
    assert result.exit_code in (0, 1), result.output
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    return summary


def with_address_parts(row: dict[str, str], street: str, number: str, addition: str = "") -> dict[str, str]:
    parts = {"street": street, "house_number": number, "addition": addition}
    return {k: v for k, v in row.items() if k != "address"} | parts


@POSTGRES_IN_TEST_SLOW
@pytest.mark.parametrize(
    ("headers", "suffix"),
    [
        ({"street": "Straat", "house_number": "Huisnummer", "addition": "Toevoeging"}, ".xlsx"),
        ({"street": "Straße", "house_number": "Hausnummer", "addition": "Hausnummerzusatz"}, ".csv"),
        ({"street": "Street", "house_number": "Number", "addition": "Addition"}, ".csv"),
    ],
    ids=["nl", "de", "en"],
)
def test_street_house_number_and_addition_become_the_address(
    headers: dict[str, str],
    suffix: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It joins street, number and addition ("Hurksestraat 45a") for a Dutch customer,
    ignores no column, and keeps a street cell that already holds its number as it is."""
    rows = [
        with_address_parts(valid_row(1), "Hurksestraat", "45", "a"),
        with_address_parts(valid_row(2), "Kerkstraat", "7", "bis"),
        with_address_parts(valid_row(3), "Markt 3", "3"),
        with_address_parts(valid_row(4), "Dorpsweg", "12", "-3"),
    ]
    fields = [f for f in valid_row() if f != "address"] + ["street", "house_number", "addition"]
    sheet = write_sheet(tmp_path / f"customers{suffix}", rows, headers=headers, fields=fields)
    summary = imported(onboard, sheet, db_url)
    assert (summary["rows"], summary["accepted"], summary["unmapped_columns"]) == (4, 4, [])
    stored = {c["erp_id"]: c["address"] for c in store.rows(customers)}
    assert sorted(stored.values()) == ["Dorpsweg 12-3", "Hurksestraat 45a", "Kerkstraat 7 bis", "Markt 3"]


@POSTGRES_IN_TEST_SLOW
def test_a_french_address_puts_the_number_first(
    tmp_path: Path, write_sheet: Callable[..., Path], onboard: Onboard, db_url: str, store: Any
) -> None:
    """It writes a French customer's address number first ("12 bis rue de la Paix"), from
    French headers (Rue, Numéro, Indice de répétition) and a contact-name column."""
    row = with_address_parts(FRENCH, "rue de la Paix", "12", "bis")
    row = {
        k: v
        for k, v in row.items()
        if not k.startswith("contact_") or k in ("contact_role", "contact_email", "contact_phone")
    }
    row["contact_name"] = "Marie Dupont"
    headers = {
        "street": "Rue",
        "house_number": "Numéro",
        "addition": "Indice de répétition",
        "contact_name": "Nom du contact",
    }
    sheet = write_sheet(tmp_path / "clients.csv", [row], headers=headers, fields=list(row))
    summary = imported(onboard, sheet, db_url)
    assert (summary["accepted"], summary["warnings"], summary["unmapped_columns"]) == (1, 0, [])
    (customer,) = store.rows(customers)
    assert customer["address"] == "12 bis rue de la Paix"
    assert (customer["contact_first_name"], customer["contact_last_name"]) == ("Marie", "Dupont")


@POSTGRES_IN_TEST_SLOW
def test_a_plain_number_column_beside_a_full_address_is_not_a_house_number(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It leaves a plain "Nr" column (a row counter as often as a house number) out of an
    address that is whole already, and names it as ignored with the reason."""
    rows = [valid_row(1) | {"Nr": "1"}, valid_row(2) | {"Nr": "2"}]
    sheet = write_sheet(tmp_path / "customers.csv", rows, fields=["Nr", *valid_row()])
    summary = imported(onboard, sheet, db_url)
    assert summary["accepted"] == 2
    assert summary["unmapped_columns"] == ["Nr"]
    (hint,) = summary["column_hints"]
    assert hint["nearest"] == ["address"]
    assert "only beside a street column" in hint["note"]
    assert sorted(c["address"] for c in store.rows(customers)) == ["Hurksestraat 46", "Hurksestraat 47"]


def test_a_house_number_without_a_street_is_a_missing_address(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It stops the file naming the address as missing and saying a house number was found:
    the house number is never the whole address, nor dropped."""
    row = valid_row(0) | {"house_number": "45"}
    fields = [f for f in valid_row() if f != "address"] + ["house_number"]
    sheet = write_sheet(
        tmp_path / "customers.csv", [row], headers={"house_number": "Huisnummer"}, fields=fields
    )
    result = onboard("validate", sheet, "--json")
    assert result.exit_code == 2
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert summary["missing_columns"] == ["address"]
    assert "a house-number column was found, but no street column" in summary["error"]["message"]


@POSTGRES_IN_TEST_SLOW
def test_one_contact_name_column_is_split_and_a_doubtful_split_warned(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It splits "Contactpersoon" by the documented rule, warns `contact_name_split` on a
    doubtful split (reported in warnings.csv with the row the user sees), and rejects a
    one-word name for its missing first name in that column."""
    names = ["Jan van der Berg", "Jansen, Piet", "Anna Maria de Vries", "Anna Maria Jansen", "Jansen"]
    rows = [
        {k: v for k, v in valid_row(i + 1).items() if k not in ("contact_first_name", "contact_last_name")}
        | {"contact_name": name}
        for i, name in enumerate(names)
    ]
    fields = [f for f in valid_row() if f not in ("contact_first_name", "contact_last_name")] + [
        "contact_name"
    ]
    sheet = write_sheet(
        tmp_path / "customers.xlsx", rows, headers={"contact_name": "Contactpersoon"}, fields=fields
    )
    summary = imported(onboard, sheet, db_url)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (5, 4, 1)
    assert summary["warnings_by_code"] == {"contact_name_split": 1}
    assert summary["errors_by_code"] == {"missing_value": 1}
    stored = {c["erp_id"]: (c["contact_first_name"], c["contact_last_name"]) for c in store.rows(customers)}
    assert sorted(stored.values()) == [
        ("Anna Maria", "Jansen"),
        ("Anna Maria", "de Vries"),
        ("Jan", "van der Berg"),
        ("Piet", "Jansen"),
    ]
    report = Path(summary["report_dir"])
    (warning,) = read_csv(report / "warnings.csv")
    assert (warning["row"], warning["column"], warning["code"]) == (
        "5",
        "Contactpersoon",
        "contact_name_split",
    )
    assert warning["value"] == "Anna Maria Jansen"
    assert warning["message"] == CODES["contact_name_split"].message(
        name="Anna Maria Jansen", first="Anna Maria", last="Jansen"
    )
    (error,) = read_csv(report / "rejects.csv")
    assert (error["row"], error["column"], error["code"]) == ("6", "Contactpersoon", "missing_value")
    rejects = load_workbook(report / "rejects.xlsx")["Rejected rows"]
    header = [c.value for c in rejects[1]]
    assert rejects.cell(row=2, column=header.index("Contactpersoon") + 1).value == "Jansen"


def test_a_contact_name_beside_first_and_last_name_is_shown_as_ignored(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It reads first and last name from their own columns and names the contact-name
    column as ignored, with the reason, never silently."""
    sheet = write_sheet(
        tmp_path / "customers.csv",
        [valid_row(0) | {"contact_name": "Jan Jansen"}],
        headers={"contact_name": "Contact person"},
        fields=[*valid_row(), "contact_name"],
    )
    result = onboard("validate", sheet, "--json")
    assert result.exit_code == 0, result.output
    (summary,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert summary["unmapped_columns"] == ["Contact person"]
    (hint,) = summary["column_hints"]
    assert hint["nearest"] == ["contact_first_name", "contact_last_name"]
    assert "have columns of their own" in hint["note"]
    human = onboard("validate", sheet)
    assert "'Contact person' — First name and Last name have columns of their own" in human.stderr


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("NL", "Hurksestraat 45a"),
        ("DE", "Hurksestraat 45a"),
        ("BE", "Hurksestraat 45a"),
        ("IT", "Hurksestraat 45a"),
        ("FR", "45a Hurksestraat"),
        ("GB", "45a Hurksestraat"),
        ("US", "45a Hurksestraat"),
        ("ES", "Hurksestraat, 45a"),
        ("IN", "45a, Hurksestraat"),
        ("", "Hurksestraat 45a"),
    ],
)
def test_join_address_follows_the_country(country: str, expected: str) -> None:
    """It puts the number where the country's address format has it (OpenCage templates)."""
    assert join_address("Hurksestraat", "45a", country) == expected


def test_part_headers_never_shadow_a_field_header() -> None:
    """It keeps every part synonym apart from every field synonym: a header means one thing."""
    fields = {header_key(name) for known in FIELDS.values() for name in (known.name, *known.synonyms)}
    parts = {header_key(name) for _, names in COLUMN_PARTS.values() for name in names}
    assert fields & parts == set()


def test_a_house_number_without_a_street_is_no_address() -> None:
    """It leaves the address blank (the row is then rejected) rather than store "45"."""
    assert join_address("", "45", "NL") == ""


def test_address_order_default_is_street_first() -> None:
    """It writes "Street 12" for a country the templates do not place."""
    assert address_order("AQ") == "street number"


@pytest.mark.parametrize(
    ("name", "first", "last", "doubtful"),
    [
        ("Jan Jansen", "Jan", "Jansen", False),
        ("Jan van der Berg", "Jan", "van der Berg", False),
        ("Ludwig von Mises", "Ludwig", "von Mises", False),
        ("Jansen, Jan", "Jan", "Jansen", False),
        ("Anna Maria Jansen", "Anna Maria", "Jansen", True),
        ("José García López", "José García", "López", True),
        ("Dhr. Jansen", "Dhr.", "Jansen", True),
        ("Jansen", "", "Jansen", False),
    ],
)
def test_split_contact_name(name: str, first: str, last: str, doubtful: bool) -> None:
    """It splits by the documented rule and marks the splits a person should check."""
    assert split_contact_name(name) == (first, last, doubtful)
