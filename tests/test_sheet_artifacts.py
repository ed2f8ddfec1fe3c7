"""What a newcomer's real sheet holds besides customers: cells the spreadsheet converted
(a date where `1-31` was typed), rows that are not customers (totals, notes, group
headings, a repeated header row), and headers carrying remarks."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result
from factories import LABELS, StoreView, read_csv, valid_row, write_sheet
from openpyxl import Workbook

from pipeline.store import customers

Onboard = Callable[..., Result]
FIELDS = list(LABELS)


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    """An .xlsx whose cells keep the Python types given (dates, booleans, numbers)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def customer(index: int, **typed: Any) -> list[Any]:
    """A valid customer's cells in the labels' order, with `typed` cells put in as given."""
    return [typed.get(field, value) for field, value in valid_row(index).items()]


def summary(onboard: Onboard, *args: object) -> dict[str, Any]:
    result = onboard(*args, "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    return dict(json.loads(lines[0]))


def problems(found: dict[str, Any]) -> list[dict[str, str]]:
    return read_csv(Path(found["report_dir"]) / "rejects.csv")


def test_cells_the_spreadsheet_converted_are_rejected_in_every_column(
    tmp_path: Path, onboard: Onboard
) -> None:
    """It rejects a date, time or TRUE/FALSE cell in any column it reads (identifiers, a
    postcode, a phone, a city, a street) with one problem that names the cell, why what
    was typed is lost and the way out, and no other verdict on that cell; a date typed as
    text and a date in a column it does not read are fine."""
    headers = [*LABELS.values(), "Signed on"]
    rows = [
        customer(1, erp_id=dt.datetime(2024, 1, 31)),
        customer(2, postal_code=dt.datetime(2024, 3, 4)),
        customer(3, contact_phone=dt.datetime(2024, 3, 4)),
        customer(4, registration_number=True),
        customer(5, erp_id=dt.time(10, 30)),
        customer(6, city=dt.datetime(2024, 5, 1)),
        customer(7, address=dt.datetime(2024, 1, 12), industry="Mining"),
        # Typed as text: what the user sees; no duplicate of the converted ERP ID above.
        customer(8, erp_id="2024-01-31"),
        [*customer(9), dt.datetime(2024, 1, 1)],
    ]
    path = workbook(tmp_path / "converted.xlsx", [headers, *rows])

    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")

    assert (found["rows"], found["accepted"], found["rejected"]) == (9, 2, 7)
    assert found["errors_by_code"] == {"spreadsheet_conversion": 7, "unknown_industry": 1}
    lines = problems(found)
    converted = [
        (line["row"], line["field"], line["value"]) for line in lines if line["code"] != "unknown_industry"
    ]
    assert converted == [
        ("2", "erp_id", "2024-01-31"),
        ("3", "postal_code", "2024-03-04"),
        ("4", "contact_phone", "2024-03-04"),
        ("5", "registration_number", "TRUE"),
        ("6", "erp_id", "10:30:00"),
        ("7", "city", "2024-05-01"),
        ("8", "address", "2024-01-12"),
    ]
    messages = [line["message"] for line in lines if line["code"] == "spreadsheet_conversion"]
    assert all("format the column as Text" in message for message in messages)
    assert "is a date cell" in messages[0] and "is a TRUE/FALSE cell" in messages[3]


def test_a_converted_house_number_is_named_by_its_own_column(tmp_path: Path, onboard: Onboard) -> None:
    """It rejects a house number the spreadsheet made a date of (`12-3` typed), naming the
    house-number column as written, and stores nothing of the row."""
    fields = [f for f in FIELDS if f != "address"] + ["Straat", "Huisnummer"]
    headers = [LABELS.get(f, f) for f in fields]
    good = {**valid_row(1), "Straat": "Hurksestraat", "Huisnummer": 12}
    bad = {**valid_row(2), "Straat": "Hurksestraat", "Huisnummer": dt.datetime(2026, 3, 12)}
    path = workbook(tmp_path / "straat.xlsx", [headers, *([row[f] for f in fields] for row in (good, bad))])
    db = f"sqlite:///{tmp_path / 'store.db'}"

    found = summary(onboard, "import", path, "--db", db, "--report-dir", tmp_path / "reports", "--user", "t")

    assert (found["accepted"], found["rejected"]) == (1, 1)
    (line,) = problems(found)
    assert (line["row"], line["column"], line["field"], line["code"]) == (
        "3",
        "Huisnummer",
        "address",
        "spreadsheet_conversion",
    )
    assert line["message"].startswith("Huisnummer 2026-03-12 is a date cell")
    stored = StoreView(db).rows(customers)
    assert [(row["erp_id"], row["address"]) for row in stored] == [("00124", "Hurksestraat 12")]


def test_rows_that_are_not_customers_get_one_clear_reason(tmp_path: Path, onboard: Onboard) -> None:
    """It rejects a group heading, a repeated header row, a total, a note and a row with
    values only in columns it does not read with one `not_a_customer_row` each (not a
    `missing_value` per blank field), keeps rows == accepted + rejected, and still lists
    every blank field of a customer row that is only half filled, or only begun (an ERP ID
    and a name)."""
    fields = [*FIELDS, "Remarks"]
    headers = [LABELS.get(f, f) for f in fields]
    blank = dict.fromkeys(fields, "")
    sheet = [
        {**blank, "short_name": "Netherlands"},
        valid_row(1),
        dict(zip(fields, headers, strict=True)),
        valid_row(2),
        {**blank, "short_name": "Total", "contact_phone": "2"},
        {**blank, "Remarks": "checked by Jan"},
        {
            **blank,
            "short_name": "Acme",
            "full_name": "Acme B.V.",
            "erp_id": "A1",
            "tax_id": "NL1",
            "city": "Ede",
        },
        {**blank, "short_name": "* ERP IDs come from Exact"},
        {**blank, "short_name": "Begun", "erp_id": "B1"},
    ]
    path = write_sheet(tmp_path / "stray.xlsx", sheet, fields=fields, headers={"Remarks": "Remarks"})

    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")

    assert (found["rows"], found["accepted"], found["rejected"]) == (9, 2, 7)
    lines = problems(found)
    stray = [
        (line["row"], line["column"], line["value"]) for line in lines if line["code"] == "not_a_customer_row"
    ]
    assert stray == [
        ("2", "Short name", "Netherlands"),
        ("4", "Short name", " | ".join(headers)[:59] + "…"),
        ("6", "Short name", "Total | 2"),
        ("7", "Remarks", "checked by Jan"),
        ("9", "Short name", "* ERP IDs come from Exact"),
    ]
    messages = {line["row"]: line["message"] for line in lines if line["code"] == "not_a_customer_row"}
    assert "repeats the header row" in messages["4"]
    assert "only in Short name and Phone number" in messages["6"]
    assert "only in columns that are not read" in messages["7"]
    half = [line for line in lines if line["row"] == "8"]
    assert [line["code"] for line in half] == ["missing_value"] * 10
    # Begun with an ERP ID and a name: a customer, each field still to fill named (red).
    begun = [line for line in lines if line["row"] == "10"]
    assert {line["code"] for line in begun} == {"missing_value"} and len(begun) == 13


def test_headers_with_remarks_are_matched_without_them(tmp_path: Path, onboard: Onboard) -> None:
    """It maps `Phone (incl. country code)`, `E-mail [work]` and a postcode header with its
    example on a second line, and leaves a remark header alone where another column
    already names the field (`Phone` beside `Phone (mobile)`)."""
    renamed = {
        "contact_phone": "Phone (incl. country code)",
        "contact_email": "E-mail [work]",
        "postal_code": "Postcode\n(NL: 1234 AB)",
    }
    path = write_sheet(tmp_path / "remarks.xlsx", [valid_row(1)], headers=renamed)
    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")
    assert (found["accepted"], found["unmapped_columns"]) == (1, [])

    both = write_sheet(
        tmp_path / "phones.csv",
        [{**valid_row(1), "mobile": "06 12345678"}],
        fields=[*FIELDS, "mobile"],
        headers={"contact_phone": "Phone", "mobile": "Phone (mobile)"},
    )
    found = summary(onboard, "validate", both, "--report-dir", tmp_path / "reports")
    assert (found["accepted"], found["unmapped_columns"]) == (1, ["Phone (mobile)"])


def test_two_remark_headers_for_one_field_are_left_for_the_user(tmp_path: Path, onboard: Onboard) -> None:
    """It maps neither of two remark headers naming one field (which one is meant?): the
    field is missing, and both are offered for `[columns.synonyms]`."""
    fields = [f for f in FIELDS if f != "contact_phone"] + ["office", "mobile"]
    headers = {"office": "Phone (office)", "mobile": "Phone (mobile)"}
    rows = [{**valid_row(1), "office": "040 123 4567", "mobile": "06 12345678"}]
    path = write_sheet(tmp_path / "two.csv", rows, fields=fields, headers=headers)

    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")

    assert found["error"]["code"] == "missing_columns"
    assert found["missing_columns"] == ["contact_phone"]
    assert found["unmapped_columns"] == ["Phone (office)", "Phone (mobile)"]


def test_abbreviated_number_headers_are_matched_spelled_out(tmp_path: Path, onboard: Onboard) -> None:
    """It maps the headers of a sheet as an office keeps it (`Klantnr`, `KvK-nr.`, `BTW nr`,
    `Tel.`, Excel's `Country/Region`) without a line of configuration."""
    renamed = {
        "erp_id": "Klantnr",
        "registration_number": "KvK-nr.",
        "tax_id": "BTW nr",
        "contact_phone": "Tel.",
        "country": "Country/Region",
    }
    path = write_sheet(tmp_path / "office.csv", [valid_row(1)], headers=renamed)

    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")

    assert (found["accepted"], found["unmapped_columns"]) == (1, [])


def test_customers_on_two_sheets_are_refused_whole(tmp_path: Path, onboard: Onboard) -> None:
    """It refuses a workbook with customers on two sheets (NL and BE) in one line with the
    way out, storing nothing, where it read the first sheet alone and said all was well."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "NL"
    second = book.create_sheet("BE")
    for sheet, index in ((first, 1), (second, 2)):
        sheet.append(list(LABELS.values()))
        sheet.append(list(valid_row(index).values()))
    path = tmp_path / "klanten.xlsx"
    book.save(path)
    db = f"sqlite:///{tmp_path / 'store.db'}"

    result = onboard("import", path, "--db", db, "--report-dir", tmp_path / "reports", "--user", "t")

    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "'NL' and 'BE'" in line and "one sheet" in line
    assert StoreView(db).count(customers) == 0


def test_formulas_no_spreadsheet_calculated_are_not_read_as_blank(tmp_path: Path, onboard: Onboard) -> None:
    """It rejects a formula cell whose value the file does not hold (a program wrote the
    workbook and nothing calculated it: Excel shows a value, the file has none), in a
    required column and in an optional one, where it read a blank (and stored an empty
    secondary address); a formula with its value saved is read as that value."""
    headers = list(LABELS.values())
    rows = [
        customer(1, full_name='=A2&" B.V."'),
        customer(2, address2='="Unit "&3'),
        customer(3, full_name='=A4&" B.V."'),
    ]
    written = workbook(tmp_path / "written.xlsx", [headers, *rows])
    path = tmp_path / "program.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # row 4 as Excel saves it: with its value
                formula = b'<f>A4&amp;" B.V."</f>'
                data = data.replace(
                    b'<c r="B4">' + formula + b"<v />", b'<c r="B4" t="str">' + formula + b"<v>C3 B.V.</v>"
                )
            target.writestr(item, data)

    found = summary(onboard, "validate", path, "--report-dir", tmp_path / "reports")

    assert (found["rows"], found["accepted"], found["rejected"]) == (3, 1, 2)
    lines = problems(found)
    assert [(line["row"], line["field"], line["code"]) for line in lines] == [
        ("2", "full_name", "formula_without_value"),
        ("3", "address2", "formula_without_value"),
    ]
    assert "open it in Excel or LibreOffice, save it" in lines[0]["message"]
