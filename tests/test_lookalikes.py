"""Possible duplicates: a row that looks like a customer stored under another ERP ID is
warned about (`possible_duplicate`), kept with the customer, and shown to reviewers."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from cleanco import basename
from cleanco.termdata import terms_by_country, terms_by_type
from click.testing import CliRunner
from factories import StoreView, read_csv, write_sheet
from factories import valid_row as customer
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from pipeline.cli import cli
from pipeline.lookalikes import find_lookalikes, name_core, names_near, without_legal_form
from pipeline.store import customers

# Every legal form cleanco knows, as its data spells them ("B.V.", "GmbH & Co. KG", …).
FORMS = sorted({*itertools.chain(*terms_by_type.values()), *itertools.chain(*terms_by_country.values())})
BASES = (
    *("Jansen", "Bakkerij de Vries", "Müller & Söhne", "Société Générale", "A", "Studio 5", "AB", "Co"),
    # Folding traps: ß, a ligature, a no-break space, a lone diaeresis (NFKD: space + mark),
    # stacked combining marks, dotted capital I, a Greek final sigma.
    *("Straße", "ﬁrma Noord", "Foo\u00a0Bar", "A ¨ B", "O\u0308\u0301ster", "İstanbul Ltd", "ΟΔΟΣ"),
)


def test_legal_forms_come_off_exactly_as_cleanco_takes_them() -> None:
    """It takes every legal form of cleanco's data off a name exactly as cleanco's own
    `basename` does: alone, after a name, twice, in other case, with trailing punctuation."""
    names = [
        variant
        for base, form in itertools.product(BASES, FORMS)
        for variant in (
            f"{base} {form}",
            f"{base} {form.upper()}",
            f"{base}, {form}.",
            f"{base} {form} {form}",
            f"{form} {base}",
            form,
            f"{base} {form} (NL)",
        )
    ]
    names += [
        f"{base} {one} {two}" for base in BASES[:3] for one, two in itertools.product(FORMS[:40], FORMS[-40:])
    ]
    assert len(names) > 10_000
    assert [without_legal_form(n) for n in names] == [basename(n) for n in names]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(FORMS), st.text(min_size=1, max_size=8), st.sampled_from(BASES)),
        max_size=5,
    ).map(" ".join)
)
def test_legal_forms_come_off_as_cleanco_takes_them_from_any_text(name: str) -> None:
    """It agrees with cleanco's `basename` on any text, legal forms or not."""
    assert without_legal_form(name) == basename(name)


@pytest.mark.parametrize(
    ("one", "other", "near"),
    [
        ("Bakkerij Jansen B.V.", "BAKKERIJ JANSSEN BV", True),  # a typo, another spelling of the form
        ("Jansen Bakkerij", "Bakkerij Jansen", True),  # word order
        ("Müller GmbH & Co. KG", "Mueller GmbH", True),  # accents, a longer legal form
        ("Société Générale S.A.", "societe generale", True),
        ("Bakkerij Jansen", "Slagerij Jansen", False),  # another word
        ("Customer 1 B.V.", "Customer 2 B.V.", False),  # other numbers: other companies
        ("Acme", "Acme Holding", False),
        ("Corp", "LLC", False),  # only a legal form: nothing left to compare
        ("B.V.", "B.V.", False),
    ],
)
def test_names_are_near_as_documented(one: str, other: str, near: bool) -> None:
    """It calls two names near as the README documents: legal form, case, accents and
    word order do not matter; another word or another number does."""
    assert names_near(name_core(one), name_core(other)) is near


def onboard(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def imported(db: str, path: Path, rows: list[dict[str, str]]) -> dict[str, Any]:
    """Import `rows` written to `path` (or the file at `path` as it is, without rows)."""
    result = onboard("import", str(write_sheet(path, rows) if rows else path), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def stored_row(index: int, **overrides: str) -> dict[str, str]:
    """A valid customer with a registration number and postcode of its own."""
    return (
        customer(index, registration_number=f"{40000000 + index}", postal_code=f"{1000 + index} AB")
        | overrides
    )


def test_an_import_warns_about_rows_that_look_like_stored_customers(tmp_path: Path, db_url: str) -> None:
    """It warns, naming the stored ERP ID, about a row with a stored customer's VAT
    number, registration number (same country), or near name at the same postcode; not
    about a near name elsewhere, nor about the stored customer itself; stores every row
    and keeps each warning with its customer."""
    first = [
        stored_row(1, full_name="Bakkerij Jansen B.V."),
        stored_row(2),
        stored_row(3),
        stored_row(4, full_name="Studio Noord B.V."),
    ]
    imported(db_url, tmp_path / "first.csv", first)
    second = [
        stored_row(11, tax_id=first[0]["tax_id"]),  # same VAT as 00124
        stored_row(12, registration_number=first[1]["registration_number"]),  # as 00125
        stored_row(13, full_name="BAKKERIJ JANSSEN BV", postal_code=first[0]["postal_code"]),  # as 00124
        stored_row(14, full_name="Studio Noord B.V."),  # a near name at another postcode
        stored_row(3, city="Veldhoven"),  # the stored 00126 itself, changed
    ]
    summary = imported(db_url, tmp_path / "second.csv", second)

    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (5, 5, 0)
    assert summary["warnings_by_code"] == {"possible_duplicate": 3}
    warned = read_csv(Path(summary["report_dir"]) / "warnings.csv")
    assert [(w["row"], w["field"], w["code"]) for w in warned] == [
        ("2", "tax_id", "possible_duplicate"),
        ("3", "registration_number", "possible_duplicate"),
        ("4", "full_name", "possible_duplicate"),
    ]
    assert ["customer 00124," in w["message"] for w in warned] == [True, False, True]
    assert "00125" in warned[1]["message"] and "same registration number" in warned[1]["message"]
    assert "'Bakkerij Jansen B.V.'" in warned[2]["message"]
    stored = {c["erp_id"]: c for c in StoreView(db_url).rows(customers)}
    assert len(stored) == 8
    assert stored["00134"]["warnings"] == warned[0]["message"]
    assert stored["00137"]["warnings"] is None and stored["00126"]["warnings"] is None
    assert stored["00126"]["city"] == "Veldhoven"


def test_same_registration_number_in_another_country_is_no_lookalike(tmp_path: Path, db_url: str) -> None:
    """It compares registration numbers only within one country: the same digits are two
    numbers in two registers."""
    imported(db_url, tmp_path / "first.csv", [stored_row(1)])
    number = stored_row(1)["registration_number"]
    dutch = stored_row(2, registration_number=number)
    elsewhere = dutch | {"erp_id": "X1", "country": "US", "tax_id": stored_row(1)["tax_id"]}
    with create_engine(db_url).connect() as connection:
        found = find_lookalikes(connection, [dutch, elsewhere])
    assert [(f.erp_id, f.others, f.reason) for f in found] == [("00125", ("00124",), "registration_number")]


def test_placeholder_numbers_match_nothing(tmp_path: Path, db_url: str) -> None:
    """It never calls two customers alike for sharing a placeholder (0, N/A, TBD, -): a
    number without a digit other than 0 identifies nobody."""
    imported(db_url, tmp_path / "first.csv", [stored_row(1)])
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE customers SET registration_number = 'N/A', tax_id = '0'"))
    for placeholder in ("N/A", "0", "TBD", "-", "000"):
        candidate = stored_row(2, registration_number=placeholder, tax_id=placeholder)
        with engine.connect() as connection:
            assert find_lookalikes(connection, [candidate]) == [], placeholder


def test_one_warning_per_row_and_reason_names_three_and_counts_the_rest(tmp_path: Path, db_url: str) -> None:
    """It gives a row that shares its registration number with many stored customers (a
    chain's branches) one warning naming three of them and counting the rest, not one
    warning a customer."""
    number = stored_row(1)["registration_number"]
    imported(
        db_url, tmp_path / "branches.csv", [stored_row(i, registration_number=number) for i in range(1, 8)]
    )
    summary = imported(db_url, tmp_path / "new.csv", [stored_row(9, registration_number=number)])
    assert summary["warnings_by_code"] == {"possible_duplicate": 1}
    message = StoreView(db_url).customer("00132")["warnings"]
    assert message.startswith(
        "Looks like customers 00124, 00125, 00126 and 4 more, stored under another ERP ID"
    )


def test_a_file_imported_again_is_not_compared_with_itself(tmp_path: Path, db_url: str) -> None:
    """It compares a file imported again (forced, or corrected) with the stored customers
    other than its own: two rows of it sharing a VAT number are `duplicate_tax_id`, never
    look-alikes of each other's stored selves."""
    rows = [stored_row(1), stored_row(2, tax_id=stored_row(1)["tax_id"])]
    sheet = write_sheet(tmp_path / "in.csv", rows)
    for extra in ([], ["--force"]):
        result = onboard("import", str(sheet), "--db", db_url, "--json", *extra)
        assert json.loads(result.stdout)["warnings_by_code"] == {"duplicate_tax_id": 2}, result.output
    corrected = write_sheet(tmp_path / "corrected.csv", [rows[0] | {"city": "Veldhoven"}, rows[1]])
    assert imported(db_url, corrected, [])["warnings_by_code"] == {"duplicate_tax_id": 2}


def test_the_review_workbook_shows_each_customers_warnings(tmp_path: Path, db_url: str) -> None:
    """It shows reviewers, in a warnings column beside the decision, every warning the
    customer's import gave (a look-alike, a phone number of another country), wrapped in a
    row tall enough to read, and prints landscape with the header on every page."""
    imported(db_url, tmp_path / "first.csv", [stored_row(1)])
    lookalike = stored_row(2, tax_id=stored_row(1)["tax_id"], contact_phone="+49 30 901820")
    second = write_sheet(tmp_path / "second.csv", [lookalike, stored_row(3)])
    shown = onboard("import", str(second), "--db", db_url)
    assert shown.exit_code == 0, shown.output
    assert "warned for: phone_other_country ×1, possible_duplicate ×1" in shown.output
    out = tmp_path / "review.xlsx"
    assert onboard("review", "export", "--out", str(out), "--db", db_url).exit_code == 0

    sheet = load_workbook(out)["Review"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("warnings") + 1
    assert column == header.index("reason") + 2
    by_erp_id = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    row = by_erp_id["00125"]
    messages = str(sheet.cell(row=row, column=column).value).splitlines()
    assert len(messages) == 2
    assert any("00124" in m and "same VAT number" in m for m in messages)
    assert any("+49" in m for m in messages)
    assert sheet.cell(row=row, column=column).alignment.wrap_text
    assert (sheet.row_dimensions[row].height or 0) >= 45
    assert sheet.cell(row=by_erp_id["00126"], column=column).value in (None, "")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"

    # The column is read-only information: a decided workbook with it applies.
    sheet.cell(row=row, column=header.index("decision") + 1).value = "approve"
    sheet.parent.save(out)
    applied = onboard("review", "apply", str(out), "--reviewer", "someone else", "--db", db_url)
    assert applied.exit_code == 0, applied.output
    assert StoreView(db_url).customer("00125")["status"] == "approved"


def test_an_unchanged_customer_gets_its_new_warnings(tmp_path: Path, db_url: str) -> None:
    """It keeps each customer's warnings as its last import gave them, also when the
    import left the customer itself unchanged (no status change, no audit row)."""
    first = write_sheet(tmp_path / "first.csv", [stored_row(1)])
    imported(db_url, first, [])
    imported(db_url, tmp_path / "twin.csv", [stored_row(2, tax_id=stored_row(1)["tax_id"])])
    assert StoreView(db_url).customer("00124")["warnings"] is None

    result = onboard("import", str(first), "--db", db_url, "--force", "--json")
    summary = json.loads(result.stdout)

    assert (summary["unchanged"], summary["warnings_by_code"]) == (1, {"possible_duplicate": 1})
    stored = StoreView(db_url).customer("00124")
    assert "customer 00125," in stored["warnings"]
    assert stored["status"] == "pending"
