"""README's commands, options, environment variables and exit codes that no other test
drove: each run through the command line in tmp_path, then checked on the files written
and the store."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from factories import (
    FIELDS,
    LABELS,
    POSTGRES_IN_TEST_SLOW,
    StoreView,
    age,
    json_lines,
    on_a_terminal,
    read_csv,
    valid_row,
    write_sheet,
)
from openpyxl import Workbook

from pipeline.store import batches, customers
from pipeline.store.migrate import head_revision

Onboard = Callable[..., Result]


def one_line(result: Result) -> str:
    """The single line a failure prints on standard error (and no traceback)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# --- unexpected errors and --debug -----------------------------------------------------


@pytest.mark.parametrize(
    ("command", "error"),
    [
        # A drop folder below a file: the folders cannot be made.
        (lambda blocker: ["init", blocker / "drop"], "NotADirectoryError"),
        # An export below a file: its folder cannot be made.
        (
            lambda blocker: ["export", "--out", blocker / "out.csv", "--db", "sqlite:///s.db"],
            "FileExistsError",
        ),
    ],
    ids=["init", "export"],
)
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_an_unexpected_error_is_one_line_and_debug_shows_its_traceback(
    command: Callable[[Path], list[object]], error: str, debug: bool, tmp_path: Path, onboard: Onboard
) -> None:
    """It turns an error onboard did not foresee into one line naming --debug, exit 2;
    with --debug it prints the traceback instead."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    assert onboard("db", "upgrade", "--db", "sqlite:///s.db").exit_code == 0  # export reads a store
    result = onboard(*(["--debug"] if debug else []), *command(blocker))
    assert result.exit_code == 2
    assert result.stdout == ""
    if debug:
        assert "Traceback (most recent call last)" in result.stderr
        assert result.stderr.rstrip().splitlines()[-1].startswith(error)
    else:
        line = one_line(result)
        assert line.startswith(f"onboard: unexpected error: {error}")
        assert "--debug" in line


# --- progress on a terminal ------------------------------------------------------------


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    """It draws a progress display (rich) on standard error when that is a terminal, and
    still prints the summary; standard output stays empty."""
    sheet = write_sheet(tmp_path / "klanten.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    code, shown, stdout = on_a_terminal(["validate", str(sheet)], tmp_path)
    assert code == 1, shown
    assert "unexpected error" not in shown
    assert "\x1b[?25l" in shown  # the live display hid the cursor while it drew
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert "writing reports" in text  # a stage, as the display names it
    assert "klanten.csv: 2 rows, 1 accepted, 1 rejected" in text
    assert stdout == ""


def test_progress_counts_the_rows_of_the_stages_that_go_row_by_row(tmp_path: Path) -> None:
    """It shows, while an import validates and loads, how many of the file's rows are done
    (and the time left): a large file is never a silent bar."""
    rows = [valid_row(i) for i in range(3)]
    sheet = write_sheet(tmp_path / "klanten.csv", rows)
    code, shown, _ = on_a_terminal(["import", str(sheet), "--db", f"sqlite:///{tmp_path}/s.db"], tmp_path)
    assert code == 0, shown
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    for stage in ("validating", "loading"):
        drawn = [line for line in re.split(r"[\r\n]", text) if stage in line]
        assert any("0/3 rows" in line for line in drawn), drawn
        assert any("3/3 rows" in line for line in drawn), drawn


# --- status, export, review export, sample, init -------------------------------------------


def test_status_lists_as_many_recent_batches_as_asked(tmp_path: Path, onboard: Onboard, db_url: str) -> None:
    """It lists the N most recent batches, newest first, in JSON and in its table on
    standard error; the default lists them all when there are fewer than ten."""
    imported = []
    for number, name in enumerate(("first", "second", "third")):
        sheet = write_sheet(tmp_path / f"{name}.csv", [valid_row(number)])
        imported.append(json_lines(onboard("import", sheet, "--db", db_url, "--json").stdout)[0]["batch_id"])

    (two,) = json_lines(onboard("status", "--batches", 2, "--db", db_url, "--json").stdout)
    assert [b["id"] for b in two["batches"]] == imported[:0:-1]
    (every,) = json_lines(onboard("status", "--db", db_url, "--json").stdout)
    assert [b["id"] for b in every["batches"]] == imported[::-1]

    human = onboard("status", "--batches", 2, "--db", db_url)
    assert human.exit_code == 0 and human.stdout == ""
    lines = human.stderr.strip().splitlines()
    assert lines[0] == "customers: pending 3, approved 0, rejected 0"
    assert lines[1].split()[:3] == ["batch", "file", "rows"]
    assert [line.split()[:3] for line in lines[2:]] == [
        [imported[2], "third.csv", "1"],
        [imported[1], "second.csv", "1"],
    ]


@pytest.mark.parametrize(
    ("options", "status", "erp_ids"),
    [
        ((), "approved", ["00124"]),
        (("--status", "approved"), "approved", ["00124"]),
        (("--status", "rejected"), "rejected", ["00125"]),
        (("--status", "pending"), "pending", ["00123", "00126"]),
        (("--status", "all"), "all", ["00123", "00124", "00125", "00126"]),
    ],
    ids=["default", "approved", "rejected", "pending", "all"],
)
def test_export_writes_the_customers_of_the_status_asked(
    options: tuple[str, ...],
    status: str,
    erp_ids: list[str],
    tmp_path: Path,
    onboard: Onboard,
    db_url: str,
    store: StoreView,
) -> None:
    """It exports approved customers by default, and those of any status (or all) asked."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(i) for i in range(4)])
    assert onboard("import", sheet, "--db", db_url).exit_code == 0
    store.set_status("00124", "approved")
    store.set_status("00125", "rejected")
    out = tmp_path / "out.csv"

    result = onboard("export", *options, "--out", out, "--db", db_url, "--json")

    assert result.exit_code == 0, result.output
    assert json_lines(result.stdout) == [{"out": str(out), "status": status, "customers": len(erp_ids)}]
    exported = read_csv(out)
    assert [row["erp_id"] for row in exported] == erp_ids
    expected = {"00123": "pending", "00124": "approved", "00125": "rejected", "00126": "pending"}
    assert {row["erp_id"]: row["status"] for row in exported} == {e: expected[e] for e in erp_ids}


def test_review_export_json_and_its_file_types(tmp_path: Path, onboard: Onboard) -> None:
    """It prints what it wrote as JSON (all pending customers, or one batch's), and refuses
    an --out it cannot write with a usage error and no file."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    first = json_lines(
        onboard("import", write_sheet(tmp_path / "a.csv", [valid_row(0)]), "--db", db, "--json").stdout
    )[0]
    onboard("import", write_sheet(tmp_path / "b.csv", [valid_row(1), valid_row(2)]), "--db", db)
    out = tmp_path / "review.csv"

    every = onboard("review", "export", "--out", out, "--db", db, "--json")
    assert every.exit_code == 0, every.output
    assert json_lines(every.stdout) == [{"out": str(out), "customers": 3, "batch_id": None}]
    assert [row["erp_id"] for row in read_csv(out)] == ["00123", "00124", "00125"]

    one = onboard("review", "export", "--out", out, "--batch", first["batch_id"], "--db", db, "--json")
    assert json_lines(one.stdout) == [{"out": str(out), "customers": 1, "batch_id": first["batch_id"]}]
    assert [row["erp_id"] for row in read_csv(out)] == ["00123"]

    refused = onboard("review", "export", "--out", tmp_path / "review.txt", "--db", db)
    assert refused.exit_code == 2
    assert "use a .xlsx or .csv file name" in refused.stderr
    assert not (tmp_path / "review.txt").exists()


def test_sample_writes_the_share_of_mistakes_asked(tmp_path: Path, onboard: Onboard) -> None:
    """It writes no mistakes with --bad-ratio 0 and a mistake in (nearly) every row with 1:
    only the first row can draw "repeat an earlier ERP ID" with no earlier row to repeat."""
    clean, bad = tmp_path / "clean.csv", tmp_path / "bad.xlsx"
    assert onboard("sample", "--rows", 60, "--seed", 5, "--bad-ratio", 0, "--out", clean).exit_code == 0
    assert onboard("sample", "--rows", 60, "--seed", 5, "--bad-ratio", 1, "--out", bad).exit_code == 0
    clean_run = onboard("validate", clean, "--json")
    assert clean_run.exit_code == 0
    assert json_lines(clean_run.stdout)[0]["rejected"] == 0
    (summary,) = json_lines(onboard("validate", bad, "--json").stdout)
    assert summary["rows"] == 60 and summary["rejected"] >= 59


def test_sample_refuses_an_output_it_cannot_write(tmp_path: Path, onboard: Onboard) -> None:
    """It refuses --out with another extension: a usage error, exit 2, no file."""
    result = onboard("sample", "--rows", 5, "--out", tmp_path / "sheet.txt")
    assert result.exit_code == 2
    assert "use a .csv or .xlsx file name" in result.stderr
    assert not (tmp_path / "sheet.txt").exists()


def test_init_keeps_an_existing_configuration(tmp_path: Path, onboard: Onboard) -> None:
    """It creates the missing folders of a drop folder and keeps its onboard.toml as it was."""
    root = tmp_path / "drop"
    root.mkdir()
    mine = "[sweep]\nsettle_seconds = 3\n# hand-edited\n"
    (root / "onboard.toml").write_text(mine, encoding="utf-8")
    result = onboard("init", root)
    assert result.exit_code == 0, result.output
    assert "kept the existing" in result.stderr
    assert (root / "onboard.toml").read_text(encoding="utf-8") == mine
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [
        "failed",
        "inbox",
        "processed",
        "reports",
        "reviews",
    ]


# --- the drop folder found from the configuration ------------------------------------------


@pytest.mark.parametrize("how", ["--config", "ONBOARD_CONFIG", "ONBOARD_ROOT"])
def test_run_finds_the_drop_folder_without_root(
    how: str, tmp_path: Path, onboard: Onboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It sweeps the folder named by sweep.root of --config FILE or ONBOARD_CONFIG (the
    README's cron and systemd lines), or by ONBOARD_ROOT, from any current folder."""
    root = tmp_path / "drop"
    assert onboard("init", root).exit_code == 0
    age(write_sheet(root / "inbox" / "klanten.csv", [valid_row(0)]))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    options: list[object] = []
    if how == "--config":
        options = ["--config", root / "onboard.toml"]
    elif how == "ONBOARD_CONFIG":
        monkeypatch.setenv("ONBOARD_CONFIG", str(root / "onboard.toml"))
    else:
        monkeypatch.setenv("ONBOARD_ROOT", str(root))
        options = ["--db", f"sqlite:///{root / 'onboarding.db'}"]

    result = onboard("run", *options, "--json")

    assert result.exit_code == 0, result.output
    (line,) = json_lines(result.stdout)
    moved = Path(line["moved_to"])
    assert moved.parent == root / "processed" and moved.is_file()
    assert StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 1
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("options", "words"),
    [((), "name the drop folder with --root DIR"), (("--root", "missing"), "no such folder")],
    ids=["no-root", "missing-folder"],
)
def test_run_without_a_drop_folder_is_a_usage_error(
    options: tuple[str, ...], words: str, tmp_path: Path, onboard: Onboard
) -> None:
    """It refuses to sweep without a drop folder, or one that does not exist: exit 2, and
    nothing is created."""
    result = onboard("run", *options)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


# --- sheets and CSV dialects ---------------------------------------------------------------


@POSTGRES_IN_TEST_SLOW
def test_sheet_option_reads_the_named_sheet_even_a_hidden_one(
    tmp_path: Path, onboard: Onboard, db_url: str, store: StoreView
) -> None:
    """It reads the sheet --sheet names, hidden or not, and refuses one the workbook lacks."""
    workbook = Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "Old"
    hidden.sheet_state = "hidden"
    visible = workbook.create_sheet("Customers")
    for sheet, row in ((hidden, valid_row(5)), (visible, valid_row(0))):
        sheet.append(list(LABELS.values()))
        sheet.append([row[field] for field in FIELDS])
    path = tmp_path / "two-sheets.xlsx"
    workbook.save(path)

    result = onboard("import", path, "--sheet", "Old", "--db", db_url, "--json")

    assert result.exit_code == 0, result.output
    (summary,) = json_lines(result.stdout)
    assert (summary["sheet"], summary["rows"], summary["accepted"]) == ("Old", 1, 1)
    assert [row["erp_id"] for row in store.rows(customers)] == [valid_row(5)["erp_id"]]
    missing = onboard("validate", path, "--sheet", "Klanten", "--json")
    assert missing.exit_code == 2
    assert json_lines(missing.stdout)[0]["error"]["code"] == "sheet_not_found"


@POSTGRES_IN_TEST_SLOW
def test_a_csv_delimited_by_pipes_is_read(
    tmp_path: Path, onboard: Onboard, db_url: str, store: StoreView
) -> None:
    """It reads a CSV delimited by `|` (one of the four README names) cell by cell."""
    path = tmp_path / "pipes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="|")
        writer.writerow(list(LABELS.values()))
        writer.writerows([[row[f] for f in FIELDS] for row in (valid_row(0), valid_row(1))])
    result = onboard("import", path, "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    assert json_lines(result.stdout)[0]["accepted"] == 2
    stored = store.customer("00124")
    assert (stored["tax_id"], stored["city"], stored["contact_phone"]) == (
        valid_row(1)["tax_id"],
        "Eindhoven",
        "+31401234567",
    )


# --- configuration: file, environment, options ---------------------------------------------


def config_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("in_file", "in_environment", "as_option", "expected"),
    [
        (None, None, None, "reports"),
        ("file", None, None, "file"),
        ("file", "environment", None, "environment"),
        ("file", "environment", "option", "option"),
        (None, None, "option", "option"),
    ],
)
def test_report_dir_option_beats_environment_beats_file(
    in_file: str | None,
    in_environment: str | None,
    as_option: str | None,
    expected: str,
    tmp_path: Path,
    onboard: Onboard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It writes reports where --report-dir says, else ONBOARD_REPORT_DIR, else reports.dir
    of the file ONBOARD_CONFIG names, else reports/."""
    if in_file:
        conf = config_file(tmp_path / "conf" / "onboard.toml", f'[reports]\ndir = "{tmp_path / in_file}"\n')
        monkeypatch.setenv("ONBOARD_CONFIG", str(conf))
    if in_environment:
        monkeypatch.setenv("ONBOARD_REPORT_DIR", str(tmp_path / in_environment))
    option = ["--report-dir", tmp_path / as_option] if as_option else []
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])

    result = onboard("validate", sheet, "--json", *option)

    assert result.exit_code == 0, result.output
    report_dir = Path(json_lines(result.stdout)[0]["report_dir"])
    assert report_dir.resolve().parent == (tmp_path / expected).resolve()
    assert (report_dir / "summary.json").is_file()


def test_config_option_beats_onboard_config(
    tmp_path: Path, onboard: Onboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It reads the file --config names, not the one ONBOARD_CONFIG names."""
    monkeypatch.setenv(
        "ONBOARD_CONFIG", str(config_file(tmp_path / "env.toml", "[validation]\nmax_reject_rate = 0\n"))
    )
    chosen = config_file(tmp_path / "option.toml", "[validation]\nmax_reject_rate = 1.0\n")
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1, tax_id="NL1")])
    assert onboard("validate", sheet, "--json").exit_code == 2  # too_many_rejects, from ONBOARD_CONFIG
    result = onboard("validate", sheet, "--json", "--config", chosen)
    assert result.exit_code == 1, result.output
    assert "error" not in json_lines(result.stdout)[0]


def test_db_option_beats_onboard_db_url(
    tmp_path: Path, onboard: Onboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It stores into the --db store, not the one ONBOARD_DB_URL names (which it uses
    without the option)."""
    monkeypatch.setenv("ONBOARD_DB_URL", f"sqlite:///{tmp_path / 'environment.db'}")
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])
    assert onboard("import", sheet, "--db", f"sqlite:///{tmp_path / 'option.db'}").exit_code == 0
    assert not (tmp_path / "environment.db").exists()
    assert StoreView(f"sqlite:///{tmp_path / 'option.db'}").count(customers) == 1
    assert onboard("import", sheet, "--force").exit_code == 0
    assert StoreView(f"sqlite:///{tmp_path / 'environment.db'}").count(batches) == 1


@POSTGRES_IN_TEST_SLOW
def test_a_file_larger_than_max_file_mb_is_refused_whole(
    tmp_path: Path, onboard: Onboard, db_url: str, store: StoreView
) -> None:
    """It refuses a file above [limits] max_file_mb as file_too_large: exit 2, one line,
    nothing stored."""
    conf = config_file(tmp_path / "onboard.toml", "[limits]\nmax_file_mb = 0.001\n")  # 1,000 bytes
    sheet = write_sheet(tmp_path / "big.csv", [valid_row(i) for i in range(5)])
    assert sheet.stat().st_size > 1000

    result = onboard("import", sheet, "--config", conf, "--db", db_url, "--json")

    assert result.exit_code == 2
    assert json_lines(result.stdout)[0]["error"]["code"] == "file_too_large"
    assert "more than the limit" in one_line(result)
    assert (store.count(customers), store.count(batches)) == (0, 0)
    small = write_sheet(tmp_path / "small.csv", [valid_row(0)])
    assert small.stat().st_size < 1000
    assert onboard("import", small, "--config", conf, "--db", db_url).exit_code == 0


# --- db upgrade / db current ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["upgrade", "current"])
@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_db_commands_on_an_unreachable_store_fail_in_one_line(
    command: str, as_json: bool, onboard: Onboard
) -> None:
    """It says in one line that the store cannot be reached, exit 2, password hidden."""
    url = "postgresql+psycopg://onboard:s3cret-word@127.0.0.1:1/none"
    result = onboard("db", command, "--db", url, *(["--json"] if as_json else []))
    assert result.exit_code == 2
    line = one_line(result)
    assert "127.0.0.1:1/none" in line and "onboard:***@" in line
    assert "s3cret-word" not in result.output
    assert result.stdout == ""


def test_db_upgrade_and_current_of_a_new_sqlite_file(tmp_path: Path, onboard: Onboard) -> None:
    """It sets up a new store at the newest revision and says so, in JSON and for people."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgraded = onboard("db", "upgrade", "--db", url, "--json")
    assert upgraded.exit_code == 0, upgraded.output
    assert json_lines(upgraded.stdout) == [{"db": url, "before": None, "after": head_revision()}]
    again = onboard("db", "upgrade", "--db", url)
    assert again.exit_code == 0 and f"schema {head_revision()} → {head_revision()}" in again.stderr
    current = onboard("db", "current", "--db", url, "--json")
    assert json_lines(current.stdout) == [{"db": url, "current": head_revision(), "head": head_revision()}]
    assert f"at {head_revision()}, newest {head_revision()}" in onboard("db", "current", "--db", url).stderr


@pytest.mark.parametrize("option", [("--bad-ratio", "5"), ("--bad-ratio", "-0.1"), ("--rows", "-3")])
def test_sample_refuses_a_ratio_or_count_out_of_range(
    tmp_path: Path, option: tuple[str, str], onboard: Onboard
) -> None:
    """It refuses a share of bad rows outside 0–1 or a negative row count as a usage error."""
    out = tmp_path / "s.csv"
    result = onboard("sample", "--out", out, *option)
    assert result.exit_code == 2
    assert option[0] in result.output
    assert not out.exists()
