"""Streaks for the pages: a weekly and a daily streak, a holiday, and a member's deals in
the last weeks (on the given clock), made through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from plaudit.calendar.service import add_holiday
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.streak.schemas import StreakCreate
from plaudit.streak.service import create_streak
from tests.web.portal_data import deals

ONE_DEAL = {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}


def streaks(engine: Engine, member_id: int, now: datetime) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        for body in (
            {
                "name": "A deal a week",
                "rule": ONE_DEAL,
                "period": "week",
                "target": 4,
                "freezes": 1,
            },
            {"name": "Daily deal", "rule": ONE_DEAL, "period": "day", "target": 5},
        ):
            create_streak(session, StreakCreate.model_validate(body), actor=SYSTEM, now=now)
        add_holiday(session, date(now.year, 12, 25), "Christmas Day", actor=SYSTEM, now=now)
    for weeks in (0, 1, 3, 4):
        deals(engine, member_id, 100.0, status="Approved", at=now - timedelta(weeks=weeks))
