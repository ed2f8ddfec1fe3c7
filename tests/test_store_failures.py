"""The store failing inside a transaction, and two imports of one file racing: nothing is
half-stored, the user gets one line and exit 2, and a race imports the content once."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from factories import StoreView, json_lines, read_csv, valid_row, write_sheet
from sqlalchemy import create_engine, text

from pipeline.store import audit, batches, customers

ONBOARD = str(Path(sys.executable).parent / "onboard")
Onboard = Callable[..., Result]

# A trigger refusing every audit row: the failure comes after the batch and the customers
# were written in the same transaction, so a partial commit would show.
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    ],
}
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS refuse_audit"],
    "postgresql": ["DROP TRIGGER IF EXISTS refuse_audit ON audit", "DROP FUNCTION IF EXISTS refuse_audit()"],
}


def execute(url: str, statements: list[str]) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def refusing_audit(db_url: str, onboard: Onboard, tmp_path: Path) -> Iterator[Callable[[], None]]:
    """`refuse()` makes every later audit insert fail (the store's tables exist first)."""
    assert onboard("db", "upgrade", "--db", db_url).exit_code == 0
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    yield lambda: execute(db_url, TRIGGERS[dialect])
    execute(db_url, DROP[dialect])


def test_a_store_failing_inside_the_import_stores_nothing(
    tmp_path: Path, onboard: Onboard, db_url: str, store: StoreView, refusing_audit: Callable[[], None]
) -> None:
    """It rolls back the batch and the customers when the store fails mid-import:
    store_error, exit 2, one line naming the store's reason, nothing stored."""
    refusing_audit()
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(i) for i in range(3)])

    result = onboard("import", sheet, "--db", db_url, "--json")

    assert result.exit_code == 2
    (summary,) = json_lines(result.stdout)
    assert summary["error"]["code"] == "store_error"
    assert summary["error"]["stage"] == "load"
    assert (summary["rows"], summary["accepted"], summary["inserted"]) == (0, 0, 0)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "audit refused by the test" in lines[0], result.stderr
    assert (store.count(batches), store.count(customers), store.count(audit)) == (0, 0, 0)


def test_a_store_failing_inside_a_review_apply_changes_nothing(
    tmp_path: Path, onboard: Onboard, db_url: str, store: StoreView, refusing_audit: Callable[[], None]
) -> None:
    """It leaves every customer pending when the store fails while applying decisions."""
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1)])
    assert onboard("import", sheet, "--db", db_url, "--user", "importer").exit_code == 0
    review = tmp_path / "review.csv"
    assert onboard("review", "export", "--out", review, "--db", db_url).exit_code == 0
    lines = read_csv(review)
    for line in lines:
        line["decision"] = "approve"
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    before = store.rows(customers)
    refusing_audit()

    result = onboard("review", "apply", review, "--reviewer", "dana", "--db", db_url, "--json")

    assert result.exit_code == 2
    (summary,) = json_lines(result.stdout)
    assert summary["error"]["code"] == "store_error"
    assert store.rows(customers) == before
    assert {row["status"] for row in before} == {"pending"}


@pytest.mark.postgres
def test_two_imports_of_one_file_at_once_import_it_once(tmp_path: Path, pg_url: str) -> None:
    """It imports a file's content once when two imports of it run at the same time: both
    finish with exit 0, one imports, the other says "already imported" with its batch.

    The test holds the batches table so both imports have checked that the content is new
    and are waiting to record their batch; then it lets them go."""
    db_url, store = pg_url, StoreView(pg_url)
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0), valid_row(1)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    holder = create_engine(db_url)
    try:
        with holder.connect() as connection:
            transaction = connection.begin()
            # Plain reads go on; inserting a batch waits until this transaction ends.
            connection.execute(text("LOCK TABLE batches IN EXCLUSIVE MODE"))
            imports = [
                subprocess.Popen(
                    [ONBOARD, "import", str(sheet), "--db", db_url, "--json", "--user", f"user{n}"],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for n in (1, 2)
            ]
            deadline = time.monotonic() + 120
            waiting = 0
            while waiting < 2:
                assert time.monotonic() < deadline, "the imports never reached the batch insert"
                assert all(p.poll() is None for p in imports), [p.communicate() for p in imports]
                time.sleep(0.1)
                # Activity is a snapshot per transaction: take a new one each time.
                connection.execute(text("SELECT pg_stat_clear_snapshot()"))
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE 'INSERT INTO batches%'"
                    )
                ).scalar_one()
            transaction.commit()
        outputs = [p.communicate(timeout=120) for p in imports]
    finally:
        holder.dispose()

    assert [p.returncode for p in imports] == [0, 0], outputs
    summaries = [json_lines(out)[0] for out, _err in outputs]
    imported = [s for s in summaries if "skipped" not in s]
    skipped = [s for s in summaries if s.get("skipped")]
    assert len(imported) == 1 and len(skipped) == 1, summaries
    assert skipped[0]["skipped"] == "already imported"
    assert skipped[0]["batch_id"] == imported[0]["batch_id"]
    assert imported[0]["inserted"] == 2
    (batch,) = store.rows(batches)
    assert batch["id"] == imported[0]["batch_id"]
    assert store.count(customers) == 2
    assert store.count(audit) == 2
