"""The store on SQLite and PostgreSQL: insert as pending, batches, audit, upsert by ERP ID."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine, event

from pipeline.store import audit, batches, bulk, customers

pytestmark = pytest.mark.usefixtures("workdir")

Row = Callable[..., dict[str, str]]


@pytest.fixture
def importer(onboard: Callable[..., Result], db_url: str) -> Callable[..., tuple[Result, dict[str, Any]]]:
    """`importer(path, *options)`: run `onboard import --json` and return the result and summary."""

    def run(path: Path, *options: str) -> tuple[Result, dict[str, Any]]:
        result = onboard("import", path, "--db", db_url, "--json", "--user", "tester", *options)
        lines = result.stdout.splitlines()
        assert len(lines) == 1, result.output
        return result, json.loads(lines[0])

    return run


def batch_of(store: Any, batch_id: str) -> dict[str, Any]:
    found = [b for b in store.rows(batches) if b["id"] == batch_id]
    assert len(found) == 1
    return found[0]


def assert_batch_matches(store: Any, summary: dict[str, Any]) -> None:
    """The batch record holds the summary's counts."""
    batch = batch_of(store, summary["batch_id"])
    for name in ("rows", "accepted", "rejected", "inserted", "updated", "unchanged", "warnings"):
        assert batch[name] == summary[name], name
    assert batch["sha256"] == summary["sha256"]
    assert summary["rows"] == summary["accepted"] + summary["rejected"]


def rejects(summary: dict[str, Any], read_csv: Callable[[Path], list[dict[str, str]]]) -> list[Any]:
    return read_csv(Path(summary["report_dir"]) / "rejects.csv")


def test_a_new_row_is_inserted_as_pending_with_a_batch_and_an_audit_row(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, importer: Any, store: Any
) -> None:
    """It inserts a new customer as pending, normalized, with its batch and a `created` audit row."""
    result, summary = importer(write_sheet(tmp_path / "new.csv", [valid_row()]))

    assert result.exit_code == 0, result.output
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (1, 0, 0)
    copaco = store.customer("00123")
    assert copaco["status"] == "pending"
    assert copaco["batch_id"] == summary["batch_id"]
    assert copaco["created_at"] is not None and copaco["updated_at"] is not None
    assert (copaco["reviewed_at"], copaco["reviewed_by"], copaco["review_reason"]) == (None, None, None)
    expected = {
        "short_name": "Copaco",
        "full_name": "Copaco Nederland B.V.",
        "registration_number": "17087985",
        "tax_id": "NL006486253B01",
        "currency": "EUR",
        "industry": "Commercial",
        "country": "NL",
        "city": "Eindhoven",
        "state": None,
        "address": "Hurksestraat 45",
        "address2": None,
        "postal_code": "5652 AW",
        "contact_first_name": "Jan",
        "contact_last_name": "Jansen",
        "contact_role": "Purchasing",
        "contact_email": "jan.jansen@copaco.com",
        "contact_phone": "+31401234567",
    }
    assert {k: copaco[k] for k in expected} == expected

    batch = batch_of(store, summary["batch_id"])
    assert batch["file_name"].endswith("new.csv")
    assert batch["imported_by"] == "tester"
    assert batch["forced"] is False
    assert batch["started_at"] is not None and batch["finished_at"] is not None
    assert_batch_matches(store, summary)

    (event,) = store.rows(audit)
    assert event["erp_id"] == "00123"
    assert (event["old_status"], event["new_status"]) == (None, "pending")
    assert event["batch_id"] == summary["batch_id"]
    assert event["changed_by"] == "tester"


def test_the_same_file_is_skipped_and_force_imports_it_again(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, importer: Any, store: Any
) -> None:
    """It skips a file imported before (naming the earlier batch); --force imports it, all unchanged."""
    sheet = write_sheet(tmp_path / "customers.xlsx", [valid_row(0), valid_row(1)])
    _, first = importer(sheet)

    result, again = importer(sheet)

    assert result.exit_code == 0, result.output
    assert again["skipped"] == "already imported"
    assert again["batch_id"] == first["batch_id"]
    assert again["rows"] == again["accepted"] + again["rejected"]
    assert store.count(batches) == 1
    assert store.count(audit) == 2

    result, forced = importer(sheet, "--force")

    assert result.exit_code == 0, result.output
    assert "skipped" not in forced
    assert forced["batch_id"] != first["batch_id"]
    assert (forced["inserted"], forced["updated"], forced["unchanged"]) == (0, 0, 2)
    assert store.count(batches) == 2
    assert batch_of(store, forced["batch_id"])["forced"] is True
    assert_batch_matches(store, forced)
    assert store.count(audit) == 2
    assert {c["batch_id"] for c in store.rows(customers)} == {first["batch_id"]}


@pytest.mark.parametrize("earlier_status", ["pending", "rejected"])
def test_a_changed_row_of_a_pending_or_rejected_customer_is_updated_to_pending(
    earlier_status: str,
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    importer: Any,
    store: Any,
) -> None:
    """It updates a changed pending or rejected customer and puts it (back) to pending."""
    _, first = importer(write_sheet(tmp_path / "first.csv", [valid_row(0), valid_row(1)]))
    if earlier_status != "pending":
        store.set_status("00123", earlier_status)

    result, second = importer(
        write_sheet(tmp_path / "second.csv", [valid_row(0, city="Veldhoven", contact_phone="040 765 4321")])
    )

    assert result.exit_code == 0, result.output
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 1, 0)
    copaco = store.customer("00123")
    assert copaco["status"] == "pending"
    assert copaco["city"] == "Veldhoven"
    assert copaco["contact_phone"] == "+31407654321"
    assert copaco["batch_id"] == second["batch_id"]
    assert store.customer("00124")["batch_id"] == first["batch_id"]
    assert store.count(customers) == 2
    assert_batch_matches(store, second)
    update_event = store.rows(audit)[-1]
    assert update_event["erp_id"] == "00123"
    assert (update_event["old_status"], update_event["new_status"]) == (earlier_status, "pending")
    assert update_event["batch_id"] == second["batch_id"]


def test_a_changed_row_of_an_approved_customer_is_rejected_and_nothing_altered(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    importer: Any,
    store: Any,
    read_csv: Callable[[Path], list[dict[str, str]]],
) -> None:
    """It rejects a changed approved customer (approved_customer_changed) and leaves it as it was."""
    importer(write_sheet(tmp_path / "first.csv", [valid_row(0)]))
    store.set_status("00123", "approved")
    before = store.rows(customers)
    events = store.count(audit)

    result, summary = importer(
        write_sheet(tmp_path / "second.csv", [valid_row(1), valid_row(0, city="Veldhoven"), valid_row(2)])
    )

    assert result.exit_code == 1, result.output
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (3, 2, 1)
    assert summary["rows"] == summary["accepted"] + summary["rejected"]
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert summary["errors_by_code"] == {"approved_customer_changed": 1}
    (line,) = rejects(summary, read_csv)
    assert (line["row"], line["field"], line["value"], line["code"]) == (
        "3",
        "erp_id",
        "00123",
        "approved_customer_changed",
    )
    assert [c for c in store.rows(customers) if c["erp_id"] == "00123"] == before
    assert store.count(customers) == 3
    assert store.count(audit) == events + 2
    assert_batch_matches(store, summary)


def test_a_refused_approved_row_keeps_no_warning(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    importer: Any,
    store: Any,
    read_csv: Callable[[Path], list[dict[str, str]]],
) -> None:
    """It reports warnings of accepted rows only: a row refused as approved_customer_changed has none."""
    importer(write_sheet(tmp_path / "first.csv", [valid_row(0)]))
    store.set_status("00123", "approved")
    shared = valid_row(0)["tax_id"]

    _, summary = importer(
        write_sheet(tmp_path / "second.csv", [valid_row(0, city="Veldhoven"), valid_row(1, tax_id=shared)])
    )

    assert summary["errors_by_code"] == {"approved_customer_changed": 1}
    warned_rows = {w["row"] for w in read_csv(Path(summary["report_dir"]) / "warnings.csv")}
    assert "2" not in warned_rows
    assert summary["warnings"] == len(read_csv(Path(summary["report_dir"]) / "warnings.csv"))
    assert_batch_matches(store, summary)


def test_an_identical_row_is_unchanged(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, importer: Any, store: Any
) -> None:
    """It leaves an identical customer unchanged, whatever its status, and writes no audit row."""
    importer(write_sheet(tmp_path / "first.csv", [valid_row(0), valid_row(1)]))
    store.set_status("00124", "approved")
    before = {c["erp_id"]: c for c in store.rows(customers)}
    events = store.count(audit)

    # Spelled differently, normalized the same.
    same = valid_row(0, country="Nederland", postal_code="5652aw", tax_id="006486253B01")
    result, summary = importer(write_sheet(tmp_path / "second.csv", [same, valid_row(1), valid_row(2)]))

    assert result.exit_code == 0, result.output
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (1, 0, 2)
    after = {c["erp_id"]: c for c in store.rows(customers)}
    assert after["00123"] == before["00123"]
    assert after["00124"] == before["00124"]
    assert store.count(audit) == events + 1
    assert_batch_matches(store, summary)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_leading_zeros_of_the_erp_id_survive_into_the_store(
    suffix: str, tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, importer: Any, store: Any
) -> None:
    """It stores ERP IDs exactly as typed: 00123 stays 00123, 0007 and 7 are two customers."""
    rows = [valid_row(0), valid_row(1, erp_id="0007"), valid_row(2, erp_id="7")]
    result, summary = importer(write_sheet(tmp_path / f"zeros{suffix}", rows))

    assert result.exit_code == 0, result.output
    assert summary["inserted"] == 3
    assert {c["erp_id"] for c in store.rows(customers)} == {"00123", "0007", "7"}


def test_duplicate_erp_ids_in_one_file_are_all_rejected(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    importer: Any,
    store: Any,
    read_csv: Callable[[Path], list[dict[str, str]]],
) -> None:
    """It rejects every row sharing an ERP ID (duplicate_in_file) and stores none of them."""
    rows = [valid_row(0), valid_row(1, erp_id="00123"), valid_row(2), valid_row(3, erp_id="00123")]
    result, summary = importer(write_sheet(tmp_path / "dupes.csv", rows))

    assert result.exit_code == 1, result.output
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (4, 1, 3)
    lines = rejects(summary, read_csv)
    assert {(line["row"], line["code"]) for line in lines} == {
        ("2", "duplicate_in_file"),
        ("3", "duplicate_in_file"),
        ("5", "duplicate_in_file"),
    }
    assert {line["field"] for line in lines} == {"erp_id"}
    assert [c["erp_id"] for c in store.rows(customers)] == ["00125"]
    assert_batch_matches(store, summary)


def test_a_shared_tax_id_under_different_erp_ids_is_accepted_with_a_warning(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    importer: Any,
    store: Any,
    read_csv: Callable[[Path], list[dict[str, str]]],
) -> None:
    """It accepts rows sharing a VAT number under different ERP IDs and warns duplicate_tax_id."""
    shared = valid_row(0)["tax_id"]
    rows = [valid_row(0), valid_row(1), valid_row(2, tax_id=shared.lower())]
    result, summary = importer(write_sheet(tmp_path / "shared.csv", rows))

    assert result.exit_code == 0, result.output
    assert (summary["accepted"], summary["rejected"], summary["inserted"]) == (3, 0, 3)
    warnings = read_csv(Path(summary["report_dir"]) / "warnings.csv")
    assert {(w["row"], w["field"], w["code"]) for w in warnings} == {
        ("2", "tax_id", "duplicate_tax_id"),
        ("4", "tax_id", "duplicate_tax_id"),
    }
    assert summary["warnings"] == 2
    assert rejects(summary, read_csv) == []
    assert store.count(customers) == 3
    assert_batch_matches(store, summary)


def test_an_import_whose_reports_cannot_be_written_stores_nothing(
    tmp_path: Path, write_sheet: Callable[..., Path], valid_row: Row, onboard: Any, db_url: str, store: Any
) -> None:
    """It stores an import's rows and batch together with its reports, or nothing at all."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    sheet = write_sheet(tmp_path / "in.csv", [valid_row(0)])

    result = onboard("import", sheet, "--db", db_url, "--report-dir", blocked / "reports")

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert store.count(customers) == 0
    assert store.count(batches) == 0
    assert store.count(audit) == 0


def _indexes(url: str) -> set[tuple[str, str]]:
    """The indexes of a SQLite store, as their name and SQL."""
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as database:
        listed = database.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        return set(listed.fetchall())


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs meanwhile, as sent to the driver."""
    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield sent
    event.remove(Engine, "before_cursor_execute", record)


def _index_ddl(sent: list[str]) -> list[str]:
    return [s.split(" ON ")[0] for s in sent if s.startswith(("DROP INDEX", "CREATE INDEX ix_"))]


@pytest.mark.parametrize("fails", [False, True], ids=["committed", "failed-while-dropped"])
def test_a_first_import_builds_the_indexes_again_exactly_as_they_were(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Any,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    fails: bool,
) -> None:
    """It drops the secondary indexes of a SQLite store that a load brings at least as
    many rows as it holds (lowered here from 10,000 to two) and builds them again from
    their own SQL before the commit: after the commit every index is as it was; after the
    store fails inside the load, while they are dropped (a trigger refuses the audit
    rows), too, and nothing is stored."""
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 2)
    url = f"sqlite:///{tmp_path / 'indexes.db'}"
    assert onboard("db", "upgrade", "--db", url).exit_code == 0
    before = _indexes(url)
    names = {name for name, _ in before if name.startswith(("ix_customers", "ix_audit"))}
    assert {"ix_customers_tax_id", "ix_customers_postal_code", "ix_audit_erp_id"} <= names
    if fails:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as database:
            database.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
            database.commit()
        before = _indexes(url)
    statements.clear()

    sheet = write_sheet(tmp_path / "first.csv", [valid_row(i) for i in range(3)])
    result = onboard("import", sheet, "--db", url, "--report-dir", tmp_path / "r", "--user", "tester")

    assert result.exit_code == (2 if fails else 0), result.output
    dropped = {f'DROP INDEX "{name}"' for name in names}
    built = {f"CREATE INDEX {name}" for name in names}
    assert set(_index_ddl(statements)) == (dropped if fails else dropped | built)
    assert _indexes(url) == before
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as database:
        assert database.execute("SELECT count(*) FROM customers").fetchone() == (0 if fails else 3,)
        plan = database.execute("EXPLAIN QUERY PLAN SELECT * FROM customers WHERE tax_id = 'x'").fetchall()
    assert "ix_customers_tax_id" in str(plan)


def test_a_store_holding_as_many_rows_keeps_its_indexes(
    tmp_path: Path,
    write_sheet: Callable[..., Path],
    valid_row: Row,
    onboard: Any,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
) -> None:
    """It keeps the indexes of a store that already holds as many customers and audit
    rows as a load brings (a master file imported again): a rebuild would sort them all."""
    monkeypatch.setattr(bulk, "REBUILD_FROM_ROWS", 2)
    url = f"sqlite:///{tmp_path / 'indexes.db'}"
    first = write_sheet(tmp_path / "first.csv", [valid_row(i) for i in range(3)])
    assert onboard("import", first, "--db", url, "--report-dir", tmp_path / "r", "--user", "t").exit_code == 0
    statements.clear()

    changed = write_sheet(tmp_path / "again.csv", [valid_row(i, city="Veldhoven") for i in range(3)])
    result = onboard("import", changed, "--db", url, "--report-dir", tmp_path / "r", "--user", "t")

    assert result.exit_code == 0, result.output
    assert _index_ddl(statements) == []
