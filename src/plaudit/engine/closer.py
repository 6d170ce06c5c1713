"""The period closer: a background thread that runs ``engine.closing.close_periods``.

Every `period_close_seconds` (and once shortly after start, to catch up on periods that ended
while no process ran) it decides the periods that have ended, in one short transaction, on
the application's clock. Several processes may run one each: the closing is idempotent and
serialised per achievement.
"""

from __future__ import annotations

import logging
import threading
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from plaudit.clock import Clock
from plaudit.db.session import unit_of_work
from plaudit.engine.closing import close_periods

logger = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 1.0
"""Delay of the first run after start: the server answers requests before it."""


class PeriodCloser:
    def __init__(
        self, factory: sessionmaker[Session], clock: Clock, zone: ZoneInfo, every_seconds: float
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.zone = zone
        self.every_seconds = every_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_problem: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="plaudit-periods", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def run_once(self) -> int:
        """Decide the periods that have ended; returns how many awards that made."""
        with unit_of_work(self.factory) as session:
            return len(close_periods(session, now=self.clock(), zone=self.zone))

    def _run(self) -> None:
        delay = min(FIRST_RUN_SECONDS, self.every_seconds)
        while not self._stopping.wait(delay):
            delay = self.every_seconds
            try:
                awarded = self.run_once()
            except Exception as exc:  # the closer outlives any database trouble
                problem = f"{type(exc).__name__}: {exc}"
                if problem != self._last_problem:
                    logger.warning("period closer: %s (retrying every %ss)", problem, delay)
                    self._last_problem = problem
                continue
            self._last_problem = None
            if awarded:
                logger.info("period closer: %s award(s) for periods that ended", awarded)
