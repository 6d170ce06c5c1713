"""From running aggregates to awards: which completions are due, inserted exactly once.

The unique indexes on awards make every insert idempotent (ON CONFLICT DO NOTHING): a
completion already earned, a membership already held or a record that has its holder in that
period is skipped by the database itself, whatever runs concurrently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import Category
from plaudit.award.schemas import AwardOrigin
from plaudit.award.slots import holder_slot
from plaudit.db.upsert import insert_for
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.store import ProgressState, SlotState, read_progress_many
from plaudit.group.matching import in_any
from plaudit.group.service import member_facts
from plaudit.models import Award, Member
from plaudit.periods import period_by_key
from plaudit.rules.model import Aggregate, Rule
from plaudit.rules.oracle import repeat_count, rule_met


def current_value(rule: Rule, state: SlotState | None) -> float | None:
    s = state or SlotState()
    match rule.aggregate:
        case Aggregate.COUNT:
            return float(s.matched)
        case Aggregate.SUM:
            return s.total
        case Aggregate.AVG:
            return s.total / s.n_values if s.n_values else None
        case Aggregate.MIN:
            return s.minimum
        case Aggregate.MAX:
            return s.maximum
        case Aggregate.COUNT_DISTINCT:
            return float(s.distinct)
    raise ValueError(f"unknown aggregate {rule.aggregate!r}")


def rule_currents(
    compiled: CompiledAchievement, slots: dict[str, SlotState]
) -> list[list[tuple[Rule, float | None]]]:
    return [
        [(rule, current_value(rule, slots.get(f"{g}.{r}"))) for r, rule in enumerate(group)]
        for g, group in enumerate(compiled.requirements)
    ]


def completions_due(compiled: CompiledAchievement, slots: dict[str, SlotState]) -> int:
    groups = rule_currents(compiled, slots)
    if not groups:
        return 0
    if compiled.repeatable:
        return repeat_count((current, rule.value) for rule, current in groups[0])
    met = any(group and all(rule_met(rule, cur) for rule, cur in group) for group in groups)
    return 1 if met else 0


def _first_rule_score(compiled: CompiledAchievement, slots: dict[str, SlotState]) -> float:
    for group in rule_currents(compiled, slots):
        if all(rule_met(rule, cur) for rule, cur in group):
            return group[0][1] or 0.0
    return 0.0


def award_due(
    session: Session,
    compiled: CompiledAchievement,
    state: ProgressState,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Insert every completion that `state` shows is due; return the ids of new awards."""
    due = {key: n for key, slots in state.items() if (n := completions_due(compiled, slots)) > 0}
    if not due:
        return []
    earned = _earned_completions(session, compiled.id, due.keys())
    eligible = _eligible_members(session, compiled, {m for m, _ in due})
    keys = [k for k in due if due[k] > earned.get(k, 0) and k[0] in eligible]
    if compiled.category == Category.record:
        # One holder per period: when several qualify at once, the best on the first met
        # rule of the batch is preferred (the row order decides which insert wins).
        keys.sort(key=lambda k: (-_first_rule_score(compiled, state[k]), k[0]))
    rows = []
    for member_id, period_key in keys:
        window = period_by_key(period_key, compiled.period, zone)
        for completion in range(
            earned.get((member_id, period_key), 0) + 1, due[(member_id, period_key)] + 1
        ):
            rows.append(
                {
                    "achievement_id": compiled.id,
                    "achievement_version": compiled.version,
                    "member_id": member_id,
                    "points": compiled.points,
                    "awarded_at": now,
                    "period_key": period_key,
                    "period_start": window.start,
                    "period_end": window.end,
                    "completion": completion,
                    "holder_slot": holder_slot(compiled.category, member_id),
                    "origin": AwardOrigin.rule.value,
                    "given_by": "rules",
                    "revoked": False,
                }
            )
    table = Award.__table__
    stmt = insert_for(session, table).on_conflict_do_nothing().returning(table.c.id)
    if compiled.category == Category.record:
        # In preference order, one at a time, so that the first holder wins deterministically.
        found = (session.execute(stmt.values(**row)).scalar_one_or_none() for row in rows)
        return [i for i in found if i is not None]
    new_ids: list[int] = list(session.scalars(stmt, rows)) if rows else []
    return new_ids


def _earned_completions(
    session: Session, achievement_id: int, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    key_list = list(keys)
    members = sorted({m for m, _ in key_list})
    out: dict[tuple[int, str], int] = {}
    for start in range(0, len(members), 500):
        query = (
            select(Award.member_id, Award.period_key, func.max(Award.completion))
            .where(
                Award.achievement_id == achievement_id,
                Award.origin == AwardOrigin.rule.value,
                Award.member_id.in_(members[start : start + 500]),
            )
            .group_by(Award.member_id, Award.period_key)
        )
        for member_id, period_key, completion in session.execute(query):
            out[(member_id, period_key)] = completion or 0
    return out


def _active_members(session: Session, member_ids: set[int]) -> set[int]:
    ids = sorted(member_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(
            session.scalars(
                select(Member.id).where(
                    Member.id.in_(ids[start : start + 500]), Member.active.is_(True)
                )
            )
        )
    return found


def _eligible_members(
    session: Session, compiled: CompiledAchievement, member_ids: set[int]
) -> set[int]:
    """Active members inside the achievement's audience, decided on current data."""
    active = _active_members(session, member_ids)
    if not compiled.audiences or not active:
        return active
    facts = member_facts(session, sorted(active))
    return {f.member_id for f in facts if in_any(compiled.audiences, f)}


def evaluate_touched(
    session: Session,
    achievements: Sequence[CompiledAchievement],
    touched: Iterable[tuple[int, int, str]],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Award what the touched (achievement, member, period) keys now make due."""
    states = read_progress_many(session, {a.id: a.slot_tallies for a in achievements}, touched)
    award_ids: list[int] = []
    for compiled in achievements:
        state = states.get(compiled.id)
        if state:
            award_ids += award_due(session, compiled, state, now=now, zone=zone)
    return award_ids
