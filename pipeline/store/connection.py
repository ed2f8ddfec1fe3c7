"""Opening the store and its transactions: engines, time-outs, one-line failures.

SQLite (one file, the default) and PostgreSQL (`postgresql+psycopg://…`) both work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from pipeline.issues import FileError, Stage


def now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def connect(url: str, connect_timeout: float = 10.0, statement_timeout: float = 900.0) -> Engine:
    """An engine for `url`, schema untouched. Raises `FileError` for a bad URL.

    On PostgreSQL a server that accepts connections but never answers fails after
    `connect_timeout` seconds, and a statement running longer than `statement_timeout`
    (waiting for a lock included) is cancelled by the server: a cron sweep never hangs.
    """
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 60})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            connect_args: dict[str, Any] = {}
            if url.startswith("postgresql"):
                connect_args = {
                    # libpq's minimum is 2 seconds.
                    "connect_timeout": max(2, round(connect_timeout)),
                    "options": f"-c statement_timeout={round(statement_timeout * 1000)}",
                }
            engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (ArgumentError, ImportError) as exc:
        raise FileError(
            "store_error", f"cannot open the store {safe_url(url)}: {reason(exc)}", "load"
        ) from None
    return engine


def open_store(url: str, connect_timeout: float = 10.0, statement_timeout: float = 900.0) -> Engine:
    """An engine for `url` with an up-to-date schema (see `migrate.ensure_current`).

    Raises `FileError` when the store is unreachable or its schema is behind.
    """
    from pipeline.store.migrate import StoreBehind, ensure_current

    engine = connect(url, connect_timeout, statement_timeout)
    try:
        ensure_current(engine)
    except StoreBehind as exc:
        raise FileError("store_error", f"{safe_url(url)}: {exc}", "load") from None
    except SQLAlchemyError as exc:
        raise FileError(
            "store_error", f"cannot open the store {safe_url(url)}: {reason(exc)}", "load"
        ) from None
    return engine


def open_existing_store(url: str, connect_timeout: float = 10.0, statement_timeout: float = 900.0) -> Engine:
    """An engine for a store that already exists, for commands that only read it.

    A typo in `--db` must not create an empty store that then reports "0 pending": a
    missing SQLite file, or a database without onboard's tables, is `store_not_found`.
    """
    from pipeline.store.migrate import at_head, current_revision

    engine = connect(url, connect_timeout, statement_timeout)
    database = engine.url.database
    sqlite_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
    if sqlite_file and not Path(str(database)).is_file():
        engine.dispose()
        raise FileError("store_not_found", _no_store(url, f"no file {database}"), "load")
    try:
        empty = (
            not at_head(engine) and current_revision(engine) is None and not inspect(engine).get_table_names()
        )
    except SQLAlchemyError as exc:
        raise FileError(
            "store_error", f"cannot open the store {safe_url(url)}: {reason(exc)}", "load"
        ) from None
    if empty:
        engine.dispose()
        raise FileError("store_not_found", _no_store(url, "the database holds no onboard tables"), "load")
    return open_store(url, connect_timeout, statement_timeout)


def _no_store(url: str, why: str) -> str:
    return (
        f"there is no store at {safe_url(url)} ({why}); check --db or ONBOARD_DB_URL "
        "(a store is created by the first 'onboard import' or by 'onboard db upgrade')"
    )


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # SQLite's default page cache is 2 MB: an import's inserts into the customers' indexes
    # (random keys) then re-read the same pages from the OS over and over. 64 MB (a
    # negative size is in KiB, https://sqlite.org/pragma.html#pragma_cache_size) holds the
    # indexes of some half a million customers; the pages are only taken as they are used.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def reason(exc: BaseException) -> str:
    """The first line of what the driver said: one line for the user, no SQL, no URL."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def transaction(engine: Engine, stage: Stage | None, commit: bool = True) -> Iterator[Connection]:
    """One transaction, committed at the end (rolled back when `commit` is False or on
    any error); database failures become a `FileError` of the stage.

    The driver's own errors count too: COPY on PostgreSQL runs on the raw psycopg
    connection, where SQLAlchemy does not wrap what the server says.
    """
    driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
    try:
        with engine.connect() as connection, connection.begin() as outer:
            yield connection
            if not commit:
                outer.rollback()
    except (SQLAlchemyError, driver_error) as exc:
        raise FileError("store_error", f"store failed: {reason(exc)}", stage) from None
