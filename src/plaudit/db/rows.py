"""Inserting many rows at driver speed, with the values converted exactly as SQLAlchemy would.

``connection.execute(insert(table), dicts)`` builds and type-processes a parameter set per
row through the compiler (some microseconds each); for the bulk path's staging tables that
cost more than the insert itself. Here each column's own bind processor (the same one the
statement would use: UTC timestamps, JSON) converts the values, and the driver's
``executemany`` runs the statement SQLAlchemy compiled for this database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection


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
        connection.exec_driver_sql(
            compiled.string, [tuple(row[i] for i in order) for row in converted]
        )
    else:
        connection.exec_driver_sql(
            compiled.string, [dict(zip(names, row, strict=True)) for row in converted]
        )


def _convert(row: Sequence[Any], processors: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for i, processor in processors:
        values[i] = processor(values[i])
    return values
