"""The cron sweep over a drop folder, and the team's make targets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import unavailable, write_sheet
from factories import valid_row as customer
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, func, select

from pipeline.cli import cli
from pipeline.issues import is_failure
from pipeline.store import batches, customers

REPO = Path(__file__).resolve().parent.parent
ONBOARD = str(Path(sys.executable).parent / "onboard")


@pytest.fixture
def db(db_url: str) -> str:
    """An empty store (see conftest.db_url), run from tmp_path."""
    return db_url


def drop_folder(tmp_path: Path) -> Path:
    root = tmp_path / "drop"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    return root


def age(path: Path, seconds: float = 60) -> Path:
    """Make a file look as if it was written `seconds` ago (settled)."""
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


def sweep(db: str, root: Path, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(cli, ["run", "--root", str(root), "--db", db, "--json", *extra])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def count(db: str, table: object) -> int:
    engine = create_engine(db)
    with engine.connect() as connection:
        found = int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    engine.dispose()
    return found


def test_sweep_imports_moves_and_reports(db: str, tmp_path: Path) -> None:
    """It imports good and partly bad files, fails unusable ones, and leaves unsettled ones."""
    root = drop_folder(tmp_path)
    inbox = root / "inbox"
    age(write_sheet(inbox / "good.xlsx", [customer(0), customer(1)]), 300)
    age(write_sheet(inbox / "some-bad.csv", [customer(2), customer(3, contact_email="piet@")]), 200)
    (inbox / "random.xlsx").write_bytes(os.urandom(300))
    age(inbox / "random.xlsx", 100)
    age(write_sheet(inbox / "legacy.xls", [customer(4)]), 100)
    write_sheet(inbox / "fresh.csv", [customer(5)])  # just written: left for the next run
    age(write_sheet(inbox / "~$good.xlsx", [customer(6)]), 100)  # Office lock file
    age(write_sheet(inbox / "upload.csv.part", [customer(6)]), 100)
    code, lines, _ = sweep(db, root)
    assert code == 2  # the worst of the files'
    by_name = {Path(str(line["file"])).name: line for line in lines}
    assert list(by_name) == ["good.xlsx", "some-bad.csv", "random.xlsx", "legacy.xls"]  # oldest first
    assert by_name["good.xlsx"]["exit_code"] == 0
    assert by_name["some-bad.csv"]["exit_code"] == 1
    assert by_name["random.xlsx"]["error"]["code"] == "unreadable_file"  # type: ignore[index]
    assert by_name["legacy.xls"]["error"]["code"] == "unsupported_file_type"  # type: ignore[index]
    assert sorted(p.name for p in inbox.iterdir()) == ["fresh.csv", "upload.csv.part", "~$good.xlsx"]
    processed = sorted(p.name for p in (root / "processed").iterdir())
    assert [n.split(".")[0] for n in processed] == ["good", "some-bad"]
    assert str(by_name["good.xlsx"]["batch_id"]) in processed[0]
    assert sorted(p.name.split(".")[0] for p in (root / "failed").iterdir()) == ["legacy", "random"]
    for line in lines:
        assert (Path(str(line["report_dir"])) / "summary.json").is_file()
    assert count(db, customers) == 3
    assert not (Path.cwd() / "reports").exists()


def test_duplicate_file_is_not_imported_twice(db: str, tmp_path: Path) -> None:
    """It moves a second copy of an imported file to processed/ as already imported."""
    root = drop_folder(tmp_path)
    sheet = age(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    shutil.copy2(sheet, root / "inbox" / "a-copy.csv")
    code, lines, _ = sweep(db, root)
    assert code == 0
    assert [line.get("skipped") for line in lines] == [None, "already imported"]
    assert count(db, batches) == 1
    assert len(list((root / "processed").iterdir())) == 2
    # The same name dropped again later never overwrites what processed/ holds.
    age(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    sweep(db, root)
    assert len(list((root / "processed").iterdir())) == 3


def test_review_files_are_applied_after_imports(db: str, tmp_path: Path) -> None:
    """It applies review files from reviews/ after importing, naming the reviewer."""
    root = drop_folder(tmp_path)
    age(write_sheet(root / "inbox" / "a.csv", [customer(0), customer(1)]))
    sweep(db, root)
    review = root / "reviews" / "review.xlsx"
    assert CliRunner().invoke(cli, ["review", "export", "--out", str(review), "--db", db]).exit_code == 0
    workbook = load_workbook(review)
    sheet = workbook["Review"]
    sheet["B2"], sheet["B3"], sheet["C3"] = "approve", "reject", "Not a customer"
    workbook.save(review)
    age(review)
    code, lines, _ = sweep(db, root, "--reviewer", "carol")
    assert code == 0
    assert lines[0]["command"] == "review apply"
    assert (lines[0]["approved"], lines[0]["rejected"], lines[0]["reviewer"]) == (1, 1, "carol")
    assert not list((root / "reviews").iterdir())
    assert any(p.name.startswith("review.review-") for p in (root / "processed").iterdir())


def test_too_many_rejects_fails_the_file_whole(db: str, tmp_path: Path) -> None:
    """It fails a file whole, storing nothing, above the configured maximum reject rate."""
    root = drop_folder(tmp_path)
    config = root / "onboard.toml"
    config.write_text(f'[validation]\nmax_reject_rate = 0.2\n[sweep]\nroot = "{root}"\n', encoding="utf-8")
    age(write_sheet(root / "inbox" / "bad.csv", [customer(0), customer(1, contact_email="x@")]))
    code, lines, _ = sweep(db, root, "--config", str(config))
    assert code == 2
    assert lines[0]["error"]["code"] == "too_many_rejects"  # type: ignore[index]
    assert count(db, customers) == 0
    assert (Path(str(lines[0]["report_dir"])) / "rejects.csv").is_file()
    assert len(list((root / "failed").iterdir())) == 1


def test_a_busy_folder_is_left_alone(db: str, tmp_path: Path) -> None:
    """It exits 0 at once when another sweep holds the folder's lock."""
    import fcntl

    root = drop_folder(tmp_path)
    age(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    with (root / ".onboard-sweep.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        code, lines, stderr = sweep(db, root)
    assert code == 0 and lines == []
    assert "another sweep" in stderr
    assert (root / "inbox" / "a.csv").exists()


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ONBOARD, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow  # concurrency: two sweep processes
def test_two_sweeps_at_once_import_each_file_once(db: str, tmp_path: Path) -> None:
    """It imports every file exactly once when two sweeps start at once on one folder."""
    root = drop_folder(tmp_path)
    for number in range(6):
        age(write_sheet(root / "inbox" / f"f{number}.csv", [customer(number)]), 100 - number)
    sweeps = [
        _spawn(["run", "--root", str(root), "--db", db, "--json", "--wait", "60"], tmp_path) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in sweeps]
    assert [p.returncode for p in sweeps] == [0, 0], outputs
    imported = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert sorted(Path(line["file"]).name for line in imported) == [f"f{n}.csv" for n in range(6)]
    assert all("skipped" not in line for line in imported)
    assert count(db, batches) == 6
    assert count(db, customers) == 6


@pytest.mark.slow  # concurrency: two sweep processes
def test_sweeps_on_two_hosts_sharing_a_store_import_each_content_once(db: str, tmp_path: Path) -> None:
    """It imports each file content once when two hosts' sweeps share one store, and
    loses no file: a host reports and moves a file, or leaves it in its inbox because the
    other host had claimed it; the next sweep moves what was left, importing nothing again.

    Whether the sweeps meet depends on timing; tests/test_claims.py makes them meet."""
    roots = [drop_folder(tmp_path / name) for name in ("host-a", "host-b")]
    names = [f"f{number}.csv" for number in range(5)]
    for number, name in enumerate(names):
        sheet = age(write_sheet(roots[0] / "inbox" / name, [customer(number)]), 100 - number)
        shutil.copy2(sheet, roots[1] / "inbox" / sheet.name)
    sweeps = [_spawn(["run", "--root", str(root), "--db", db, "--json"], tmp_path) for root in roots]
    outputs = [p.communicate(timeout=240) for p in sweeps]
    assert all(p.returncode == 0 for p in sweeps), outputs
    imports: list[str] = []
    for root, (out, _err) in zip(roots, outputs, strict=True):
        lines = [json.loads(line) for line in out.splitlines()]
        reported = [Path(line["file"]).name for line in lines]
        assert len(reported) == len(set(reported)), reported
        for line in lines:
            assert Path(line["moved_to"]).parent == root / "processed"
            assert Path(line["moved_to"]).is_file()
            assert line.get("skipped") in (None, "already imported")
        assert sorted(p.name for p in (root / "inbox").iterdir()) == sorted(set(names) - set(reported))
        imports += [Path(line["file"]).name for line in lines if not line.get("skipped")]
    assert sorted(imports) == names  # each content imported by exactly one host
    assert count(db, batches) == 5
    assert count(db, customers) == 5
    for root in roots:
        _code, lines, _ = sweep(db, root)
        assert all(line.get("skipped") == "already imported" for line in lines)
        assert not list((root / "inbox").iterdir())
        assert sorted(p.name.split(".")[0] for p in (root / "processed").iterdir()) == [n[:-4] for n in names]
    assert count(db, batches) == 5


@pytest.mark.slow  # make runs eight times
def test_make_targets(tmp_path: Path) -> None:
    """It runs the team's make targets: validate, import, review-export, review-apply, sweep."""
    if shutil.which("make") is None:
        unavailable("MAKE", "make is not installed")
    db = f"sqlite:///{tmp_path}/make.db"
    good = write_sheet(tmp_path / "good.csv", [customer(0), customer(1)])
    bad = write_sheet(tmp_path / "bad.csv", [customer(2, tax_id="NL123")])

    def make(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "-C", str(REPO), *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )

    before = snapshot(REPO / "reports")
    reports = f"REPORTS={tmp_path / 'reports'}"
    assert make("validate", f"FILE={good}", reports).returncode == 0
    rejected = make("validate", f"FILE={bad}", reports)
    # make exits 2 whenever a recipe fails; which failure it was is on the last lines.
    assert rejected.returncode != 0 and "exit 1: some rows were rejected" in rejected.stderr
    assert "Error 1" in rejected.stderr
    unusable = make("validate", f"FILE={tmp_path / 'missing.csv'}", reports)
    assert unusable.returncode != 0 and "exit 2: a file was unusable" in unusable.stderr
    assert make("validate").returncode != 0  # usage
    assert make("import", f"FILE={good}", f"DB={db}", reports).returncode == 0
    review = tmp_path / "review.xlsx"
    assert make("review-export", f"OUT={review}", f"DB={db}").returncode == 0
    workbook = load_workbook(review)
    workbook["Review"]["B2"] = "approve"
    workbook.save(review)
    applied = make("review-apply", f"FILE={review}", "REVIEWER=dana", f"DB={db}", reports)
    assert applied.returncode == 0, applied.stderr
    root = tmp_path / "drop"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    age(write_sheet(root / "inbox" / "x.csv", [customer(3)]))
    swept = make("sweep", f"ROOT={root}", f"DB={db}")
    assert swept.returncode == 0, swept.stderr
    assert count(db, customers) == 3
    assert snapshot(REPO / "reports") == before  # nothing written into the checkout


def snapshot(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*")} if folder.exists() else set()


def test_a_workbook_that_makes_the_reader_panic_fails_alone(db: str, tmp_path: Path) -> None:
    """It fails, with a reason a person can act on, a workbook whose date cell holds a
    number no date can have (python-calamine panics: a BaseException, not an Exception),
    and imports the other files of the sweep; the next sweep is not stopped by it either."""
    root = drop_folder(tmp_path)
    inbox = root / "inbox"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(customer(0)))
    sheet.append(list(customer(0).values()))
    sheet["C2"].value, sheet["C2"].number_format = -1e15, "yyyy-mm-dd"
    workbook.save(inbox / "odd.xlsx")
    age(inbox / "odd.xlsx", 300)
    age(write_sheet(inbox / "good.csv", [customer(1)]), 200)
    code, lines, stderr = sweep(db, root)
    assert code == 2 and "Traceback" not in stderr
    by_name = {Path(str(line["file"])).name: line for line in lines}
    assert by_name["good.csv"]["exit_code"] == 0
    error: dict[str, str] = by_name["odd.xlsx"]["error"]  # type: ignore[assignment]
    assert error["code"] == "unreadable_file" and "holds a number no date can have" in error["message"]
    assert [p.name.split(".")[0] for p in (root / "failed").iterdir()] == ["odd"]
    assert count(db, customers) == 1
    age(write_sheet(inbox / "later.csv", [customer(2)]), 100)
    assert sweep(db, root)[0] == 0 and count(db, customers) == 2


@pytest.mark.parametrize(
    ("raised", "failure"),
    [(ValueError, True), (type("PanicException", (BaseException,), {}), True), (KeyboardInterrupt, False)],
)
def test_a_library_panic_is_a_failure_and_an_interrupt_is_not(
    raised: type[BaseException], failure: bool
) -> None:
    """It counts a Rust library's panic (pyo3's PanicException derives from BaseException)
    as one file's failure, but still stops on an interrupt."""
    assert is_failure(raised()) is failure


def test_a_review_file_dropped_into_the_inbox_is_refused_not_imported(db: str, tmp_path: Path) -> None:
    """It fails a review file dropped into inbox/ instead of reviews/, saying how to apply
    it: imported, its decisions were dropped unseen and the file moved to processed/."""
    root = drop_folder(tmp_path)
    age(write_sheet(root / "inbox" / "customers.csv", [customer(0), customer(1)]), 300)
    assert sweep(db, root)[0] == 0
    for suffix in (".xlsx", ".csv"):
        review = root / "inbox" / f"review{suffix}"
        assert CliRunner().invoke(cli, ["review", "export", "--out", str(review), "--db", db]).exit_code == 0
        age(review, 100)
    code, lines, _ = sweep(db, root)
    assert code == 2
    for line in lines:
        error: dict[str, str] = line["error"]  # type: ignore[assignment]
        assert error["code"] == "review_file" and "onboard review apply" in error["message"]
    assert sorted(p.name.split(".")[0] for p in (root / "failed").iterdir()) == ["review", "review"]
    assert count(db, batches) == 1
