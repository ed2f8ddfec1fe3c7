"""Schema migrations (Alembic): `onboard db upgrade`, and automatic set-up of new stores.

A new, empty database (SQLite or PostgreSQL) and any SQLite file are brought to the
newest revision when opened. A shared PostgreSQL store that is behind is upgraded only
on purpose, with `onboard db upgrade`, so one host cannot change it under the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (test_migrate holds it equal to Alembic's
# head): a store already at it is opened without loading Alembic and its scripts, a tenth
# of a second of every command.
HEAD = "0006"
# An arbitrary key for PostgreSQL's advisory lock: one migration at a time per database.
_PG_LOCK_KEY = 0x6F6E626F


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision this version of onboard knows, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(engine: Engine) -> bool:
    """Whether the store's one recorded revision is `HEAD`; False when it has none (no
    revision table yet). A store that cannot be reached, is locked or times out raises,
    once, as any look-up would (a caught failure would be waited for again)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions == [HEAD]


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """Only one process migrates a PostgreSQL database at a time. SQLite needs no lock of
    ours (nor a lock file beside the store): `_sqlite_upgrade` migrates in a `BEGIN
    IMMEDIATE` transaction, which waits for any other writer, and Alembic reads the
    revision inside it, so a second process finds the first one's work done."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                connection.commit()
        return
    yield


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate the database to `revision`; returns (before, after)."""
    with _exclusive(engine):
        before = current_revision(engine)
        if engine.dialect.name == "sqlite":
            _sqlite_upgrade(engine, revision)
        else:
            from alembic import command

            with engine.begin() as connection:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        return before, current_revision(engine)


def _sqlite_upgrade(engine: Engine, revision: str) -> None:
    """Migrate SQLite in one explicit transaction: the driver would otherwise commit each
    CREATE TABLE as it runs, and a process killed midway would leave tables without a
    revision, which no later run could open."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        from alembic import command

        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        except BaseException:
            if raw.in_transaction:
                raw.rollback()
            raise
        if raw.in_transaction:
            raw.commit()


def ensure_current(engine: Engine) -> None:
    """Set up a new store, upgrade SQLite; refuse a shared store that is behind."""
    if at_head(engine):
        return
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if engine.dialect.name == "sqlite" or (current is None and not inspect(engine).get_table_names()):
        upgrade(engine)
        return
    raise StoreBehind(current, head)


class StoreBehind(Exception):
    """The store's schema is older than this version of onboard needs."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the store's schema is at revision {current or 'none (not made by onboard)'}, "
            f"this onboard needs {head}: run 'onboard db upgrade'"
        )
