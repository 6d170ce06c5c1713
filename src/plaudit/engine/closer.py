"""The period closer: a background thread that runs ``engine.closing.close_periods``.

Every `period_close_seconds` (and once shortly after start, to catch up on periods that ended
while no process ran) it decides the periods that have ended, in one short transaction, on
the application's clock. Several processes may run one each: the closing is idempotent and
serialised per achievement.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from plaudit.clock import Clock
from plaudit.db.session import unit_of_work
from plaudit.engine.closing import close_periods
from plaudit.kit.periodic import PeriodicJob

logger = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 1.0
"""Delay of the first run after start: the server answers requests before it."""


class PeriodCloser(PeriodicJob):
    label = "period closer"

    def __init__(
        self, factory: sessionmaker[Session], clock: Clock, zone: ZoneInfo, every_seconds: float
    ) -> None:
        super().__init__(
            every_seconds, logger=logger, first_delay=min(FIRST_RUN_SECONDS, every_seconds)
        )
        self.factory = factory
        self.clock = clock
        self.zone = zone

    def run_once(self) -> int:
        """Decide the periods that have ended; returns how many awards that made."""
        with unit_of_work(self.factory) as session:
            return len(close_periods(session, now=self.clock(), zone=self.zone))

    def ran(self, result: object) -> None:
        if result:
            logger.info("period closer: %s award(s) for periods that ended", result)
