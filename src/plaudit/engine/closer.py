"""The period closer: a background thread that runs ``engine.closing.close_periods``, then any
further kinds of closing work it is handed (the leaderboard's seasons: the application
factory passes them in, so the engine imports no domain package).

Every `period_close_seconds` (and once shortly after start, to catch up on periods that ended
while no process ran) it decides the periods that have ended, each kind of work in one short
transaction, on the application's clock. Several processes may run one each: every kind of
closing is idempotent and serialised (per achievement, per board).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence, Sized
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from plaudit.clock import Clock
from plaudit.db.session import unit_of_work
from plaudit.engine.closing import close_periods
from plaudit.kit.periodic import PeriodicJob

logger = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 1.0
"""Delay of the first run after start: the server answers requests before it."""


class ClosingWork(Protocol):
    """What else ends with a period: returns what it made (new seasons, say)."""

    def __call__(self, session: Session, *, now: datetime, zone: ZoneInfo) -> Sized: ...


class PeriodCloser(PeriodicJob):
    label = "period closer"

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        zone: ZoneInfo,
        every_seconds: float,
        also: Sequence[ClosingWork] = (),
    ) -> None:
        super().__init__(
            every_seconds, logger=logger, first_delay=min(FIRST_RUN_SECONDS, every_seconds)
        )
        self.factory = factory
        self.clock = clock
        self.zone = zone
        self.also = tuple(also)

    def run_once(self) -> int:
        """Decide the periods that have ended, then the further work (after the awards the
        periods made, which a points board counts); returns how many things that made."""
        now = self.clock()
        with unit_of_work(self.factory) as session:
            made = len(close_periods(session, now=now, zone=self.zone))
        for work in self.also:
            with unit_of_work(self.factory) as session:
                made += len(work(session, now=now, zone=self.zone))
        return made

    def ran(self, result: object) -> None:
        if result:
            logger.info("period closer: %s award(s) or season(s) for periods that ended", result)
