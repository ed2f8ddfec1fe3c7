"""Schema migrations: a new store is set up, an old one is upgraded, a shared one is not
changed behind its users' backs."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from factories import unavailable
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError

from pipeline.cli import cli
from pipeline.issues import FileError
from pipeline.store import metadata, migrate, open_store
from pipeline.store.migrate import current_revision, head_revision, upgrade

PG_URL = os.environ.get("ONBOARD_TEST_PG_URL")


def test_a_new_sqlite_file_is_set_up(tmp_path: Path) -> None:
    """It creates every table and records the newest revision in a new SQLite file."""
    engine = open_store(f"sqlite:///{tmp_path}/new.db")
    assert current_revision(engine) == head_revision()
    assert {"customers", "batches", "audit", "claims"} <= set(inspect(engine).get_table_names())


def test_migrations_match_the_tables_the_code_uses(tmp_path: Path) -> None:
    """It keeps the migrations and the SQLAlchemy tables in step (no pending autogenerate diff)."""
    engine = open_store(f"sqlite:///{tmp_path}/new.db")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def _fresh_postgres_store() -> Engine:
    """The test PostgreSQL database emptied and set up anew by `open_store`."""
    if not PG_URL:
        unavailable("PG", "ONBOARD_TEST_PG_URL is not set")
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS claims, audit, customers, batches, alembic_version"))
    open_store(PG_URL)
    return engine


@pytest.mark.postgres
def test_migrations_match_the_tables_the_code_uses_on_postgres() -> None:
    """It keeps PostgreSQL's migrated tables and the SQLAlchemy tables in step too (their
    types differ from SQLite's where a variant says so: whole file names)."""
    engine = _fresh_postgres_store()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []


def test_an_existing_sqlite_file_is_upgraded(tmp_path: Path) -> None:
    """It upgrades a store left at an older revision, keeping its rows."""
    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO batches (id, file_name, sha256, imported_by, forced, rows, accepted,"
                " rejected, inserted, updated, unchanged, warnings, started_at)"
                " VALUES ('b1', 'f.csv', 'abc', 'me', 0, 1, 1, 0, 1, 0, 0, 0, '2026-01-01')"
            )
        )
    assert "claims" not in inspect(engine).get_table_names()
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert "0001" in result.output and head_revision() in result.output
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM batches")).scalar_one() == "b1"


def test_db_current_shows_the_revision(tmp_path: Path) -> None:
    """It shows the store's revision and the newest one."""
    url = f"sqlite:///{tmp_path}/x.db"
    open_store(url)
    result = CliRunner().invoke(cli, ["db", "current", "--db", url, "--json"])
    assert result.exit_code == 0
    assert f'"current": "{head_revision()}"' in result.output


def test_unreachable_store_is_one_line(tmp_path: Path) -> None:
    """It reports an unreachable store in one line with exit code 2."""
    result = CliRunner().invoke(cli, ["status", "--db", "postgresql+psycopg://nobody:x@127.0.0.1:1/none"])
    assert result.exit_code == 2
    assert "cannot open the store" in result.output
    assert "x@" not in result.output  # the password is not shown
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_postgres_empty_then_behind() -> None:
    """It sets up an empty PostgreSQL store, and refuses one that is behind until upgraded."""
    engine = _fresh_postgres_store()
    assert current_revision(engine) == head_revision()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE claims"))
        connection.execute(text("DROP INDEX uq_batches_sha256_unforced"))
        connection.execute(text("ALTER TABLE batches DROP COLUMN imported_login"))
        connection.execute(text("ALTER TABLE customers DROP COLUMN warnings"))
        for name in ("tax_id", "registration_number", "postal_code"):
            connection.execute(text(f"DROP INDEX ix_customers_{name}"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(FileError, match="onboard db upgrade"):
        open_store(PG_URL)
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", PG_URL])
    assert result.exit_code == 0, result.output
    assert current_revision(engine) == head_revision()
    assert "claims" in inspect(engine).get_table_names()


def test_an_interrupted_sqlite_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It migrates SQLite all or nothing: killed midway, the next run starts afresh."""
    from alembic import command

    from pipeline.store import connect

    engine = connect(f"sqlite:///{tmp_path / 'store.db'}")
    real_upgrade = command.upgrade

    def killed_after_first_revision(config: object, revision: str) -> None:
        real_upgrade(config, "0001")  # type: ignore[arg-type]
        raise KeyboardInterrupt  # what a kill looks like from inside

    monkeypatch.setattr(command, "upgrade", killed_after_first_revision)
    with pytest.raises(KeyboardInterrupt):
        upgrade(engine)
    assert inspect(engine).get_table_names() == []
    monkeypatch.setattr(command, "upgrade", real_upgrade)
    open_store(f"sqlite:///{tmp_path / 'store.db'}")
    assert current_revision(engine) == head_revision()


def test_the_head_the_store_is_checked_against_is_alembics_head() -> None:
    """It holds `migrate.HEAD` (what a store is compared with before Alembic is loaded)
    equal to the newest revision of the migration scripts."""
    assert head_revision() == migrate.HEAD


def test_a_locked_store_is_waited_for_once(tmp_path: Path) -> None:
    """It fails on a store another process holds locked after one wait, not one wait per
    look (the revision check lets a locked or timed-out store's error through)."""
    url = f"sqlite:///{tmp_path}/locked.db"
    open_store(url).dispose()
    holder = sqlite3.connect(tmp_path / "locked.db")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(url, connect_args={"timeout": 0.2})
    attempts: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: attempts.append(args[2]))
    try:
        with pytest.raises(OperationalError, match="locked"):
            migrate.ensure_current(engine)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    assert len(attempts) == 1, attempts


def _open_when_told(url: str, go: Any, revisions: Any) -> None:
    go.wait()
    revisions.put(current_revision(open_store(url)))


def test_processes_setting_up_one_sqlite_file_at_once_leave_only_the_store(tmp_path: Path) -> None:
    """It sets a new SQLite store up once when several processes open it at the same moment
    (SQLite's own write lock orders them), and leaves no file beside it but the store."""
    context = multiprocessing.get_context("fork")
    go, revisions = context.Event(), context.Queue()
    url = f"sqlite:///{tmp_path}/shared.db"
    workers = [context.Process(target=_open_when_told, args=(url, go, revisions)) for _ in range(4)]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * 4
    assert sorted(revisions.get(timeout=5) for _ in workers) == [head_revision()] * 4
    assert sorted(path.name for path in tmp_path.iterdir()) == ["shared.db"]
