"""Claims: which sweep works on which file content, so that two never do the same.

A claim is a row per (kind, content), unique; taking over someone else's claim is a
compare-and-set on the claim as it was seen, so two takers cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.store.connection import now, transaction
from pipeline.store.tables import claims


def claim(
    engine: Engine,
    kind: str,
    sha256: str,
    name: str,
    claimant: str,
    *,
    stale_after: dt.timedelta,
    abandoned: Callable[[str], bool],
) -> bool:
    """Record that `claimant` works on a file's content; False if another one does.

    A finished claim is taken again (the content may be dropped a second time). An
    unfinished one is taken over when it is older than `stale_after` or when
    `abandoned(its claimant)` says its process is gone.
    """
    stamp = now()
    if _first_claim(engine, kind, sha256, name, claimant, stamp):
        return True
    key = (claims.c.kind == kind) & (claims.c.sha256 == sha256)
    with transaction(engine, None) as connection:
        current = connection.execute(select(claims).where(key)).first()
        if current is None:
            return False
        taken_over = (
            current.finished_at is not None
            or _older_than(current.claimed_at, stale_after)
            or abandoned(current.claimed_by)
        )
        if not taken_over:
            return False
        # Compare-and-set on the claim we saw, so two sweeps cannot both take it over.
        seen = (claims.c.claimed_by == current.claimed_by) & (claims.c.claimed_at == current.claimed_at)
        done = connection.execute(
            update(claims)
            .where(key & seen)
            .values(claimed_by=claimant, claimed_at=stamp, finished_at=None, outcome=None)
        )
        return bool(done.rowcount)


def _first_claim(
    engine: Engine, kind: str, sha256: str, name: str, claimant: str, stamp: dt.datetime
) -> bool:
    """Insert the claim; False when the content was claimed before (finished or not)."""
    row = {
        "kind": kind,
        "sha256": sha256,
        "file_name": name,
        "claimed_by": claimant,
        "claimed_at": stamp,
        "finished_at": None,
        "outcome": None,
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(claims), [row])
    except IntegrityError:
        return False
    return True


def _older_than(stamp: dt.datetime, age: dt.timedelta) -> bool:
    # SQLite hands time stamps back without their zone; they were stored in UTC.
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return bool(now() - stamp > age)


def finish_claim(engine: Engine, kind: str, sha256: str, outcome: str) -> None:
    """Mark a claim done, so the same content dropped again is handled again."""
    with transaction(engine, None) as connection:
        connection.execute(
            update(claims)
            .where((claims.c.kind == kind) & (claims.c.sha256 == sha256))
            .values(finished_at=now(), outcome=outcome)
        )
