"""The store's dialect fast paths: bulk inserts, `column IN (…)` look-ups, and SQLite's
indexes built after a large load instead of during it.

SQLAlchemy's per-row parameter handling costs more than the insert itself, so bulk rows
go through COPY on PostgreSQL and the driver's executemany on SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from functools import cache
from itertools import repeat
from typing import Any

from sqlalchemy import String, Table, any_, bindparam, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from pipeline.store.tables import audit, customers

# Fewer incoming rows than this are inserted into the indexes as they are.
REBUILD_FROM_ROWS = 10_000


# Within SQLite's (32,766) and PostgreSQL's (65,535) limits of parameters.
def chunks(items: Sequence[Any], size: int = 5000) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def customer_in(connection: Connection, column: str, values: Sequence[str]) -> ColumnElement[bool]:
    """`column IN (…)` over the customers with one parameter instead of thousands for
    SQLAlchemy and the driver to place (their cost per value exceeds the look-up's): on
    PostgreSQL `= ANY(array)`, on SQLite `IN (SELECT value FROM json_each(array))`; both
    use the column's index."""
    name = f"{column}_values"
    if connection.dialect.name == "postgresql":
        array = bindparam(name, list(values), type_=postgresql.ARRAY(String))
        return customers.c[column] == any_(array)
    if connection.dialect.name == "sqlite" and _sqlite_has_json_each():
        listed = func.json_each(bindparam(name, json.dumps(list(values)), type_=String))
        return customers.c[column].in_(select(literal_column("value")).select_from(listed))
    return customers.c[column].in_(values)


@cache
def _sqlite_has_json_each() -> bool:
    """Whether this Python's SQLite has its JSON functions (built in since 3.38, and in
    nearly every build before): without them, the plain `IN (…)` does."""
    with closing(sqlite3.connect(":memory:")) as database:
        try:
            database.execute("SELECT value FROM json_each('[1]')")
        except sqlite3.OperationalError:
            return False
    return True


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows (dictionaries) fast inside the caller's transaction (see
    `bulk_insert_columns`)."""
    if rows:
        names = [c.name for c in table.columns if c.name in rows[0]]
        bulk_insert_columns(connection, table, {name: [row[name] for row in rows] for name in names})


def bulk_insert_columns(
    connection: Connection,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows given column by column (`columns`, lists of equal length), with the
    values in `same` in every row, inside the caller's transaction: COPY on PostgreSQL,
    the driver's executemany on SQLite. SQLAlchemy's per-row parameter handling costs
    more than the insert itself, and so would a dictionary per row."""
    count = len(next(iter(columns.values()), ()))
    if not count:
        return
    same = same or {}
    dialect = connection.dialect
    names = [*columns, *same]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    if dialect.name == "sqlite":
        listed = [_sqlite_column(connection, table, name, values) for name, values in columns.items()]
        constants = [_sqlite_column(connection, table, name, [value])[0] for name, value in same.items()]
    else:
        listed, constants = list(columns.values()), list(same.values())
    rows = zip(*listed, *(repeat(value, count) for value in constants), strict=True)
    if dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
    elif dialect.name == "sqlite":
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", list(rows))
    else:
        connection.execute(insert(table), [dict(zip(names, values, strict=True)) for values in rows])


def _sqlite_column(connection: Connection, table: Table, name: str, values: Sequence[Any]) -> Sequence[Any]:
    """A column's values as the driver takes them, through the column's bind processor
    (time stamps become text): each distinct value converted once, as the rows of a batch
    share their time stamps."""
    dialect = connection.dialect
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    converted = {value: process(value) for value in set(values)}
    return [converted[value] for value in values]


@contextmanager
def indexes_built_after(connection: Connection, incoming: int) -> Iterator[None]:
    """Inside a load's transaction on SQLite: when at least as many rows arrive as the
    store's customers and audit rows together (a first import, a store rebuilt), the
    secondary indexes of both tables are dropped and built again at the end, exactly as
    they were (their own SQL): SQLite builds an index by one sort, much quicker than a
    random insert per row and index (a million customers and their audit rows: 22–24 s →
    14 s of CPU). A rebuild sorts every stored row again, so a store already holding as
    many (a weekly re-import of the same master file, mostly unchanged) keeps its indexes.
    The ERP IDs' unique index stays, so every look-up and conflict during the load works
    as before. SQLite's DDL is transactional, and the caller's transaction is open (its
    batch record is written first): a failure or a kill before the commit leaves the
    indexes as they were."""
    if connection.dialect.name != "sqlite" or incoming < REBUILD_FROM_ROWS:
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None and raw.in_transaction, "the drop must be part of the load's transaction"
    stored = sum(
        connection.execute(select(func.count()).select_from(t)).scalar_one() for t in (customers, audit)
    )
    if incoming < stored:
        yield
        return
    listed = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ('{customers.name}', '{audit.name}') ORDER BY name"
    ).all()
    for name, _sql in listed:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in listed:
        connection.exec_driver_sql(sql)
