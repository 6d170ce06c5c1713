"""Scratch tables and inserting many rows into them at driver speed.

``empty_scratch_tables`` gives a transaction its temporary tables, created on first use in the
connection and emptied of what an earlier transaction on it left.

``connection.execute(insert(table), dicts)`` builds and type-processes a parameter set per
row through the compiler (some microseconds each); for the bulk path's staging tables that
cost more than the insert itself. Here each column's own bind processor (the same one the
statement would use: UTC timestamps, JSON) converts the values, and the driver's
``executemany`` runs the statement SQLAlchemy compiled for this database.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine, Table, delete, event, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

_CREATED = "plaudit.scratch.created"
"""Connection info key: the scratch tables this connection has (created in a committed
transaction, or in the current one)."""
_DEAD = "plaudit.scratch.dead"
"""Connection info key (PostgreSQL): rows deleted from scratch tables in this transaction."""
DEAD_ROWS_BEFORE_TRUNCATE = 20_000
"""Within one transaction, a scratch table is emptied with a cheap DELETE until this many rows
were deleted from the scratch tables; then with TRUNCATE, which leaves no dead rows."""


def empty_scratch_tables(executor: Connection | Session, *tables: Table) -> None:
    """Create the (temporary) tables if this connection has not yet, and empty them.

    The connection remembers the tables it made (a rollback forgets them: it may have undone
    the CREATE), so a batch pays no round trip for a CREATE ... IF NOT EXISTS.

    On PostgreSQL the tables are made ``ON COMMIT DELETE ROWS``: every commit of a transaction
    that used them truncates them in place, cheaply, so no dead row outlives its transaction
    (no vacuum ever visits a temporary table: rows left dead by a DELETE were scanned by every
    later batch on the pooled connection). Within a transaction they are emptied with a
    DELETE, far cheaper than a TRUNCATE (new files for the table and each index, catalog
    updates), until many rows were deleted in it; then with TRUNCATE. SQLite's DELETE without
    a WHERE empties the table's pages at once."""
    connection = executor if isinstance(executor, Connection) else executor.connection()
    created: set[str] = connection.info.setdefault(_CREATED, set())
    for table in tables:
        if table.name not in created:
            connection.execute(CreateTable(table, if_not_exists=True))
            created.add(table.name)
    dialect = connection.dialect
    if dialect.name == "postgresql" and connection.info.get(_DEAD, 0) >= DEAD_ROWS_BEFORE_TRUNCATE:
        names = ", ".join(dialect.identifier_preparer.format_table(t) for t in tables)
        connection.execute(text(f"TRUNCATE {names}"))
        connection.info[_DEAD] = 0
        return
    for table in tables:
        deleted = connection.execute(delete(table)).rowcount
        if dialect.name == "postgresql":
            connection.info[_DEAD] = connection.info.get(_DEAD, 0) + max(deleted, 0)


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "rollback_savepoint")
def _forget_created(connection: Connection, *_: Any) -> None:
    connection.info.pop(_CREATED, None)
    connection.info.pop(_DEAD, None)


@event.listens_for(Engine, "commit")
def _no_dead_rows_after_commit(connection: Connection) -> None:
    connection.info.pop(_DEAD, None)


def scratch_table_options() -> dict[str, Any]:
    """Table keyword arguments of a scratch table (see `empty_scratch_tables`)."""
    return {"prefixes": ["TEMPORARY"], "postgresql_on_commit": "DELETE ROWS"}


def insert_many(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert `rows`, each a sequence of values in the order of `columns`."""
    if not rows:
        return
    dialect = connection.dialect
    names = list(columns)
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    processors = [
        (i, processor)
        for i, name in enumerate(names)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        is not None
    ]
    converted: Sequence[Sequence[Any]] = rows
    if processors:
        converted = [_convert(row, processors) for row in rows]
    if compiled.positional:
        order = [names.index(name) for name in compiled.positiontup or ()]
        connection.exec_driver_sql(compiled.string, _positional(converted, order))
    else:
        connection.exec_driver_sql(
            compiled.string, [dict(zip(names, row, strict=True)) for row in converted]
        )


def _positional(rows: Sequence[Sequence[Any]], order: list[int]) -> list[tuple[Any, ...]]:
    """Each row as the tuple of its values in `order`: what ``tuple(row[i] for i in order)``
    gives, built by ``itemgetter`` rather than by a generator per row."""
    if not order:
        return [() for _ in rows]
    if len(order) == 1:
        only = order[0]
        return [(row[only],) for row in rows]
    pick = itemgetter(*order)
    return [pick(row) for row in rows]


def _convert(row: Sequence[Any], processors: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for i, processor in processors:
        values[i] = processor(values[i])
    return values
