"""The store: SQLAlchemy Core tables, the import upsert, batches and the audit trail.

SQLite (one file, the default) and PostgreSQL (`postgresql+psycopg://…`) both work.
One import is one transaction: its accepted rows, their audit rows and its batch
record commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from pipeline.issues import FileError
from schemas.fields import FIELDS as FIELD_FACTS

FIELDS = tuple(FIELD_FACTS)
STATUSES = ("pending", "approved", "rejected")

metadata = MetaData()

batches = Table(
    "batches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("imported_by", String(200), nullable=False, default=""),
    # The operating-system account that ran the import (the file's owner in a sweep).
    Column("imported_login", String(200)),
    Column("forced", Boolean, nullable=False, default=False),
    Column("rows", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

# One import per file content, unless forced (see migration 0003).
Index(
    "uq_batches_sha256_unforced",
    batches.c.sha256,
    unique=True,
    sqlite_where=~batches.c.forced,
    postgresql_where=~batches.c.forced,
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *(
        Column(
            name,
            String(FIELD_FACTS[name].max_length),
            nullable=not FIELD_FACTS[name].required,
            unique=name == "erp_id",
        )
        for name in FIELDS
    ),
    Column("status", String(16), nullable=False, index=True),
    Column("batch_id", String(64), ForeignKey("batches.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("reviewed_by", String(200)),
    Column("review_reason", Text),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("erp_id", String(FIELD_FACTS["erp_id"].max_length), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("old_status", String(16)),
    Column("new_status", String(16), nullable=False),
    Column("batch_id", String(64)),
    Column("changed_by", String(200), nullable=False, default=""),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
)


claims = Table(
    "claims",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("file_name", String(500), nullable=False),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
)


def now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def new_batch_id(sha256: str) -> str:
    """A batch id that sorts by time and names the file's content: 20261125-101500-ab12cd34-9f3e."""
    return f"{now():%Y%m%d-%H%M%S}-{sha256[:8]}-{secrets.token_hex(2)}"


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
    from pipeline.migrate import StoreBehind, ensure_current

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


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def reason(exc: BaseException) -> str:
    """The first line of what the driver said: one line for the user, no SQL, no URL."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def transaction(engine: Engine, stage: str, commit: bool = True) -> Iterator[Connection]:
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


def earlier_import(engine: Engine, sha256: str) -> dict[str, Any] | None:
    """The first batch that imported a file with this content, if any."""
    with transaction(engine, "load") as connection:
        row = connection.execute(
            select(batches).where(batches.c.sha256 == sha256).order_by(batches.c.started_at).limit(1)
        ).first()
    return dict(row._mapping) if row else None


@dataclass
class LoadResult:
    """What loading one file's accepted rows did."""

    batch_id: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # ERP IDs of approved customers whose row differs: the import may not change them.
    refused: list[str] = field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        """Count in what loading another part of the same file did."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.refused.extend(other.refused)


# Within SQLite's (32,766) and PostgreSQL's (65,535) limits of parameters.
def _chunks(items: Sequence[Any], size: int = 5000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load(
    connection: Connection,
    batch_id: str,
    rows: Sequence[Mapping[str, Any]],
    user: str,
) -> LoadResult:
    """Upsert accepted rows by `erp_id` inside the caller's transaction.

    New customers are inserted as pending; a changed pending or rejected customer is
    updated and put (back) to pending; a changed approved customer is refused and left
    as it is; an identical row is unchanged.
    """
    result = LoadResult(batch_id)
    stamp = now()
    existing = find_customers(connection, [r["erp_id"] for r in rows])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        values = {name: row.get(name) for name in FIELDS}
        erp_id = str(values["erp_id"])
        old = existing.get(erp_id)
        if old is None:
            inserts.append(
                values | {"status": "pending", "batch_id": batch_id, "created_at": stamp, "updated_at": stamp}
            )
            events.append(_event(erp_id, "created", None, "pending", batch_id, user, stamp))
        elif all(old[name] == values[name] for name in FIELDS):
            result.unchanged += 1
        elif old["status"] == "approved":
            result.refused.append(erp_id)
        else:
            updates.append(
                {f"new_{k}": v for k, v in values.items()}
                | {"key": erp_id, "new_batch_id": batch_id, "new_updated_at": stamp}
            )
            events.append(_event(erp_id, "updated", old["status"], "pending", batch_id, user, stamp))
    if inserts:
        bulk_insert(connection, customers, inserts)
    if updates:
        statement = (
            update(customers)
            .where(customers.c.erp_id == bindparam("key"))
            .values(
                {name: bindparam(f"new_{name}") for name in FIELDS if name != "erp_id"}
                | {
                    "status": "pending",
                    "batch_id": bindparam("new_batch_id"),
                    "updated_at": bindparam("new_updated_at"),
                    "reviewed_at": None,
                    "reviewed_by": None,
                    "review_reason": None,
                }
            )
        )
        connection.execute(statement, updates)
    if events:
        bulk_insert(connection, audit, events)
    result.inserted, result.updated = len(inserts), len(updates)
    return result


def find_customers(connection: Connection, erp_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored customers with these ERP IDs (blank IDs ignored), by ERP ID."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks([erp_id for erp_id in erp_ids if erp_id]):
        for record in connection.execute(select(customers).where(_erp_id_in(connection, chunk))):
            found[record.erp_id] = dict(record._mapping)
    return found


def _erp_id_in(connection: Connection, erp_ids: Sequence[str]) -> ColumnElement[bool]:
    """`erp_id IN (…)`; on PostgreSQL as `= ANY(array)`, one parameter instead of
    thousands for the driver to place."""
    if connection.dialect.name == "postgresql":
        ids = bindparam("erp_ids", list(erp_ids), type_=postgresql.ARRAY(String))
        return customers.c.erp_id == any_(ids)
    return customers.c.erp_id.in_(erp_ids)


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows fast inside the caller's transaction: COPY on PostgreSQL, the
    driver's executemany on SQLite (SQLAlchemy's per-row parameter handling costs more
    than the insert itself)."""
    if not rows:
        return
    dialect = connection.dialect
    names = [c.name for c in table.columns if c.name in rows[0]]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    if dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    elif dialect.name == "sqlite":
        getter = itemgetter(*names)
        data = [getter(row) for row in rows]
        processors = {
            i: p
            for i, name in enumerate(names)
            if (p := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        if processors:
            # Time stamps are shared by the rows of a batch: convert each distinct one once.
            memo: dict[tuple[int, Any], Any] = {}
            converted = []
            for values in data:
                cells = list(values)
                for i, process in processors.items():
                    key = (i, cells[i])
                    if key not in memo:
                        memo[key] = process(cells[i])
                    cells[i] = memo[key]
                converted.append(tuple(cells))
            data = converted
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", data)
    else:
        connection.execute(insert(table), list(rows))


def _event(
    erp_id: str,
    action: str,
    old: str | None,
    new: str,
    batch_id: str | None,
    user: str,
    stamp: dt.datetime,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "erp_id": erp_id,
        "action": action,
        "old_status": old,
        "new_status": new,
        "batch_id": batch_id,
        "changed_by": user,
        "changed_at": stamp,
        "reason": reason,
    }


class AlreadyImported(Exception):
    """Another import of the same content committed first (a race between sweeps)."""


def record_batch(connection: Connection, values: Mapping[str, Any]) -> None:
    """Insert the batch record (inside the import's transaction).

    Raises `AlreadyImported` when an import of the same content (not forced) committed
    first; the unique index makes a concurrent one wait for it.
    """
    try:
        connection.execute(insert(batches), [dict(values)])
    except IntegrityError:
        if values.get("forced"):
            raise
        raise AlreadyImported(str(values["sha256"])) from None


def status_counts(engine: Engine) -> dict[str, int]:
    """Customers per status, every status listed."""
    with transaction(engine, "status") as connection:
        found: dict[str, int] = dict(
            connection.execute(select(customers.c.status, func.count()).group_by(customers.c.status)).all()
        )
    return {status: int(found.get(status, 0)) for status in STATUSES}


def batch_status_counts(engine: Engine, limit: int = 10) -> list[dict[str, Any]]:
    """The most recent batches with their counts and their customers' current statuses."""
    with transaction(engine, "status") as connection:
        recent = connection.execute(select(batches).order_by(batches.c.started_at.desc()).limit(limit)).all()
        ids = [b.id for b in recent]
        per_status: dict[str, dict[str, int]] = {i: dict.fromkeys(STATUSES, 0) for i in ids}
        if ids:
            query = (
                select(customers.c.batch_id, customers.c.status, func.count())
                .where(customers.c.batch_id.in_(ids))
                .group_by(customers.c.batch_id, customers.c.status)
            )
            for batch_id, status, count in connection.execute(query):
                per_status[batch_id][status] = int(count)
    return [dict(b._mapping) | {"customers": per_status[b.id]} for b in recent]


def customers_with_status(engine: Engine, status: str | None) -> list[dict[str, Any]]:
    """Every customer with `status` (all when None), ordered by ERP ID."""
    query = select(customers).order_by(customers.c.erp_id)
    if status is not None:
        query = query.where(customers.c.status == status)
    with transaction(engine, "export") as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
