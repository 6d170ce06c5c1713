"""What activation and deactivation mean to the engine."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.engine.backfill import backfill
from plaudit.engine.closing import mark_decided
from plaudit.engine.compiled import compile_achievement, index_sources, unindex_sources
from plaudit.engine.generation import bump_generation
from plaudit.engine.tally_store import release
from plaudit.models import Achievement


def on_activate(
    session: Session, achievement: Achievement, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Index the achievement's sources, attach it to its tallies (building the ones it shares
    with no active achievement) and award who qualifies; return new award ids. The backfill
    decides every period already over, so the period closer starts from `now`."""
    index_sources(session, achievement)
    bump_generation(session)
    award_ids = backfill(session, compile_achievement(session, achievement), now=now, zone=zone)
    mark_decided(session, achievement.id, now)
    return award_ids


def on_deactivate(session: Session, achievement_id: int) -> None:
    """Stop following records; tallies no other active achievement uses are dropped, and
    rebuilt from the records on reactivation."""
    unindex_sources(session, achievement_id)
    release(session, achievement_id)
    bump_generation(session)
