"""SQLite write-ahead-log checkpoints off the request path.

By default SQLite checkpoints the log in whichever commit finds it past 1,000 pages: that
commit waits while the pages are copied into the database file and the file is synced (about
10 ms on the benchmark machine: it was the p99 of a single record's ingestion). The server's
connections turn automatic checkpoints off (``build_engine(..., background_checkpoints=True)``)
and this thread runs them instead, every `every_seconds`. They are PASSIVE: they neither wait
for nor block readers and writers, and copy what no reader still needs; the log is restarted
by the next commit once all of it has been copied, so it stays as small as a few seconds of
writes (and its file is cut back to ``WAL_SIZE_LIMIT_BYTES`` then, after a burst). Other
processes (the CLI) keep SQLite's automatic checkpoints.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from sqlalchemy import Engine

from plaudit.kit.periodic import PeriodicJob

logger = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0


class CheckpointResult(NamedTuple):
    """What ``PRAGMA wal_checkpoint`` reports: whether it was blocked, the frames in the log
    and the frames copied into the database so far."""

    busy: int
    log_frames: int
    checkpointed_frames: int


class WalCheckpointer(PeriodicJob):
    label = "WAL checkpoint"

    def __init__(self, engine: Engine, every_seconds: float = CHECKPOINT_SECONDS) -> None:
        super().__init__(every_seconds, logger=logger)
        self.engine = engine

    def stop(self) -> None:
        super().stop()
        try:
            self.run_once()  # what the last seconds wrote, before the engine goes
        except Exception as exc:  # stopping must not fail the shutdown
            logger.warning("WAL checkpoint at shutdown: %s: %s", type(exc).__name__, exc)

    def run_once(self) -> CheckpointResult:
        """One passive checkpoint, outside any transaction (the connection is in autocommit
        mode: see ``plaudit.db.engine``)."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy, log, done = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            cursor.close()
        finally:
            connection.close()
        return CheckpointResult(busy, log, done)


def start_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """A running checkpointer for a SQLite engine built with background checkpoints; None for
    any other database (PostgreSQL checkpoints on its own)."""
    if engine.dialect.name != "sqlite":
        return None
    checkpointer = WalCheckpointer(engine, every_seconds=CHECKPOINT_SECONDS)
    checkpointer.start()
    return checkpointer
