"""The reports: rejects.csv, warnings.csv, rejects.xlsx and summary.json, read back as a user would."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from factories import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.report import escape_formulas, unescape_formulas, write_people_csv
from pipeline.store import customers
from schemas.codes import CODES

pytestmark = pytest.mark.usefixtures("workdir")

Row = Callable[..., dict[str, str]]
Onboard = Callable[..., Result]
ReadCsv = Callable[[Path], list[dict[str, str]]]

ISSUE_COLUMNS = ["row", "column", "field", "value", "code", "message"]
FORMULA_STARTS = ["=1+2", "+31 6 1234", "-12", "@SUM(A1)"]

# Every field under the Dutch names a sheet from a Dutch team carries.
DUTCH = {
    "short_name": "Korte naam",
    "full_name": "Bedrijfsnaam",
    "erp_id": "Debiteurnummer",
    "registration_number": "KvK-nummer",
    "tax_id": "BTW-nummer",
    "currency": "Valuta",
    "industry": "Branche",
    "country": "Land",
    "city": "Plaats",
    "state": "Provincie",
    "address": "Adres",
    "address2": "Adresregel 2",
    "postal_code": "Postcode",
    "contact_first_name": "Voornaam",
    "contact_last_name": "Achternaam",
    "contact_role": "Functie",
    "contact_email": "E-mailadres",
    "contact_phone": "Telefoonnummer",
}


def run(onboard: Onboard, command: str, path: Path, *extra: object) -> dict[str, Any]:
    """Run validate or import with --json; the file's summary."""
    result = onboard(command, path, "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    (line,) = result.stdout.splitlines()
    return json.loads(line)


def report(summary: dict[str, Any], name: str) -> Path:
    return Path(summary["report_dir"]) / name


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def is_red(cell: Cell) -> bool:
    """A solid fill whose colour is mostly red."""
    rgb = str(cell.fill.fgColor.rgb)
    if cell.fill.fill_type != "solid" or len(rgb) != 8:
        return False
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (2, 4, 6))
    return red > green and red > blue


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejects_csv_has_the_contract_columns_and_the_users_row_numbers(
    suffix: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    read_csv: ReadCsv,
) -> None:
    """It writes row, column, field, value, code, message, with rows numbered as the sheet shows them."""
    rows = [valid_row(0), valid_row(1, tax_id="NL123", contact_email="nobody"), valid_row(2, currency="QQQ")]
    sheet = write_sheet(
        tmp_path / f"titled{suffix}",
        rows,
        title_rows=[["Customer import"], ["Prepared by the onboarding team"]],
    )

    summary = run(onboard, "validate", sheet)

    assert summary["header_row"] == 3
    assert header_of(report(summary, "rejects.csv")) == ISSUE_COLUMNS
    assert header_of(report(summary, "warnings.csv")) == ISSUE_COLUMNS
    lines = read_csv(report(summary, "rejects.csv"))
    assert {(line["row"], line["column"], line["field"], line["code"]) for line in lines} == {
        ("5", "Tax ID", "tax_id", "invalid_tax_id"),
        ("5", "Email address", "contact_email", "invalid_email"),
        ("6", "Currency", "currency", "unknown_currency"),
    }
    values = {line["field"]: line["value"] for line in lines}
    assert values == {"tax_id": "NL123", "contact_email": "nobody", "currency": "QQQ"}
    assert all(line["message"] and line["code"] in CODES for line in lines)


def test_csv_row_numbers_count_records_not_lines(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It numbers CSV rows by record, so a quoted cell spanning lines does not shift later rows."""
    rows = [
        valid_row(0, address="Hurksestraat 45\nUnit 2\nThird floor"),
        valid_row(1, tax_id="NL123"),
    ]
    summary = run(onboard, "validate", write_sheet(tmp_path / "multiline.csv", rows))

    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    (line,) = read_csv(report(summary, "rejects.csv"))
    assert (line["row"], line["code"]) == ("3", "invalid_tax_id")


def test_column_is_the_header_as_written_in_the_file(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It names a problem's column by the file's own header (BTW-nummer), and its canonical field."""
    rows = [valid_row(0, tax_id="NL123", postal_code="ABC")]
    summary = run(onboard, "validate", write_sheet(tmp_path / "klanten.xlsx", rows, headers=DUTCH))

    lines = read_csv(report(summary, "rejects.csv"))
    assert {(line["column"], line["field"], line["code"]) for line in lines} == {
        ("BTW-nummer", "tax_id", "invalid_tax_id"),
        ("Postcode", "postal_code", "invalid_postal_code"),
    }


def test_formula_like_values_are_neutralized_in_rejects_csv(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It prefixes values (and headers) starting with = + - @ with an apostrophe in rejects.csv."""
    rows = [valid_row(i, tax_id=value) for i, value in enumerate(FORMULA_STARTS)]
    sheet = write_sheet(tmp_path / "formulas.csv", rows, headers={"tax_id": "=Tax ID"})
    summary = run(onboard, "validate", sheet)

    lines = read_csv(report(summary, "rejects.csv"))
    assert sorted(line["value"] for line in lines if line["field"] == "tax_id") == sorted(
        "'" + value for value in FORMULA_STARTS
    )
    assert {line["column"] for line in lines if line["field"] == "tax_id"} == {"'=Tax ID"}
    assert not [cell for line in lines for cell in line.values() if cell.startswith(("=", "+", "-", "@"))]


def test_formula_like_values_are_neutralized_in_warnings_csv(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, read_csv: ReadCsv
) -> None:
    """It prefixes a warned value starting with a formula character with an apostrophe in warnings.csv."""
    saudi = valid_row(
        0,
        tax_id="-12345",
        country="Saudi Arabia",
        city="Riyadh",
        postal_code="12211",
        currency="SAR",
        registration_number="1010010030",
        contact_phone="+966 11 234 5678",
    )
    summary = run(onboard, "validate", write_sheet(tmp_path / "saudi.csv", [saudi]))

    assert (summary["accepted"], summary["rejected"]) == (1, 0)
    (line,) = read_csv(report(summary, "warnings.csv"))
    assert (line["row"], line["field"], line["value"], line["code"]) == (
        "2",
        "tax_id",
        "'-12345",
        "tax_id_unverified",
    )


def test_formula_like_values_are_neutralized_in_the_export_for_spreadsheets(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    read_csv: ReadCsv,
) -> None:
    """It prefixes stored text starting with = + - @ in the --for-spreadsheet CSV, and keeps it as text
    in XLSX."""
    row = valid_row(0, short_name="=Copaco", full_name="@Copaco B.V.", city="-Eindhoven", address="+45 Hurk")
    assert run(onboard, "import", write_sheet(tmp_path / "in.xlsx", [row]), "--db", db_url)["inserted"] == 1
    out_csv, out_xlsx = tmp_path / "out.csv", tmp_path / "out.xlsx"
    result = onboard("export", "--status", "pending", "--out", out_csv, "--for-spreadsheet", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert onboard("export", "--status", "pending", "--out", out_xlsx, "--db", db_url).exit_code == 0

    (exported,) = read_csv(out_csv)
    assert (exported["short_name"], exported["full_name"], exported["city"], exported["address"]) == (
        "'=Copaco",
        "'@Copaco B.V.",
        "'-Eindhoven",
        "'+45 Hurk",
    )
    sheet = load_workbook(out_xlsx).active
    assert sheet is not None
    cells = {str(header.value): cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    for field in ("short_name", "full_name", "city", "address"):
        assert cells[field].data_type == "s"
        assert cells[field].value == row[field]


def rejected_rows(path: Path) -> Worksheet:
    """The sheet of rejected rows of a rejects.xlsx."""
    return load_workbook(path)["Rejected rows"]


def test_rejects_xlsx_keeps_values_as_typed_in_string_cells(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard
) -> None:
    """It writes every rejects.xlsx cell of the file as a string cell (never a formula) holding the
    value as typed; only the row numbers it adds are numbers."""
    rows = [valid_row(i, tax_id=value) for i, value in enumerate(FORMULA_STARTS)]
    summary = run(onboard, "validate", write_sheet(tmp_path / "formulas.xlsx", rows))

    sheet = rejected_rows(report(summary, "rejects.xlsx"))
    headers = [c.value for c in sheet[1]]
    tax_column = headers.index("Tax ID") + 1
    typed = [sheet.cell(row=r, column=tax_column) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in typed) == sorted(FORMULA_STARTS)
    assert all(c.data_type == "s" for c in typed)
    filled = [cell for row in sheet.iter_rows(min_col=2) for cell in row if cell.value not in (None, "")]
    assert filled
    assert {cell.data_type for cell in filled} == {"s"}
    assert [c.value for c in sheet["A"][1:]] == [2, 3, 4, 5]
    phones = {sheet.cell(row=r, column=headers.index("Phone number") + 1).value for r in range(2, 6)}
    assert "+31(0)40 123 4567" in phones


def test_rejects_xlsx_has_the_files_columns_red_cells_comments_and_errors(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    read_csv: ReadCsv,
) -> None:
    """It lists rejected rows under their row number, the file's own headers and Errors, bad cells
    red with the message."""
    fields = ["Notes", *reversed(list(DUTCH))]
    headers = [DUTCH.get(f, f) for f in fields]
    rows = [
        valid_row(0, Notes="good one"),
        valid_row(1, tax_id="NL123", contact_email="nobody", Notes="two problems"),
        valid_row(2, postal_code="ABC", Notes="one problem"),
    ]
    sheet_path = write_sheet(tmp_path / "klanten.xlsx", rows, headers=DUTCH, fields=fields)
    summary = run(onboard, "validate", sheet_path)
    assert summary["unmapped_columns"] == ["Notes"]
    problems = read_csv(report(summary, "rejects.csv"))

    sheet = rejected_rows(report(summary, "rejects.xlsx"))
    assert [c.value for c in sheet[1]] == ["Original row", *headers, "Errors"]
    assert sheet.max_row == 3
    position = {header: i for i, header in enumerate(headers, start=1)}
    by_note = {sheet.cell(row=r, column=2).value: list(sheet[r]) for r in (2, 3)}
    assert set(by_note) == {"two problems", "one problem"}
    assert (by_note["two problems"][0].value, by_note["one problem"][0].value) == (3, 4)
    expected = {"two problems": {"BTW-nummer", "E-mailadres"}, "one problem": {"Postcode"}}
    for note, expected_bad in expected.items():
        cells = by_note[note]
        red = {headers[i - 1] for i, cell in enumerate(cells[:-1]) if i and is_red(cell)}
        assert red == expected_bad
        assert not is_red(cells[0])
        for header in expected_bad:
            cell = cells[position[header]]
            (message,) = [p["message"] for p in problems if p["column"] == header]
            assert cell.comment is not None
            assert message in cell.comment.text
            assert message in cells[-1].value
        for i, cell in enumerate(cells[:-1]):
            if i and headers[i - 1] not in expected_bad:
                assert cell.comment is None
        assert len(cells[-1].value.splitlines()) == len(expected_bad)
    assert by_note["two problems"][position["Debiteurnummer"]].value == "00124"


def test_a_fixed_rejects_xlsx_can_be_dropped_again_as_it_is(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It imports a fixed rejects.xlsx as it is, ignoring the Summary and Warnings sheets and the
    Original row and Errors columns."""
    rows = [valid_row(0), valid_row(1, tax_id="NL123"), valid_row(2)]
    first = run(onboard, "import", write_sheet(tmp_path / "in.xlsx", rows), "--db", db_url)
    assert (first["inserted"], first["rejected"]) == (2, 1)

    rejected = tmp_path / "fixed.xlsx"
    workbook = load_workbook(report(first, "rejects.xlsx"))
    assert workbook.sheetnames == ["Summary", "Rejected rows", "Warnings"]
    sheet = workbook["Rejected rows"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Tax ID") + 1).value = valid_row(1)["tax_id"]
    workbook.save(rejected)

    again = run(onboard, "import", rejected, "--db", db_url)

    assert (again["sheet"], again["rows"], again["accepted"], again["rejected"]) == ("Rejected rows", 1, 1, 0)
    assert again["inserted"] == 1
    assert again["unmapped_columns"] == []
    customer = store.customer("00124")
    assert customer["tax_id"] == valid_row(1)["tax_id"]
    assert customer["status"] == "pending"


# README's summary.json contract; `batch_id` for an import, `skipped` and `error` when so.
SUMMARY_KEYS = {
    "file",
    "command",
    "sha256",
    "report_dir",
    "sheet",
    "header_row",
    "rows",
    "accepted",
    "rejected",
    "inserted",
    "updated",
    "unchanged",
    "warnings",
    "errors_by_code",
    "warnings_by_code",
    "unmapped_columns",
    "column_hints",
    "missing_columns",
    "exit_code",
    "timings",
}


@pytest.mark.parametrize("command", ["validate", "import"])
def test_summary_json_has_the_contract_keys(
    command: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
) -> None:
    """It writes summary.json with exactly the keys of the contract, batch_id for import
    only, and each key's value."""
    rows = [
        valid_row(0, Notes="x"),
        valid_row(1, tax_id="NL123", contact_email="x"),
        valid_row(2, tax_id="NL1"),
        valid_row(3, tax_id=valid_row(0)["tax_id"]),  # shares row 2's VAT number: a warning each
    ]
    sheet = write_sheet(tmp_path / "in.csv", rows, fields=[*valid_row(), "Notes"])
    extra = ["--db", db_url] if command == "import" else []

    printed = run(onboard, command, sheet, *extra)
    summary = json.loads(report(printed, "summary.json").read_text(encoding="utf-8"))

    assert set(summary) == SUMMARY_KEYS | ({"batch_id"} if command == "import" else set())
    if command == "import":
        assert summary["batch_id"]
    assert (summary["file"], summary["command"]) == (str(sheet), command)
    assert Path(summary["report_dir"]).is_dir()
    assert len(summary["sha256"]) == 64
    assert (summary["sheet"], summary["header_row"]) == (None, 1)  # a CSV file has no sheets
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (4, 2, 2)
    assert summary["rows"] == summary["accepted"] + summary["rejected"]
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (
        (2, 0, 0) if command == "import" else (0, 0, 0)
    )
    assert summary["errors_by_code"] == {"invalid_email": 1, "invalid_tax_id": 2}
    assert (summary["warnings"], summary["warnings_by_code"]) == (2, {"duplicate_tax_id": 2})
    assert summary["unmapped_columns"] == ["Notes"]
    assert summary["exit_code"] == 1
    stored = {"compare", "load"} if command == "import" else set()
    stages = {"read", "map", "validate", "report", "total"} | stored
    # summary.json is written during the report stage: it times that stage up to then.
    assert (set(summary["timings"]), set(printed["timings"])) == (stages, stages)
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in summary["timings"].values())
    assert {k: v for k, v in summary.items() if k != "timings"} == {
        k: v for k, v in printed.items() if k != "timings"
    }


def test_a_skipped_import_writes_its_own_summary_and_keeps_the_earlier_reports(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, db_url: str
) -> None:
    """It writes the skipped import's summary (as --json prints it) without touching the earlier batch's."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL123")])
    first = run(onboard, "import", sheet, "--db", db_url)
    earlier = report(first, "summary.json").read_text(encoding="utf-8")

    again = run(onboard, "import", sheet, "--db", db_url)

    assert again["skipped"] == "already imported"
    assert again["batch_id"] == first["batch_id"]
    assert report(first, "summary.json").read_text(encoding="utf-8") == earlier
    written = json.loads(report(again, "summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "timings"} == {
        k: v for k, v in again.items() if k != "timings"
    }


# --- CSVs for people: safe whatever delimiter a spreadsheet program splits on --------------

FORMULA_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")
# Every character a spreadsheet program may split a CSV line on.
SPLIT = re.compile("[,;\t\r\n]")
# Text rich in separators, spaces, quotes, apostrophes and formula starts, and any other.
CELL_TEXT = st.text(
    st.sampled_from(list(",;\t\r\n '\"=+-@xA1")) | st.characters(blacklist_categories=("Cs",))
)


def formula_segments(text: str) -> list[str]:
    """Segments of `text` (split on any separator) that start a formula, past spaces and quotes."""
    return [s for s in SPLIT.split(text) if s.lstrip(' "').startswith(FORMULA_CHARACTERS)]


@examples(quick=300, thorough=2000)
def test_formula_escape_is_reversible(examples: int) -> None:
    """It undoes the escape exactly, for any text: escape then unescape is the identity."""

    @settings(max_examples=examples, deadline=None)
    @given(CELL_TEXT)
    def reversible(text: str) -> None:
        assert unescape_formulas(escape_formulas(text)) == text

    reversible()


@examples(quick=300, thorough=2000)
def test_formula_escape_leaves_no_segment_starting_a_formula(examples: int) -> None:
    """It leaves no segment, split on , ; tab or a line break, that starts with a formula character."""

    @settings(max_examples=examples, deadline=None)
    @given(CELL_TEXT)
    def no_formula(text: str) -> None:
        assert formula_segments(escape_formulas(text)) == []

    no_formula()


@examples(quick=60, thorough=300)
def test_people_csv_is_safe_as_a_file_and_reads_back_exactly(examples: int) -> None:
    """It writes a file no separator splits into a formula; unescaped, its fields are the values again."""

    @settings(max_examples=examples, deadline=None)
    @given(
        st.lists(st.lists(CELL_TEXT.filter(lambda t: "\x00" not in t), min_size=1, max_size=4), max_size=4)
    )
    def safe_and_exact(rows: list[list[str]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "people.csv"
            write_people_csv(path, ["a", "b", "c", "d"], rows)
            text = path.read_text(encoding="utf-8")
            with path.open(encoding="utf-8", newline="") as handle:
                back = [[unescape_formulas(cell) for cell in line] for line in csv.reader(handle)]
        assert formula_segments(text) == []
        assert back == [["a", "b", "c", "d"], *rows]

    safe_and_exact()


def quoted_all(path: Path) -> str:
    """The CSV's records written again with every field quoted."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(records)
    return buffer.getvalue()


HOSTILE_SEGMENTS = {
    "full_name": 'Acme;=HYPERLINK("http://x","y")',
    "address2": "a,@SUM(1)",
    "contact_role": 'Boss; "-1+2',
    "contact_last_name": "O'Neil\t=1+2",
}


def test_people_csvs_are_safe_whatever_delimiter_a_spreadsheet_splits_on(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    read_csv: ReadCsv,
    store: Any,
) -> None:
    """It quotes every field of rejects, warnings, review, review report and spreadsheet export CSVs,
    and no segment of them (split on , ; tab or a line break) starts a formula."""
    rows = [
        valid_row(1, erp_id="-0042", **HOSTILE_SEGMENTS),
        valid_row(2, erp_id="+77", tax_id="NL1;=1+2", Notes="x;@y"),
        valid_row(
            3,
            erp_id="=3",
            tax_id="123,-4",
            country="Saudi Arabia",
            city="Riyadh",
            postal_code="12211",
            currency="SAR",
            registration_number="1010010030",
            contact_phone="+966 11 234 5678",
        ),
    ]
    sheet = write_sheet(
        tmp_path / "in.csv", rows, fields=[*valid_row(), "Notes"], headers={"Notes": "x;=Notes"}
    )
    summary = run(onboard, "import", sheet, "--db", db_url)
    assert (summary["inserted"], summary["rejected"], summary["warnings"]) == (2, 1, 1)
    review, export = tmp_path / "review.csv", tmp_path / "export.csv"
    assert onboard("review", "export", "--out", review, "--db", db_url).exit_code == 0
    result = onboard("export", "--status", "all", "--out", export, "--for-spreadsheet", "--db", db_url)
    assert result.exit_code == 0, result.output
    applied = onboard("review", "apply", review, "--reviewer", "bob", "--json", "--db", db_url)
    report_dir = Path(json.loads(applied.stdout)["report_dir"])

    people = [report(summary, "rejects.csv"), report(summary, "warnings.csv"), review, export]
    for path in [*people, report_dir / "review-report.csv"]:
        text = path.read_bytes().decode("utf-8")
        assert formula_segments(text) == [], path.name
        assert text == quoted_all(path), path.name
    rejected = {line["field"]: line["value"] for line in read_csv(report(summary, "rejects.csv"))}
    assert unescape_formulas(rejected["tax_id"]) == "NL1;=1+2"
    (exported,) = [r for r in read_csv(export) if r["erp_id"] == "'-0042"]
    stored = store.customer("-0042")
    assert {f: unescape_formulas(exported[f]) for f in HOSTILE_SEGMENTS} == {
        f: stored[f] for f in HOSTILE_SEGMENTS
    }


def test_machine_exports_carry_stored_values_exactly(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Onboard,
    db_url: str,
    store: Any,
) -> None:
    """It exports CSV and JSON with every value as stored: no apostrophe before +31…, -0042 or =…."""
    rows = [
        valid_row(0, erp_id="-0042", short_name="=Copaco", city="@Eindhoven"),
        valid_row(1, erp_id="+77", full_name='Acme;=HYPERLINK("http://x","y")', address2="a,@SUM(1)"),
    ]
    assert run(onboard, "import", write_sheet(tmp_path / "in.csv", rows), "--db", db_url)["inserted"] == 2
    out_csv, out_json = tmp_path / "out.csv", tmp_path / "out.json"
    for out in (out_csv, out_json):
        result = onboard("export", "--status", "pending", "--out", out, "--db", db_url)
        assert result.exit_code == 0, result.output

    stored = {row["erp_id"]: row for row in store.rows(customers)}
    assert stored["-0042"]["contact_phone"] == "+31401234567"

    def text(value: object) -> str:
        return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)

    with out_csv.open(encoding="utf-8", newline="") as handle:
        from_csv = {line["erp_id"]: line for line in csv.DictReader(handle)}
    assert from_csv == {key: {c: text(v) for c, v in row.items()} for key, row in stored.items()}
    from_json = {line["erp_id"]: line for line in json.loads(out_json.read_text(encoding="utf-8"))}
    assert from_json == {
        key: {c: text(v) if hasattr(v, "isoformat") else v for c, v in row.items()}
        for key, row in stored.items()
    }


def test_for_spreadsheet_is_refused_outside_csv(tmp_path: Path, onboard: Onboard, db_url: str) -> None:
    """It refuses --for-spreadsheet for a .json export with a usage error (exit 2)."""
    result = onboard("export", "--out", tmp_path / "x.json", "--for-spreadsheet", "--db", db_url)
    assert result.exit_code == 2
    assert "--for-spreadsheet" in result.output


@pytest.mark.parametrize("count", [0, 1, 3])
def test_streamed_json_export_is_laid_out_as_one_json_dump(tmp_path: Path, count: int) -> None:
    """It writes the JSON export an object at a time, byte for byte as `json.dumps(records,
    indent=2)` would have written the whole list (none, one, several customers)."""
    from pipeline.report import write_customers

    records = [
        {"erp_id": f"-00{i}", "city": "Zürich\nnoord", "warnings": None, "id": i} for i in range(count)
    ]
    out = tmp_path / "out.json"
    assert write_customers(out, ["erp_id", "city", "warnings", "id"], iter(records)) == count
    assert out.read_text(encoding="utf-8") == json.dumps(records, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_a_failed_export_keeps_the_previous_file_and_leaves_no_part(tmp_path: Path, suffix: str) -> None:
    """It writes an export beside its target and renames it only when complete: when the
    rows stop coming (the store fails half-way), the earlier export stays as it was and no
    partial file is left."""
    from pipeline.report import write_customers

    out = tmp_path / f"customers{suffix}"
    write_customers(out, ["erp_id"], [{"erp_id": "A1"}])
    before = out.read_bytes()

    def failing() -> Iterator[dict[str, Any]]:
        yield {"erp_id": "B1"}
        raise OSError("the store went away")

    with pytest.raises(OSError, match="went away"):
        write_customers(out, ["erp_id"], failing())
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_an_export_holds_no_lock_while_it_writes(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Onboard, db_url: str
) -> None:
    """It reads the customers for an export a part at a time, each part in a short
    transaction of its own: an import commits while an export is half-way (on SQLite a
    read held open through the export would stall it for the 60 s time-out, then fail
    it), and the export still lists every customer once, in ERP ID order."""
    from pipeline.store import customers_with_status, open_existing_store

    assert run(
        onboard, "import", write_sheet(tmp_path / "a.csv", [valid_row(i) for i in (0, 2)]), "--db", db_url
    )
    exported = customers_with_status(open_existing_store(db_url), None, part=1)
    first = next(exported)

    later = write_sheet(tmp_path / "b.csv", [valid_row(i) for i in (1, 3)])
    assert run(onboard, "import", later, "--db", db_url)["inserted"] == 2

    erp_ids = [first["erp_id"], *(row["erp_id"] for row in exported)]
    assert erp_ids == ["00123", "00124", "00125", "00126"]
