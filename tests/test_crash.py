"""Crash safety and concurrency: SIGKILL at random points, and four sweeps at once.

After every kill the store holds a whole batch or none of it, and a rerun completes
with no duplicate; a killed sweep never loses or double-processes a file. These run
real `onboard` processes and are marked slow (`make test-slow`).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import StoreView, reset_postgres
from openpyxl import load_workbook

from pipeline.store import audit, batches, claims, customers

pytestmark = pytest.mark.slow

ONBOARD = str(Path(sys.executable).parent / "onboard")
KILLS = 20
ROWS = 1500


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ONBOARD, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def kill_after(
    args: list[str],
    cwd: Path,
    delay: float,
    inside: Callable[[], bool] | None = None,
    aim: bool = False,
    aim_at: Callable[[], bool] | None = None,
) -> tuple[int, bool]:
    """Start `onboard args` and SIGKILL it (if still running) after `delay` seconds, or,
    with `aim`, `delay` seconds after `aim_at` (default: `inside`) first holds.

    Returns (exit status, whether the kill landed inside a write transaction as `inside`
    saw it at the moment of the kill).
    """
    process = subprocess.Popen(
        [ONBOARD, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    target = aim_at or inside
    if aim and target is not None:
        deadline = time.monotonic() + 120
        while process.poll() is None and not target() and time.monotonic() < deadline:
            time.sleep(0.005)
    landed = False
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        # Frozen first, so what `inside` sees is exactly where the kill lands: a transaction
        # cannot commit between the look and the kill.
        process.send_signal(signal.SIGSTOP)
        landed = inside() if inside is not None else False
        process.send_signal(signal.SIGKILL)
    return process.wait(), landed


def attempts(count: int, hits: Callable[[], int]) -> Iterator[int]:
    """`count` attempts, then more (at most `3 * count` in all) while `hits()` is still 0:
    on a loaded machine a short transaction can slip past the first aimed kills, and a
    crash test that never struck where it matters proves nothing."""
    attempt = 0
    while attempt < count or (not hits() and attempt < 3 * count):
        yield attempt
        attempt += 1


def crash_url(db_url: str) -> str:
    """The store's URL, tagged on PostgreSQL so `in_transaction` finds the process's session."""
    if db_url.startswith("postgresql"):
        return db_url + ("&" if "?" in db_url else "?") + "application_name=onboard-crash"
    return db_url


def in_transaction(db_url: str) -> Callable[[], bool]:
    """Whether an `onboard` process is inside a write transaction right now: on SQLite its
    rollback journal exists; on PostgreSQL its tagged session holds a row-exclusive lock on
    a table, which INSERT, UPDATE, DELETE and COPY take and keep until commit. (An open
    transaction alone is no sign: the short reads before the load, a schema check, open
    and close transactions too, and an aimed kill that fired on one of those missed.)"""
    if db_url.startswith("sqlite"):
        journal = Path(db_url.removeprefix("sqlite:///") + "-journal")
        return journal.exists
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url, pool_size=1)
    query = text(
        "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
        "JOIN pg_class ON pg_class.oid = pg_locks.relation "
        "WHERE application_name = 'onboard-crash' AND pg_class.relkind = 'r' "
        "AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()"
    )

    def probe() -> bool:
        with engine.connect() as connection:
            return bool(connection.execute(query).scalar_one())

    return probe


def age(path: Path, seconds: float = 120) -> None:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


def test_killed_imports_store_all_or_nothing(
    tmp_path: Path, db_url: str, store: Any, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It keeps a whole batch or none after SIGKILL during an import that changes every row,
    and a rerun completes. Kills must land inside the load transaction, or the test fails."""
    rng = random.Random(2026)
    # Two versions of the file: every kill interrupts an import that updates every row.
    versions = [
        write_sheet(
            tmp_path / f"v{n}.csv",
            [
                valid_row(i % 30, erp_id=f"C{i:05d}", contact_email=f"c{i}@example.nl", city=city)
                for i in range(ROWS)
            ],
        )
        for n, city in enumerate(("Eindhoven", "Veldhoven"))
    ]
    url = crash_url(db_url)
    started = time.monotonic()
    first = run(["import", str(versions[0]), "--db", url, "--json"], tmp_path)
    assert first.returncode == 0, first.stderr
    full_time = time.monotonic() - started
    timings = json.loads(first.stdout)["timings"]
    inside = in_transaction(db_url)
    current, landed = 0, 0

    def hits() -> int:
        return landed

    for attempt in attempts(KILLS, hits):
        # Every other kill is aimed: a random moment after the load transaction opened.
        aim = attempt % 2 == 0
        delay = rng.uniform(0, 0.5 * timings["load"]) if aim else rng.uniform(0.05, full_time)
        other = 1 - current
        _code, hit = kill_after(
            ["import", str(versions[other]), "--db", url, "--user", f"kill{attempt}"],
            tmp_path,
            delay,
            inside,
            aim,
        )
        landed += hit
        cities = {customer["city"] for customer in store.rows(customers)}
        assert len(cities) == 1, f"a killed import left a mix of both versions: {cities}"
        current = other if cities == {("Eindhoven", "Veldhoven")[other]} else current
        assert store.count(customers) == ROWS  # upserts: never a duplicate, never a loss
        batch_rows = store.rows(batches)
        for batch in batch_rows:
            # A recorded batch is complete: its counts were written in its own transaction.
            assert batch["finished_at"] is not None
            assert batch["rows"] == ROWS
        updates = [a for a in store.rows(audit) if a["action"] == "updated"]
        assert len(updates) == ROWS * (len(batch_rows) - 1)  # each committed switch updated every row
    assert landed, "no kill landed inside the load transaction: the test proved nothing"
    result = run(["import", str(versions[current]), "--db", url, "--force", "--json"], tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["unchanged"] == ROWS
    assert store.count(customers) == ROWS


def test_killed_first_import_leaves_nothing_or_everything(
    tmp_path: Path, db_url: str, store: Any, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It leaves an empty store or the whole file after a first import is killed; a rerun finishes."""
    rng = random.Random(7)
    rows = [valid_row(i % 30, erp_id=f"C{i:05d}", contact_email=f"c{i}@example.nl") for i in range(ROWS)]
    sheet = write_sheet(tmp_path / "big.csv", rows)
    landed = 0

    def hits() -> int:
        return landed

    for attempt in attempts(KILLS // 2, hits):
        url = crash_url(db_url)
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path}/first-{attempt}.db"
        else:
            reset_postgres(db_url)
        landed += kill_after(
            ["import", str(sheet), "--db", url],
            tmp_path,
            rng.uniform(0.0, 0.02) if attempt % 2 == 0 else rng.uniform(0.3, 3.0),
            in_transaction(url if url.startswith("sqlite") else db_url),
            aim=attempt % 2 == 0,
        )[1]
        view = StoreView(db_url if db_url.startswith("postgresql") else url)
        stored = view.count(customers) if _has_tables(view.url) else 0
        assert stored in (0, ROWS)
        assert (view.count(batches) if _has_tables(view.url) else 0) == (1 if stored else 0)
        result = run(["import", str(sheet), "--db", url, "--json"], tmp_path)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary.get("skipped") == ("already imported" if stored else None)
        assert view.count(customers) == ROWS
    assert landed, "no kill landed inside the import's transaction: the test proved nothing"


def _has_tables(url: str) -> bool:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return "customers" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_killed_review_apply_is_all_or_nothing(
    tmp_path: Path, db_url: str, store: Any, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It applies a review file's decisions all together or not at all when killed."""
    rng = random.Random(11)
    rows = [valid_row(i % 30, erp_id=f"C{i:05d}", contact_email=f"c{i}@example.nl") for i in range(ROWS)]
    assert (
        run(["import", str(write_sheet(tmp_path / "in.csv", rows)), "--db", db_url], tmp_path).returncode == 0
    )
    review = tmp_path / "review.xlsx"
    assert run(["review", "export", "--out", str(review), "--db", db_url], tmp_path).returncode == 0
    workbook = load_workbook(review)
    sheet = workbook["Review"]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=2).value = "approve"
    workbook.save(review)
    landed = 0
    inside = in_transaction(db_url)

    def hits() -> int:
        return landed

    for attempt in attempts(KILLS // 2, hits):
        aim = attempt % 2 == 0
        landed += kill_after(
            ["review", "apply", str(review), "--reviewer", "r", "--db", crash_url(db_url)],
            tmp_path,
            rng.uniform(0.0, 0.02) if aim else rng.uniform(0.2, 2.5),
            inside,
            aim,
        )[1]
        statuses = {c["status"] for c in store.rows(customers)}
        assert statuses in ({"pending"}, {"approved"})
        approvals = [a for a in store.rows(audit) if a["action"] == "approved"]
        assert len(approvals) in (0, ROWS)
    assert landed, "no kill landed inside the review's transaction: the test proved nothing"
    result = run(["review", "apply", str(review), "--reviewer", "r", "--db", db_url], tmp_path)
    assert result.returncode == 0
    assert {c["status"] for c in store.rows(customers)} == {"approved"}
    assert len([a for a in store.rows(audit) if a["action"] == "approved"]) == ROWS


def test_killed_sweep_loses_and_repeats_nothing(
    tmp_path: Path, db_url: str, store: Any, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It moves a file only after its batch committed: kills lose no file and import none twice."""
    rng = random.Random(3)
    root = tmp_path / "drop"
    assert run(["init", str(root)], tmp_path).returncode == 0
    files = 6
    for number in range(files):
        rows = [
            valid_row(i % 30, erp_id=f"F{number}-{i:04d}", contact_email=f"c{i}@example.nl")
            for i in range(300)
        ]
        age(write_sheet(root / "inbox" / f"part{number}.csv", rows), 600 - number)
    unfinished = 0

    def claimed() -> bool:
        """A sweep has claimed a file and not finished it: it is importing that file."""
        return _has_tables(db_url) and any(c["finished_at"] is None for c in store.rows(claims))

    def hits() -> int:
        return unfinished

    for attempt in attempts(KILLS // 2, hits):
        aim = attempt % 2 == 0
        # Aimed kills strike while a file is claimed and being imported.
        kill_after(
            ["run", "--root", str(root), "--db", db_url],
            tmp_path,
            rng.uniform(0.0, 0.1) if aim else rng.uniform(0.2, 2.0),
            aim=aim,
            aim_at=claimed,
        )
        if _has_tables(db_url):
            imported = {b["sha256"] for b in store.rows(batches)}
            assert len(imported) == store.count(batches)  # no content imported twice
            # A claim left unfinished by this kill: a later sweep must take it over.
            unfinished += any(c["finished_at"] is None for c in store.rows(claims))
        left = list((root / "inbox").iterdir())
        moved = list((root / "processed").iterdir())
        assert len(left) + len(moved) == files  # no file lost, none duplicated
    result = run(["run", "--root", str(root), "--db", db_url], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not list((root / "inbox").iterdir())
    assert len(list((root / "processed").iterdir())) == files
    assert store.count(batches) == files
    assert store.count(customers) == files * 300
    # Claims a killed sweep left were taken over: every one is finished now.
    assert unfinished, "no kill left an unfinished claim: the take-over was not exercised"
    assert all(c["finished_at"] is not None for c in store.rows(claims))


def test_four_sweeps_at_once(
    tmp_path: Path, db_url: str, store: Any, write_sheet: Callable[..., Path], valid_row: Callable[..., Any]
) -> None:
    """It imports every file and applies every review exactly once with four sweeps at once."""
    root = tmp_path / "drop"
    assert run(["init", str(root)], tmp_path).returncode == 0
    first = write_sheet(tmp_path / "first.csv", [valid_row(i, erp_id=f"R{i:03d}") for i in range(1, 11)])
    assert run(["import", str(first), "--db", db_url], tmp_path).returncode == 0
    for half, name in ((slice(0, 5), "a"), (slice(5, 10), "b")):
        review = root / "reviews" / f"review-{name}.xlsx"
        assert run(["review", "export", "--out", str(review), "--db", db_url], tmp_path).returncode == 0
        workbook = load_workbook(review)
        sheet = workbook["Review"]
        for row in list(range(2, sheet.max_row + 1))[half]:
            sheet.cell(row=row, column=2).value = "approve"
        workbook.save(review)
        age(review, 100)
    for number in range(12):
        rows = [valid_row(i, erp_id=f"S{number}-{i}") for i in range(1, 6)]
        age(write_sheet(root / "inbox" / f"s{number}.csv", rows), 500 - number)
    sweeps = [
        subprocess.Popen(
            [ONBOARD, "run", "--root", str(root), "--db", db_url, "--json", "--wait", "120"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in sweeps]
    assert [p.returncode for p in sweeps] == [0, 0, 0, 0], outputs
    lines = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    imports = [line for line in lines if line["command"] == "import"]
    reviews = [line for line in lines if line["command"] == "review apply"]
    assert sorted(Path(line["file"]).name for line in imports) == sorted(f"s{n}.csv" for n in range(12))
    assert len(reviews) == 2
    assert store.count(batches) == 13
    assert store.count(customers) == 10 + 12 * 5
    approvals = [a for a in store.rows(audit) if a["action"] == "approved"]
    assert len(approvals) == 10
    assert len({a["erp_id"] for a in approvals}) == 10
