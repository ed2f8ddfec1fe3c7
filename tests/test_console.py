"""What a person sees on the terminal after each file: the first problems as a table,
and result lines that a progress display never covers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from factories import POSTGRES_IN_TEST_SLOW, json_lines, on_a_terminal, valid_row, write_sheet

Onboard = Callable[..., Result]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def bad_rows(count: int) -> list[dict[str, str]]:
    """`count` rows, each with a Tax ID that is not one (rows 2, 3, … of the sheet)."""
    return [valid_row(n, tax_id=f"NL{n}X") for n in range(count)]


def table_rows(stderr: str) -> list[list[str]]:
    """The problem table's body rows (row number first) as cells split on runs of spaces."""
    return [line.split() for line in stderr.splitlines() if re.match(r"^\s+\d+\s{2,}\S", line)]


def test_first_ten_problems_then_where_the_rest_is(
    tmp_path: Path, onboard: Onboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It shows the first ten problems (row, column, value, message) and names rejects.csv
    with how many more there are."""
    monkeypatch.setenv("COLUMNS", "160")  # a wide terminal: every message on one line
    sheet = write_sheet(tmp_path / "klanten.csv", bad_rows(12))
    result = onboard("validate", sheet, "--report-dir", tmp_path / "reports")
    assert result.exit_code == 1
    assert "row" in result.stderr and "message" in result.stderr
    rows = table_rows(result.stderr)
    assert [cells[0] for cells in rows] == [str(n) for n in range(2, 12)]
    assert rows[0][1:4] == ["Tax", "ID", "NL0X"]
    assert "Tax ID NL0X is not a valid Dutch VAT number" in result.stderr
    (report,) = (tmp_path / "reports").iterdir()
    assert f"2 more problems: all 12 in {report / 'rejects.csv'}" in result.stderr
    assert f"fix the rejected rows in {report / 'rejects.xlsx'}" in result.stderr


def test_show_n_and_show_0(tmp_path: Path, onboard: Onboard) -> None:
    """It shows as many problems as --show asks, none with --show 0, and refuses a negative
    number as a usage error."""
    sheet = write_sheet(tmp_path / "klanten.csv", bad_rows(4))
    three = onboard("validate", sheet, "--show", 3)
    assert [cells[0] for cells in table_rows(three.stderr)] == ["2", "3", "4"]
    assert "1 more problem: all 4 in" in three.stderr
    every = onboard("validate", sheet, "--show", 4)
    assert len(table_rows(every.stderr)) == 4
    assert "all problems also in" in every.stderr
    none = onboard("validate", sheet, "--show", 0)
    assert table_rows(none.stderr) == []
    assert "NL0X" not in none.stderr and "more problem" not in none.stderr
    assert "rejected for: invalid_tax_id ×4" in none.stderr
    assert onboard("validate", sheet, "--show", -1).exit_code == 2


@POSTGRES_IN_TEST_SLOW
def test_import_shows_problems_and_json_does_not(tmp_path: Path, onboard: Onboard, db_url: str) -> None:
    """It shows the table after an import too; with --json, standard output holds only the
    JSON and standard error no table."""
    sheet = write_sheet(tmp_path / "klanten.csv", [valid_row(0), valid_row(1, tax_id="NL1X")])
    imported = onboard("import", sheet, "--db", db_url, "--show", 5)
    assert imported.exit_code == 1
    assert [cells[0] for cells in table_rows(imported.stderr)] == ["3"]
    again = onboard("validate", sheet, "--json")
    assert len(json_lines(again.stdout)) == 1
    assert table_rows(again.stderr) == [] and "NL1X" not in again.stderr


def test_values_are_shortened_masked_and_terminal_safe(tmp_path: Path, onboard: Onboard) -> None:
    """It shortens a long value with an ellipsis, masks a contact's e-mail address and phone
    number (value and message; the reports keep them), and shows control characters a
    value holds escaped, never as themselves."""
    rows = [
        valid_row(0, short_name="a" * 80),
        valid_row(1, contact_role="Boss\x1b]0;owned\x07"),
        valid_row(2, contact_email="secret.person@@example.nl", contact_phone="+31 6 99999999999"),
    ]
    sheet = write_sheet(tmp_path / "klanten.csv", rows)
    result = onboard("validate", sheet, "--report-dir", tmp_path / "reports")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    (value_line,) = [line for line in result.stderr.splitlines() if "Short name" in line and "…" in line]
    assert re.search(r" a{10,29}… ", value_line)
    assert "secret.person" not in result.stderr and "99999999999" not in result.stderr
    assert "se…" in result.stderr and "+3…" in result.stderr
    (report,) = (tmp_path / "reports").iterdir()
    assert "secret.person@@example.nl" in (report / "rejects.csv").read_text(encoding="utf-8")
    assert "Boss\\x1b]0;owned\\x07" in result.stderr


def screen(shown: str, columns: int) -> list[str]:
    """The lines a terminal `columns` wide ends up showing (and scrolled off) after
    `shown`: enough of a terminal for what rich's live display writes (cursor up, erase
    line, carriage return); colours and cursor visibility are dropped."""
    lines, row, col = [""], 0, 0
    for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)", shown):
        if token == "\n":
            row, col = row + 1, 0
            lines.extend([""] * (row + 1 - len(lines)))
        elif token == "\r":
            col = 0
        elif token.startswith("\x1b["):
            if token.endswith("A"):
                row = max(0, row - int(token[2:-1] or 1))
            elif token.endswith("K"):
                lines[row] = lines[row][:col] if token[2:-1] == "0" else ""
        else:
            for character in token:
                if col == columns:
                    row, col = row + 1, 0
                    lines.extend([""] * (row + 1 - len(lines)))
                lines[row] = lines[row][:col].ljust(col) + character + lines[row][col + 1 :]
                col += 1
    return [line.rstrip() for line in lines]


def test_progress_never_covers_result_lines(tmp_path: Path) -> None:
    """It prints each file's result after that file's progress display is gone: with three
    files on a terminal, one unusable, every result line and the reason stay on screen, in
    order."""
    first = write_sheet(tmp_path / "first.csv", [valid_row(0), valid_row(1, tax_id="NL1X")])
    unusable = tmp_path / "unusable.csv"
    unusable.write_text("foo,bar\n1,2\n", encoding="utf-8")
    last = write_sheet(tmp_path / "last.csv", [valid_row(n) for n in range(30)])
    files = [str(first), str(unusable), str(last)]
    code, shown, stdout = on_a_terminal(["validate", *files], tmp_path, columns=200)
    assert code == 2, shown
    assert stdout == ""
    assert "\x1b[?25l" in shown  # a live display was drawn
    lines = screen(shown, 200)
    wanted = [
        f"{first}: 2 rows, 1 accepted, 1 rejected",
        "Tax ID NL1X is not a valid Dutch VAT number",
        f"{unusable}: failed while reading: ",
        "no header row found",
        f"{last}: 30 rows, 30 accepted, 0 rejected",
        "3 files: 32 rows, 31 accepted, 1 rejected, 1 unusable",
    ]
    at = [next(i for i, line in enumerate(lines) if text in line) for text in wanted]
    assert at == sorted(at), "\n".join(lines)
    assert not any("━" in line for line in lines), "\n".join(lines)  # no display left over


def test_problem_table_fits_a_narrow_terminal(tmp_path: Path) -> None:
    """It fits the problem table into an 80-column terminal, messages wrapped, not cut,
    and the list of problem codes wrapped between codes (the terminal cut them)."""
    more = [
        valid_row(3, contact_email="x@"),
        valid_row(4, postal_code="XXXX"),
        valid_row(5, contact_phone="12"),
        valid_row(6, currency="XYZ"),
    ]
    sheet = write_sheet(tmp_path / "klanten.csv", [*bad_rows(2), *more])
    code, shown, _ = on_a_terminal(["validate", str(sheet)], tmp_path, columns=80)
    assert code == 1
    lines = screen(shown, 80)
    assert all(len(line) <= 80 for line in lines)
    text = " ".join(" ".join(line.split()) for line in lines)
    assert "is not a valid Dutch VAT" in text and "NL1X" in text
    listed = " ".join(line.strip() for line in lines[1:4])  # the codes, however many lines
    codes = ("invalid_email ×1", "invalid_phone ×1", "invalid_postal_code ×1", "invalid_tax_id ×2")
    assert all(code in listed for code in codes), lines[:4]


def test_one_of_a_thing_is_said_in_the_singular(tmp_path: Path, onboard: Onboard) -> None:
    """It says "1 row", "1 warning" and "1 pending customer", and "2 rows" for two: a
    newcomer's first one-row file reads as English."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    two = write_sheet(tmp_path / "two.csv", [valid_row(0), valid_row(1)])
    abroad = write_sheet(tmp_path / "one.csv", [valid_row(2, contact_phone="+32 2 555 12 12")])

    validated = onboard("validate", two, "--report-dir", tmp_path / "r")
    imported = onboard("import", abroad, "--db", url, "--user", "t", "--report-dir", tmp_path / "r")
    exported = onboard("review", "export", "--db", url, "--out", tmp_path / "review.xlsx")

    assert "two.csv: 2 rows, 2 accepted, 0 rejected, 0 warnings" in validated.output
    assert "one.csv: 1 row, 1 accepted, 0 rejected, 1 warning;" in imported.output
    assert "wrote 1 pending customer to" in exported.output


def test_status_fits_a_terminal_of_80_columns(tmp_path: Path, onboard: Onboard) -> None:
    """It shows each recent batch on one line of an 80-column terminal: the batch id and
    every count whole, a long file name cut to what is left."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    sheet = write_sheet(tmp_path / "klanten-noord-holland-oktober-2026-definitief.csv", [valid_row(0)])
    batch = json_lines(onboard("import", sheet, "--db", url, "--user", "t", "--json").stdout)[0]["batch_id"]

    code, shown, _ = on_a_terminal(["status", "--db", url], tmp_path, columns=80)

    lines = ANSI.sub("", shown).replace("\r", "").strip().splitlines()
    assert code == 0
    assert max(len(line) for line in lines) <= 80, lines
    assert lines[1].split() == ["batch", "file", "rows", "acc", "rej", "pending", "approved", "rejected"]
    cells = lines[2].split()
    assert (cells[0], cells[1][:8], cells[1][-1], cells[2:]) == (
        batch,
        "klanten-",
        "…",
        ["1", "1", "0", "1", "0", "0"],
    )
