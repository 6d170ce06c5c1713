"""Who would qualify for an achievement now, computed from the records; writes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.domain.categories import Category, holder_slot
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.backfill import progress_from_records
from plaudit.engine.compiled import CompiledAchievement, compile_achievement
from plaudit.engine.evaluate import due_completions, eligible_members, first_rule_score
from plaudit.engine.store import ProgressState
from plaudit.models import Achievement, Award


@dataclass(frozen=True)
class Qualifier:
    """A (member, period) the records qualify, with the completions they make, how many are
    awarded already, and how many activation (or the next record) would award: none for an
    inactive member or a category slot already taken; for a record, only the period's best."""

    member_id: int
    period: str
    completions: int
    already_awarded: int
    new_awards: int


def preview(
    session: Session, achievement: Achievement, *, now: datetime, zone: ZoneInfo
) -> list[Qualifier]:
    """Every (member, period) whose records meet the requirements at `now`, with completion
    counts (an upper-bound rule counts only in periods that are over: ``engine.evaluate``)."""
    compiled = compile_achievement(session, achievement)
    state = progress_from_records(session, compiled, zone)
    due, closed = due_completions(compiled, state, now=now, zone=zone)
    earned = {
        (m, p): n or 0
        for m, p, n in session.execute(
            select(Award.member_id, Award.period_key, func.max(Award.completion))
            .where(Award.achievement_id == achievement.id, Award.origin == AwardOrigin.rule.value)
            .group_by(Award.member_id, Award.period_key)
        )
    }
    new = _new_awards(session, compiled, state, due, earned, closed)
    out = [
        Qualifier(
            member_id=m,
            period=p,
            completions=n,
            already_awarded=earned.get((m, p), 0),
            new_awards=new.get((m, p), 0),
        )
        for (m, p), n in due.items()
    ]
    return sorted(out, key=lambda q: (q.period, q.member_id))


def _new_awards(
    session: Session,
    compiled: CompiledAchievement,
    state: ProgressState,
    due: dict[tuple[int, str], int],
    earned: dict[tuple[int, str], int],
    closed: dict[str, bool],
) -> dict[tuple[int, str], int]:
    """What awarding `due` would write, under the same rules as ``evaluate.award_due``."""
    eligible = eligible_members(session, compiled, {m for m, _ in due})
    missing = {
        key: n - earned.get(key, 0)
        for key, n in due.items()
        if key[0] in eligible and n > earned.get(key, 0)
    }
    if compiled.category is Category.award:
        return missing
    taken = {
        (period_key, slot)
        for period_key, slot in session.execute(
            select(Award.period_key, Award.holder_slot).where(
                Award.achievement_id == compiled.id,
                Award.revoked.is_(False),
                Award.holder_slot.is_not(None),
            )
        )
    }
    free = [(m, p) for m, p in missing if (p, holder_slot(compiled.category, m)) not in taken]
    if compiled.category is Category.membership:
        return dict.fromkeys(free, 1)
    # Record: one holder per period, the best on the first met rule (ties: lower member id).
    by_period: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key in free:
        by_period[key[1]].append(key)
    return {
        min(
            keys, key=lambda k: (-first_rule_score(compiled, state[k], closed=closed[k[1]]), k[0])
        ): 1
        for keys in by_period.values()
    }
