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

from sqlalchemy import Table, delete, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable


def empty_scratch_tables(executor: Connection | Session, *tables: Table) -> None:
    """Create the (temporary) tables if this connection has not yet, and empty them.

    On PostgreSQL with TRUNCATE: a DELETE leaves its rows dead in the table until a vacuum,
    which never comes for a temporary table (autovacuum does not see them), so every later
    scan of it on a pooled connection read all the rows of every earlier batch. SQLite's
    DELETE without a WHERE empties the table's pages at once."""
    for table in tables:
        executor.execute(CreateTable(table, if_not_exists=True))
    dialect = executor.dialect if isinstance(executor, Connection) else executor.get_bind().dialect
    if dialect.name == "postgresql":
        names = ", ".join(dialect.identifier_preparer.format_table(t) for t in tables)
        executor.execute(text(f"TRUNCATE {names}"))
        return
    for table in tables:
        executor.execute(delete(table))


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
