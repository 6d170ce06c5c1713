"""Engines: SQLite with WAL and BEGIN IMMEDIATE writes, PostgreSQL through psycopg 3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.pool import ConnectionPoolEntry

WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
"""The size the write-ahead log file is cut back to once it has been checkpointed."""
PAGE_CACHE_KIB = 32 * 1024
"""SQLite's page cache per connection, in KiB (it grows to this as pages are read)."""
READ_ONLY_OPTION = "plaudit_read_only"
"""Execution option of connections that only read: see plaudit.db.snapshot."""


@dataclass(frozen=True)
class PoolSize:
    """Connections kept open, and how many more may be opened for a while beyond them."""

    size: int = 10
    overflow: int = 20


def build_engine(
    url: str,
    *,
    echo: bool = False,
    background_checkpoints: bool = False,
    pool: PoolSize | None = None,
) -> Engine:
    """Create the engine for `url`. Nothing connects until the first query.

    `background_checkpoints`: SQLite connections leave checkpoints of the write-ahead log to a
    ``plaudit.db.checkpoint.WalCheckpointer``, which the caller runs (the server does).
    `pool`: the connection pool's size; the server sizes it from its admission limit
    (``plaudit.http.capacity``)."""
    pool = pool or PoolSize()
    pool_args: dict[str, Any] = {"pool_size": pool.size, "max_overflow": pool.overflow}
    if url.startswith("sqlite"):
        if _in_memory(url):
            pool_args = {}  # one connection per thread (SingletonThreadPool): nothing to size
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **pool_args
        )
        _configure_sqlite(engine, background_checkpoints=background_checkpoints)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, **pool_args)


def _in_memory(url: str) -> bool:
    database = make_url(url).database
    return database in (None, "", ":memory:") or "mode=memory" in url


def _configure_sqlite(engine: Engine, *, background_checkpoints: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # The bulk path's scratch tables live in memory, not in a temporary file; and a page
        # cache of 32 MiB instead of SQLite's 2 MiB holds the hot index pages of the records,
        # tallies and awards: about 10% more bulk throughput (docs/benchmarks.md).
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        # After a burst of writes (a large import) the log file is cut back to this size when
        # it starts again, instead of keeping its largest size for good.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
        if background_checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            # A long read (an export) takes a WAL snapshot and never the writer lock.
            connection.exec_driver_sql("BEGIN")
            return
        # Writers queue for the database lock at the start of the transaction instead of
        # failing with "database is locked" when they upgrade from a read half-way through.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
