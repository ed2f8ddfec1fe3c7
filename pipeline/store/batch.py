"""Batches: the record of every import, who ran it, and the status of its customers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from pipeline.store.connection import now, transaction
from pipeline.store.tables import STATUSES, batches, customers


def new_batch_id(sha256: str) -> str:
    """A batch id that sorts by time and names the file's content: 20261125-101500-ab12cd34-9f3e."""
    return f"{now():%Y%m%d-%H%M%S}-{sha256[:8]}-{secrets.token_hex(2)}"


def earlier_import(engine: Engine, sha256: str) -> dict[str, Any] | None:
    """The first batch that imported a file with this content, if any."""
    with transaction(engine, "load") as connection:
        row = connection.execute(
            select(batches).where(batches.c.sha256 == sha256).order_by(batches.c.started_at).limit(1)
        ).first()
    return dict(row._mapping) if row else None


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


@dataclass(frozen=True)
class BatchCounts:
    """What an import did with its file's rows, as its batch record keeps it."""

    rows: int
    accepted: int
    rejected: int
    inserted: int
    updated: int
    unchanged: int
    warnings: int


def finish_batch(connection: Connection, batch_id: str, counts: BatchCounts) -> None:
    """Record the import's counts and its finishing time (inside the import's transaction)."""
    connection.execute(
        update(batches).where(batches.c.id == batch_id).values(**asdict(counts), finished_at=now())
    )


def importers(connection: Connection, batch_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Batch id → (the name it was imported under, the account that ran it; "" when unknown)."""
    ids = set(batch_ids)
    if not ids:
        return {}
    query = select(batches.c.id, batches.c.imported_by, batches.c.imported_login).where(batches.c.id.in_(ids))
    return {batch: (user or "", login or "") for batch, user, login in connection.execute(query)}


def status_counts(engine: Engine) -> dict[str, int]:
    """Customers per status, every status listed."""
    with transaction(engine, "read") as connection:
        found: dict[str, int] = dict(
            connection.execute(select(customers.c.status, func.count()).group_by(customers.c.status)).all()
        )
    return {status: int(found.get(status, 0)) for status in STATUSES}


def batch_status_counts(engine: Engine, limit: int) -> list[dict[str, Any]]:
    """The most recent batches with their counts and their customers' current statuses."""
    with transaction(engine, "read") as connection:
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
