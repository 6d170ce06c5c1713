"""A read-only transaction for long reads such as exports.

On SQLite it begins with a plain (deferred) BEGIN instead of BEGIN IMMEDIATE, so a reader of a
million rows sees one WAL snapshot and never holds the writer lock; on PostgreSQL it is a READ
ONLY transaction, in which results can be streamed through a server-side cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from plaudit.db.engine import READ_ONLY_OPTION


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY_OPTION: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield connection
