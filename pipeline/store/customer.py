"""Customers: the import's upsert, the reviewers' decisions, and the look-ups they need.

Every status change writes an audit row (`tables.audit_row`) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Update

from pipeline.store.bulk import bulk_insert, bulk_insert_columns, chunks, customer_in
from pipeline.store.connection import now, transaction
from pipeline.store.tables import FIELDS, audit, audit_row, customers


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


@dataclass
class _Writes:
    """The rows one load inserts, updates and audits."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    # Unchanged customers whose import warnings changed: only the warnings are written.
    notes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def load(
    connection: Connection,
    batch_id: str,
    columns: Mapping[str, Sequence[Any]],
    user: str,
) -> LoadResult:
    """Upsert accepted rows, given column by column (every field and `warnings`, one list
    each), by `erp_id` inside the caller's transaction; a row's `warnings` (the import's
    messages about it) are kept with its customer, also when the customer is otherwise
    unchanged.

    New customers are inserted as pending; a changed pending or rejected customer is
    updated and put (back) to pending; a changed approved customer is refused and left
    as it is; an identical row is unchanged.
    """
    result = LoadResult(batch_id)
    erp_ids = [str(erp_id) for erp_id in columns["erp_id"]]
    existing, stamp = find_customers(connection, erp_ids), now()
    if not existing:  # new customers only (a first import): nothing to compare row by row
        _insert_new(connection, batch_id, columns, erp_ids, user, stamp)
        result.inserted = len(erp_ids)
        return result
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    writes = _plan(rows, existing, result, user, stamp)
    bulk_insert(connection, customers, writes.inserts)
    if writes.updates:
        connection.execute(_reimport(), writes.updates)
    if writes.notes:
        rewarn = update(customers).where(customers.c.erp_id == bindparam("key"))
        connection.execute(rewarn.values(warnings=bindparam("new_warnings")), writes.notes)
    bulk_insert(connection, audit, writes.events)
    result.inserted, result.updated = len(writes.inserts), len(writes.updates)
    return result


def _plan(
    rows: Sequence[Mapping[str, Any]],
    existing: dict[str, dict[str, Any]],
    result: LoadResult,
    user: str,
    stamp: dt.datetime,
) -> _Writes:
    """Sort the rows into inserts and updates (counting unchanged and refused ones in
    `result`), each change with its audit row."""
    batch_id = result.batch_id
    writes = _Writes()
    new = _new_customer(batch_id, stamp)
    for row in rows:
        values = {name: row.get(name) for name in FIELDS}
        erp_id = str(values["erp_id"])
        old = existing.get(erp_id)
        if old is None:
            writes.inserts.append({**values, "warnings": row.get("warnings"), **new})
            writes.events.append(audit_row(erp_id, "created", None, "pending", batch_id, user, stamp))
        elif all(old[name] == values[name] for name in FIELDS):
            result.unchanged += 1
            if old["warnings"] != row.get("warnings"):
                writes.notes.append({"key": erp_id, "new_warnings": row.get("warnings")})
        elif old["status"] == "approved":
            result.refused.append(erp_id)
        else:
            writes.updates.append(
                {f"new_{k}": v for k, v in values.items()}
                | {"key": erp_id, "new_warnings": row.get("warnings")}
                | {"new_batch_id": batch_id, "new_updated_at": stamp}
            )
            writes.events.append(
                audit_row(erp_id, "updated", old["status"], "pending", batch_id, user, stamp)
            )
    return writes


def _insert_new(
    connection: Connection,
    batch_id: str,
    columns: Mapping[str, Sequence[Any]],
    erp_ids: Sequence[str],
    user: str,
    stamp: dt.datetime,
) -> None:
    """Insert every row as a new customer with its `created` audit row, straight from the
    columns: a dictionary per row cost more than the insert (0.9 s per 100,000 rows)."""
    fields = {name: columns[name] for name in (*FIELDS, "warnings")}
    bulk_insert_columns(connection, customers, fields, _new_customer(batch_id, stamp))
    created = audit_row("", "created", None, "pending", batch_id, user, stamp)
    del created["erp_id"]  # each row's own: the one column that differs
    bulk_insert_columns(connection, audit, {"erp_id": erp_ids}, created)


def _new_customer(batch_id: str, stamp: dt.datetime) -> dict[str, Any]:
    """What a new customer's row holds besides its fields: pending, in this batch, now."""
    return {"status": "pending", "batch_id": batch_id, "created_at": stamp, "updated_at": stamp}


def _reimport() -> Update:
    """The update of a customer by a changed row: back to pending, its review cleared."""
    return (
        update(customers)
        .where(customers.c.erp_id == bindparam("key"))
        .values(
            {name: bindparam(f"new_{name}") for name in FIELDS if name != "erp_id"}
            | {
                "warnings": bindparam("new_warnings"),
                "status": "pending",
                "batch_id": bindparam("new_batch_id"),
                "updated_at": bindparam("new_updated_at"),
                "reviewed_at": None,
                "reviewed_by": None,
                "review_reason": None,
            }
        )
    )


def find_customers(connection: Connection, erp_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored customers with these ERP IDs (blank IDs ignored), by ERP ID."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks([erp_id for erp_id in erp_ids if erp_id]):
        for record in connection.execute(select(customers).where(customer_in(connection, "erp_id", chunk))):
            found[record.erp_id] = dict(record._mapping)
    return found


def any_customer(connection: Connection) -> bool:
    """Whether the store holds a customer at all."""
    return connection.execute(select(customers.c.id).limit(1)).first() is not None


# What a look-alike check (pipeline/lookalikes.py) compares of a stored customer.
LOOKALIKE_COLUMNS = (
    *("erp_id", "country", "postal_code"),
    *("tax_id", "registration_number", "full_name", "short_name"),
)


def customers_sharing(connection: Connection, column: str, values: Iterable[str]) -> list[Mapping[str, Any]]:
    """The stored customers whose `column` holds one of `values` (blanks ignored), with
    the columns a look-alike check compares. `column` is indexed (migration 0005)."""
    wanted = sorted({value for value in values if value})
    selected = select(*(customers.c[name] for name in LOOKALIKE_COLUMNS))
    found: list[Mapping[str, Any]] = []
    for chunk in chunks(wanted):
        matching = connection.execute(selected.where(customer_in(connection, column, chunk))).mappings()
        found.extend(cast("Iterable[Mapping[str, Any]]", matching))  # RowMapping: no copy
    return found


def customers_with_status(engine: Engine, status: str | None, part: int = 5000) -> Iterator[dict[str, Any]]:
    """Every customer with `status` (all when None), ordered by ERP ID, `part` at a time,
    each part in a short transaction of its own (the next starts after the last ERP ID):
    an export of a million customers never holds them all in memory, nor holds SQLite's
    lock while the file is written, which would stall every import and review meanwhile.
    A customer changed during the export appears once, as it was when its part was read."""
    query = select(customers).order_by(customers.c.erp_id).limit(part)
    if status is not None:
        query = query.where(customers.c.status == status)
    after: str | None = None
    while True:
        with transaction(engine, "read") as connection:
            page = query if after is None else query.where(customers.c.erp_id > after)
            rows = [dict(row._mapping) for row in connection.execute(page)]
        yield from rows
        if len(rows) < part:
            return
        after = rows[-1]["erp_id"]


def pending_customers(engine: Engine, batch_id: str | None = None) -> list[dict[str, Any]]:
    """Every pending customer (of one batch, when given), ordered by ERP ID."""
    query = select(customers).where(customers.c.status == "pending")
    if batch_id is not None:
        query = query.where(customers.c.batch_id == batch_id)
    with transaction(engine, "read") as connection:
        return [dict(row._mapping) for row in connection.execute(query.order_by(customers.c.erp_id))]


@dataclass(frozen=True)
class StatusChange:
    """A reviewer's decision about one stored customer."""

    erp_id: str
    old_status: str
    new_status: str
    # The batch the customer came with, for its audit row.
    batch_id: str
    reason: str | None = None


def apply_decisions(
    connection: Connection, changes: Sequence[StatusChange], reviewer: str, stamp: dt.datetime
) -> None:
    """Set each customer's new status with who decided, when and why, and audit it
    (inside the caller's transaction)."""
    if not changes:
        return
    decide = (
        update(customers)
        .where(customers.c.erp_id == bindparam("key"))
        .values(
            status=bindparam("new_status"),
            reviewed_by=reviewer,
            reviewed_at=stamp,
            review_reason=bindparam("reason"),
            updated_at=stamp,
        )
    )
    connection.execute(
        decide, [{"key": c.erp_id, "new_status": c.new_status, "reason": c.reason} for c in changes]
    )
    trail = [
        audit_row(c.erp_id, c.new_status, c.old_status, c.new_status, c.batch_id, reviewer, stamp, c.reason)
        for c in changes
    ]
    connection.execute(insert(audit), trail)
