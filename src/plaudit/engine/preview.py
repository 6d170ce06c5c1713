"""Who would qualify for an achievement now, computed from the records; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.award.schemas import AwardOrigin
from plaudit.engine.backfill import progress_from_records
from plaudit.engine.compiled import compile_achievement
from plaudit.engine.evaluate import completions_due
from plaudit.models import Achievement, Award


@dataclass(frozen=True)
class Qualifier:
    member_id: int
    period: str
    completions: int
    already_awarded: int


def preview(session: Session, achievement: Achievement, zone: ZoneInfo) -> list[Qualifier]:
    """Every (member, period) whose records meet the requirements, with completion counts."""
    compiled = compile_achievement(session, achievement)
    state = progress_from_records(session, compiled, zone)
    earned = {
        (m, p): n or 0
        for m, p, n in session.execute(
            select(Award.member_id, Award.period_key, func.max(Award.completion))
            .where(Award.achievement_id == achievement.id, Award.origin == AwardOrigin.rule.value)
            .group_by(Award.member_id, Award.period_key)
        )
    }
    out = [
        Qualifier(member_id=m, period=p, completions=n, already_awarded=earned.get((m, p), 0))
        for (m, p), slots in state.items()
        if (n := completions_due(compiled, slots)) > 0
    ]
    return sorted(out, key=lambda q: (q.period, q.member_id))
