"""Values that pass a library's check yet are no value, or would be stored altered.

Found by feeding real sheets through the command line: `n/a` and `-` typed into required
cells were stored as company names and register numbers; a VAT number `-` of a country
without a check was stored empty, `0` as a number; phonenumbers dropped a phone
number's extension and turned letters into keypad digits before E.164 was stored; a
bidi override was stored in a name; an ERP ID shown as 00123 by a `00000` format was
stored as 123, and cells merged down a column were blank but for the first row;
`KvK 12345678` was rejected; a review CSV saved by Excel lost its ERP IDs' zeros.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result
from factories import LABELS, StoreView, json_lines, read_csv, valid_row, write_sheet
from openpyxl import load_workbook

from pipeline import xlsx_scan
from pipeline.store import customers
from pipeline.xlsx_formats import shown
from schemas.checks import placeholder_value
from schemas.rules.registration import normalize_registration_number
from schemas.rules.tax_id import normalize_tax_id

DUBAI = {"country": "AE", "postal_code": "", "state": "Dubai"}
ROWS = [
    valid_row(1, full_name="n/a"),  # 2
    valid_row(2, short_name="-", city="?"),  # 3
    valid_row(3, contact_role="N.v.t."),  # 4
    valid_row(4, **DUBAI, tax_id="-", registration_number="CN-1234567"),  # 5
    valid_row(5, **DUBAI, tax_id="000000000", registration_number="CN-7654321"),  # 6
    valid_row(6, country="IT", registration_number="000", tax_id="IT00743110157", postal_code="00118",
              state="Roma", contact_phone="+39 06 1234 5678"),  # 7
    valid_row(7, contact_phone="+31 40 123 4567 ext 12"),  # 8
    valid_row(8, contact_phone="+31 40 ABC DEFG"),  # 9
    valid_row(9, short_name="TBA", contact_last_name="Na", contact_phone="Tel.: 040-1234567"),  # 10
    valid_row(10, **DUBAI, tax_id="100123456700003", registration_number="CN-1111111"),  # 11
]  # fmt: skip


def test_placeholders_extensions_and_keypad_letters_are_rejected_by_name(
    tmp_path: Path, db_url: str, onboard: Callable[..., Result]
) -> None:
    """It rejects each row holding a placeholder, an extension or letters in its phone
    number, naming the cell, and stores the others exactly as typed, on SQLite and PostgreSQL."""
    sheet = write_sheet(tmp_path / "placeholders.csv", ROWS)
    result = onboard("import", sheet, "--db", db_url, "--user", "tester", "--json")
    assert result.exit_code == 1, result.output
    (summary,) = json_lines(result.stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (10, 2, 8)

    lines = read_csv(Path(summary["report_dir"]) / "rejects.csv")
    assert {(line["row"], line["field"], line["code"]) for line in lines} == {
        ("2", "full_name", "placeholder_value"),
        ("3", "short_name", "placeholder_value"),
        ("3", "city", "placeholder_value"),
        ("4", "contact_role", "placeholder_value"),
        ("5", "tax_id", "placeholder_value"),
        ("5", "tax_id", "invalid_tax_id"),
        ("6", "tax_id", "invalid_tax_id"),
        ("7", "registration_number", "invalid_registration_number"),
        ("8", "contact_phone", "invalid_phone"),
        ("9", "contact_phone", "invalid_phone"),
    }
    messages = {(line["row"], line["code"]): line["message"] for line in lines}
    assert "'n/a' is a placeholder" in messages[("2", "placeholder_value")]
    assert "zeros only" in messages[("6", "invalid_tax_id")]
    assert "zeros only" in messages[("7", "invalid_registration_number")]
    assert "the extension 12" in messages[("8", "invalid_phone")]
    assert "'ABCDEFG'" in messages[("9", "invalid_phone")]

    store = StoreView(db_url)
    stored = {row["erp_id"]: row for row in store.rows(customers)}
    assert set(stored) == {ROWS[8]["erp_id"], ROWS[9]["erp_id"]}
    assert stored[ROWS[8]["erp_id"]]["short_name"] == "TBA"
    assert stored[ROWS[8]["erp_id"]]["contact_last_name"] == "Na"
    assert stored[ROWS[8]["erp_id"]]["contact_phone"] == "+31401234567"
    assert stored[ROWS[9]["erp_id"]]["tax_id"] == "100123456700003"


@pytest.mark.parametrize("value", ["-", "/", "000000000", "0"])
def test_a_tax_number_of_a_country_without_a_check_is_still_no_placeholder(value: str) -> None:
    """It rejects zeros, or marks without a digit or letter (stored empty before), as the VAT
    number of a country stdnum has no check for, instead of accepting them unverified."""
    outcome = normalize_tax_id(value, "AE")
    assert (outcome.value, outcome.code) == (None, "invalid_tax_id")


@pytest.mark.parametrize(
    ("value", "country"), [("0", "IT"), ("000-000", "IE"), ("0000000-0", "FI"), ("00000000", "DK")]
)
def test_a_registration_number_of_zeros_is_a_placeholder_in_every_country(value: str, country: str) -> None:
    """It rejects a register number of zeros only, whatever the country's check says."""
    outcome = normalize_registration_number(value, country)
    assert (outcome.value, outcome.code) == (None, "invalid_registration_number")
    assert "zeros only" in outcome.message


@pytest.mark.parametrize(
    "value",
    ["n/a", "N/A", "n.a.", "n.v.t.", "nvt", "k.A.", "-", "—", "?", "...", "/", "unknown", "Onbekend",
     "inconnu", "not applicable", "niet bekend", "nicht zutreffend", "sans objet"],
)  # fmt: skip
def test_a_placeholder_is_found(value: str) -> None:
    """It finds what people type into a required cell they cannot fill."""
    assert not placeholder_value(pd.Series([value])).iloc[0]


@pytest.mark.parametrize(
    "value",
    ["X", "Na", "NA", "TBA", "TBD", "3M", "0", "Null", "None", "NV", "N.V. Nuon", "K.A. Bakker", "S.O.S.",
     "Unknown Worlds", "Nicht Ltd", "€uro Shop", "O'Neil", "Ü"],
)  # fmt: skip
def test_a_short_name_or_surname_is_no_placeholder(value: str) -> None:
    """It leaves real names that look like placeholders alone: acronyms, short surnames,
    one letter, a number, names that begin with a placeholder word."""
    assert placeholder_value(pd.Series([value])).iloc[0]


def test_a_number_in_a_zero_padded_format_is_read_as_excel_shows_it(
    tmp_path: Path, onboard: Callable[..., Result]
) -> None:
    """It reads a number cell formatted `00000` (Excel's Zip Code format) or `00000-0000`
    with the zeros the user sees: the ERP ID 00123 is stored as 00123, not 123, and the
    postcode 01067 is valid; other number formats keep the number as it is."""
    rows = [
        valid_row(1, country="DE", city="Dresden", tax_id="DE136695976", registration_number="München HRB 1",
                  contact_phone="+49 351 1234567"),
        valid_row(2, country="US", state="CA", city="Mountain View", tax_id="04-2103594",
                  registration_number="C1234567", contact_phone="(650) 253-0000"),
    ]  # fmt: skip
    sheet = write_sheet(tmp_path / "zip-format.xlsx", rows)
    workbook = load_workbook(sheet)
    cells = workbook.active
    assert cells is not None
    columns = {cell.value: cell.column for cell in cells[1]}
    for row, erp_id, postcode, shape in ((2, 123, 1067, "00000"), (3, 124, 940431351, "00000\\-0000")):
        cells.cell(row, columns["ERP ID"], erp_id).number_format = "00000"
        cells.cell(row, columns["Zip/Postal code"], postcode).number_format = shape
    cells.cell(3, columns["Short name"], 7).number_format = "0.00"  # shows 7.00: not a padding
    workbook.save(sheet)

    result = onboard("import", sheet, "--db", f"sqlite:///{tmp_path / 'store.db'}", "--user", "t", "--json")
    assert result.exit_code == 0, result.output
    store = StoreView(f"sqlite:///{tmp_path / 'store.db'}")
    stored = {row["erp_id"]: row for row in store.rows(customers)}
    assert set(stored) == {"00123", "00124"}
    assert stored["00123"]["postal_code"] == "01067"
    assert stored["00124"]["postal_code"] == "94043-1351"
    assert stored["00124"]["short_name"] == "7"


@pytest.mark.parametrize(
    ("value", "pattern", "text"),
    [
        (1067, "00000", "01067"),
        (1067.0, "00000", "01067"),
        (123456, "00000", "123456"),  # more digits than zeros: all shown, as Excel does
        (12345, "00000-0000", "00001-2345"),
        (612345678, '"+31 "0000000000', "+31 0612345678"),
        (1.5, "00000", None),
        (-5, "00000", None),
        (True, "00", None),
        ("01067", "00000", None),
    ],
)
def test_a_zero_padded_format_fills_its_zeros_from_the_right(
    value: object, pattern: str, text: str | None
) -> None:
    """It shows a whole, non-negative number as the format does, and nothing else."""
    assert shown(value, pattern) == text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Acme\u202egnp.exe B.V."),  # shows as "Acme exe.png B.V."
        ("erp_id", "00\u2066123\u2069"),  # an isolate: reads 00123, is not 00123
        ("city", "Eindhoven\u200f"),  # a right-to-left mark
        ("contact_last_name", "Jansen\U000e0041"),  # a tag character
    ],
)
def test_a_bidi_control_or_tag_character_is_rejected_as_invisible(
    tmp_path: Path, field: str, value: str, onboard: Callable[..., Result]
) -> None:
    """It rejects a value holding an invisible bidirectional control or tag character,
    which would store a name or ERP ID other than the one a person reads."""
    sheet = write_sheet(tmp_path / "bidi.csv", [valid_row(1, **{field: value}), valid_row(2)])
    result = onboard("validate", sheet, "--json")
    assert result.exit_code == 1, result.output
    (summary,) = json_lines(result.stdout)
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    (line,) = read_csv(Path(summary["report_dir"]) / "rejects.csv")
    assert (line["row"], line["field"], line["code"]) == ("2", field, "control_character")


def test_cells_merged_down_a_column_give_every_row_the_value_shown(
    tmp_path: Path, onboard: Callable[..., Result]
) -> None:
    """It gives every row of cells merged down a column (one country for four customers)
    the value the merged cell shows, and leaves cells merged across columns as read: the
    second of two merged columns is blank, as calamine reads it."""
    sheet = write_sheet(
        tmp_path / "merged.xlsx", [valid_row(i) for i in range(1, 6)], title_rows=[["Customers"]]
    )
    workbook = load_workbook(sheet)
    cells = workbook.active
    assert cells is not None
    letters = {cell.value: cell.column_letter for cell in cells[2]}
    cells.merge_cells("A1:F1")  # the title over the table
    cells.merge_cells(f"{letters['Country']}3:{letters['Country']}6")
    cells.merge_cells(f"{letters['Industry']}3:{letters['Industry']}4")
    cells.merge_cells(f"{letters['City']}7:{letters['Address']}7")  # across: Address is blank
    workbook.save(sheet)

    result = onboard("validate", sheet, "--json")
    (summary,) = json_lines(result.stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (5, 4, 1), result.output
    (line,) = read_csv(Path(summary["report_dir"]) / "rejects.csv")
    assert (line["row"], line["field"], line["code"]) == ("7", "address", "missing_value")


@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [
        ("KvK 12345678", "NL", "12345678"),
        ("KvK-nummer: 12345678", "NL", "12345678"),
        ("KVK-nr. 1234 5678", "NL", "12345678"),
        ("CVR-nr. 13585628", "DK", "13585628"),
        ("KBO 0403.170.701", "BE", "0403170701"),
        ("Amtsgericht München HRB 12345", "DE", "München HRB 12345"),
        ("RCS Paris B 552 081 317", "FR", "552081317"),
        ("552 081 317 R.C.S. Paris", "FR", "552081317"),
        ("KRS 0000028860", "PL", "0000028860"),  # the court register, beside REGON
        ("0000028860", "PL", "0000028860"),
    ],
)
def test_a_register_number_written_with_its_registers_name_is_accepted(
    value: str, country: str, stored: str
) -> None:
    """It checks and stores the number without the register's name written with it, where
    it rejected `KvK 12345678` as no valid KvK number."""
    outcome = normalize_registration_number(value, country)
    assert (outcome.value, outcome.code) == (stored, None)


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("KvK 1234567", "NL"),
        ("KvK", "NL"),
        ("RCS Paris B 552 081 318", "FR"),
        ("5261040828", "PL"),
        ("KRS 0", "PL"),
    ],
)
def test_the_registers_name_does_not_make_a_bad_number_good(value: str, country: str) -> None:
    """It still rejects a wrong number behind the register's name, and a Polish tax number
    (NIP, 10 digits not starting with 0) given as a KRS number."""
    assert normalize_registration_number(value, country).code == "invalid_registration_number"


def test_a_review_csv_whose_erp_ids_lost_their_zeros_names_the_customer_meant(
    tmp_path: Path, onboard: Callable[..., Result]
) -> None:
    """It refuses a review line whose ERP ID a spreadsheet saved without its leading zeros
    (00124 → 124), naming the stored customer and the way out, and applies nothing."""
    db = f"sqlite:///{tmp_path / 'store.db'}"
    sheet = write_sheet(tmp_path / "customers.csv", [valid_row(1)])
    assert onboard("import", sheet, "--db", db, "--user", "importer").exit_code == 0
    review = tmp_path / "review.csv"
    assert onboard("review", "export", "--out", review, "--db", db).exit_code == 0
    lines = read_csv(review)
    assert lines[0]["erp_id"] == "00124"
    edited = [dict(line, erp_id=line["erp_id"].lstrip("0"), decision="approve") for line in lines]
    with (tmp_path / "saved.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(edited[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(edited)

    result = onboard("review", "apply", tmp_path / "saved.csv", "--reviewer", "Jane", "--db", db, "--json")
    assert result.exit_code == 1, result.output
    (summary,) = json_lines(result.stdout)
    (line,) = read_csv(Path(summary["report_dir"]) / "review-report.csv")
    assert (line["erp_id"], line["outcome"]) == ("124", "refused")
    assert "but 00124 is" in line["message"] and "leading zeros" in line["message"]
    assert StoreView(db).customer("00124")["status"] == "pending"


@pytest.mark.parametrize(("encoding", "newline"), [("mac_roman", "\r"), ("cp1252", "\r\n")])
def test_a_mac_roman_csv_is_read_as_mac_roman_and_a_windows_one_as_windows(
    tmp_path: Path, encoding: str, newline: str, onboard: Callable[..., Result]
) -> None:
    """It reads a CSV saved by Excel for Mac as "CSV (Macintosh)" in Mac Roman, where it
    stored Café Ümit as CafŽ †mit, and a Windows-1252 CSV as before."""
    db = f"sqlite:///{tmp_path / 'store.db'}"
    row = valid_row(1, full_name="Café Ümit B.V.", contact_first_name="Ümit")
    lines = [",".join(LABELS[name] for name in row), ",".join(row.values()), ""]
    sheet = tmp_path / "klanten.csv"
    sheet.write_bytes(newline.join(lines).encode(encoding))
    result = onboard("import", sheet, "--db", db, "--user", "t")
    assert result.exit_code == 0, result.output
    stored = StoreView(db).customer(row["erp_id"])
    assert (stored["full_name"], stored["contact_first_name"]) == ("Café Ümit B.V.", "Ümit")


def test_a_companies_house_number_that_lost_its_zero_says_so() -> None:
    """It tells a British customer's 7-digit company number lost its leading zero to a
    spreadsheet, as it tells a Dutch KvK number, instead of only naming the shape."""
    outcome = normalize_registration_number("1234567", "GB")
    assert outcome.code == "invalid_registration_number"
    assert "01234567" in outcome.message and "Text" in outcome.message


def test_rows_the_sheet_hides_are_read_with_a_warning(tmp_path: Path, onboard: Callable[..., Result]) -> None:
    """It reads the rows a sheet hides (by hand, or filtered out) like every other row, and
    warns of each accepted one (`hidden_row`), kept with the customer for the reviewer:
    the person who saved the file did not see them. Every row is still counted once."""
    rows = [valid_row(i) for i in range(1, 6)]
    rows[3] = valid_row(4, contact_email="not an address")  # row 5: hidden and rejected
    sheet = write_sheet(tmp_path / "filtered.xlsx", rows)
    workbook = load_workbook(sheet)
    cells = workbook.active
    assert cells is not None
    cells.auto_filter.ref = cells.dimensions
    for row in (3, 5, 6):
        cells.row_dimensions[row].hidden = True
    workbook.save(sheet)
    url = f"sqlite:///{tmp_path / 'store.db'}"

    result = onboard("import", sheet, "--db", url, "--user", "t", "--json", "--report-dir", tmp_path / "r")

    summary = json_lines(result.stdout)[-1]
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (5, 4, 1)
    assert summary["warnings_by_code"] == {"hidden_row": 2}
    warned = read_csv(Path(summary["report_dir"]) / "warnings.csv")
    assert [(w["row"], w["value"], w["code"]) for w in warned] == [
        ("3", "00125", "hidden_row"),
        ("6", "00128", "hidden_row"),
    ]
    stored = {row["erp_id"]: row["warnings"] for row in StoreView(url).rows(customers)}
    assert "Row 3 is hidden in the sheet" in stored["00125"]
    assert stored["00124"] is None


def test_hidden_rows_are_numbered_as_calamine_numbers_them() -> None:
    """It numbers a row tag without `r` as the row after the one before it (calamine's
    count), and takes hidden="1" and hidden="true", in either quotes, as hidden."""
    piece = (
        b'<row r="2" spans="1:3" hidden="1"><c r="A2"/></row><row><c/></row>'
        b'<row hidden=\'true\' customHeight="1"></row><row r="9" hidden="0"/><rowBreaks/>'
    )
    assert xlsx_scan._hidden_in(piece, 0) == ({2, 4}, 9)
