"""Test data for the sources and audit pages: deals records for Ada and Grace, and an active
achievement that sums deal values (so deleting a record visibly changes what counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records

UTC_ZONE = ZoneInfo("UTC")
AT = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
BIG_DEALS = {
    "source": "deals",
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 100,
}


def add_deals(engine: Engine, member_id: int, *values: float, first: int = 1) -> None:
    """Deals d<first>, d<first+1>… of `values`, one hour apart, approved and in EUR."""
    items = [
        RecordIn(
            external_id=f"d{first + i}",
            member_id=member_id,
            occurred_at=AT + timedelta(hours=i),
            data={"status": "Approved", "currency": "EUR", "value": value, "approved": True},
        )
        for i, value in enumerate(values)
    ]
    with unit_of_work(build_sessionmaker(engine)) as session:
        ingest_records(session, "deals", items, now=AT, zone=UTC_ZONE)


def big_dealer(engine: Engine, **overrides: Any) -> int:
    """An active award for deals worth at least 100 in all."""
    body: dict[str, Any] = {
        "key": "big-dealer",
        "name": "Big dealer",
        "category": "award",
        "points": 10,
        "requirements": [[BIG_DEALS]],
    }
    body.update(overrides)
    with unit_of_work(build_sessionmaker(engine)) as session:
        row = create_achievement(
            session, AchievementCreate.model_validate(body), actor=SYSTEM, now=AT, zone=UTC_ZONE
        )
        activate_achievement(session, row.id, actor=SYSTEM, now=AT, zone=UTC_ZONE)
        return row.id
