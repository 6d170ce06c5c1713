"""Why a member has or has not earned an achievement, rule by rule, recomputed from the
member's records with the plain-Python rule semantics (independent of running aggregates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.audiences import facts_of
from plaudit.engine.compiled import compile_achievement
from plaudit.engine.explain_context import (
    AudienceCheck,
    CategoryState,
    category_state,
    check_audience,
)
from plaudit.models import Achievement, Award, Member, Record, Source
from plaudit.periods import period_containing
from plaudit.rules.oracle import aggregate, rule_met, times_reached
from plaudit.rules.values import matches

MAX_LISTED_RECORDS = 50


@dataclass
class RuleExplanation:
    group: int
    rule: int
    definition: dict[str, Any]
    source: str
    aggregate: str
    operator: str
    current: float | None
    target: float
    met: bool
    times_reached: int | None
    matching_records: int
    matching_outside_window: int
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Explanation:
    achievement_id: int
    member_id: int
    at: str
    active: bool
    category: str
    period: dict[str, Any]
    window: dict[str, Any]
    in_audience: bool
    audience: AudienceCheck
    member_active: bool
    rules: list[RuleExplanation]
    groups_met: list[bool]
    groups_waiting: list[bool]
    """per group: met by the records so far, but it has an upper bound and the period is not
    over yet (decided at `decided_at`)"""
    decided_at: str | None
    """when the period's upper-bound rules are decided; null if the achievement has none"""
    complete: bool
    completions_due: int
    category_state: CategoryState
    awards: list[dict[str, Any]]
    holder: int | None
    reasons: list[str]
    missing_prerequisites: list[dict[str, Any]] = field(default_factory=list)
    """the prerequisites the member does not hold yet ({id, name}): a rule awards nothing
    until they do"""


def explain(
    session: Session,
    achievement: Achievement,
    member_id: int,
    *,
    now: datetime,
    zone: ZoneInfo,
    at: datetime | None = None,
) -> Explanation:
    """Explain the period containing `at` (default: now). Rules count the member's records
    inside both that period and the effective window, as the engine does."""
    at = at or now
    compiled = compile_achievement(session, achievement)
    facts = facts_of(session, member_id)
    window = period_containing(at, compiled.period, zone)
    audience = check_audience(session, achievement.audience or [], facts)
    counted_from = max((b for b in (compiled.effective_from, window.start) if b), default=None)
    counted_until = min((b for b in (compiled.effective_until, window.end) if b), default=None)
    results: list[RuleExplanation] = []
    groups_met: list[bool] = []
    for g, group in enumerate(compiled.requirements):
        met_all = True
        for r, rule in enumerate(group):
            fields = compiled.fields.get(rule.source, {})
            matching = [
                rec
                for rec in _member_records(session, rule.source, member_id)
                if all(matches(f, fields.get(f.field), rec.data) for f in rule.where)
            ]
            counted = [
                rec
                for rec in matching
                if (counted_from is None or rec.occurred_at >= counted_from)
                and (counted_until is None or rec.occurred_at < counted_until)
            ]
            current = aggregate(rule, fields, [rec.data for rec in counted])
            met = rule_met(rule, current)
            met_all = met_all and met
            results.append(
                RuleExplanation(
                    group=g,
                    rule=r,
                    definition=rule.model_dump(mode="json", exclude_defaults=True),
                    source=rule.source,
                    aggregate=rule.aggregate.value,
                    operator=rule.operator.value,
                    current=current,
                    target=rule.value,
                    met=met,
                    times_reached=times_reached(current, rule.value)
                    if compiled.repeatable
                    else None,
                    matching_records=len(counted),
                    matching_outside_window=len(matching) - len(counted),
                    records=[
                        {
                            "id": rec.id,
                            "external_id": rec.external_id,
                            "occurred_at": rec.occurred_at.isoformat(),
                            "data": rec.data,
                        }
                        for rec in counted[:MAX_LISTED_RECORDS]
                    ],
                )
            )
        groups_met.append(bool(group) and met_all)
    closing = compiled.decided_at(window.key, zone)
    closed = compiled.is_closed(window.key, now, zone)
    groups_waiting = [
        met and waits and not closed
        for met, waits in zip(groups_met, compiled.deferred, strict=True)
    ]
    groups_met = [
        met and not waiting for met, waiting in zip(groups_met, groups_waiting, strict=True)
    ]
    complete = any(groups_met)
    due = (
        min((x.times_reached or 0) for x in results)
        if compiled.repeatable and results
        else int(complete)
    )
    awards = session.scalars(
        select(Award)
        .where(
            Award.achievement_id == achievement.id,
            Award.member_id == member_id,
            Award.period_key == window.key,
        )
        .order_by(Award.id)
    ).all()
    holder = None
    if compiled.category.value == "record":
        holder = session.scalars(
            select(Award.member_id).where(
                Award.achievement_id == achievement.id,
                Award.period_key == window.key,
                Award.revoked.is_(False),
            )
        ).first()
    state = category_state(
        session, compiled.category, compiled.repeatable, member_id, window, awards, holder, due
    )
    member_active = _member_active(session, member_id)
    open_at = compiled.in_window(at)
    window_state = (
        "always"
        if compiled.effective_from is None and compiled.effective_until is None
        else "open"
        if open_at
        else "not_open_yet"
        if compiled.effective_from is not None and at < compiled.effective_from
        else "closed"
    )
    reasons = _reasons(
        achievement,
        audience,
        member_active,
        window_state,
        compiled.effective_from,
        compiled.effective_until,
        complete,
        state,
        member_id,
        compiled.requirements == [],
        closing if any(groups_waiting) else None,
    )
    missing = _missing_prerequisites(session, achievement, member_id)
    if missing:
        names = ", ".join(f"“{m['name']}”" for m in missing)
        reasons.insert(0, f"the member does not hold the prerequisite {names} yet")
    return Explanation(
        missing_prerequisites=missing,
        achievement_id=achievement.id,
        member_id=member_id,
        at=at.isoformat(),
        active=achievement.active,
        category=compiled.category.value,
        period={
            "period": compiled.period.value,
            "key": window.key,
            "start": window.start.isoformat() if window.start else None,
            "end": window.end.isoformat() if window.end else None,
            "current": window.contains(now),
        },
        window={
            "from": compiled.effective_from.isoformat() if compiled.effective_from else None,
            "until": (compiled.effective_until.isoformat() if compiled.effective_until else None),
            "state": window_state,
            "open_at": open_at,
            "open_now": compiled.in_window(now),
            "counted_from": counted_from.isoformat() if counted_from else None,
            "counted_until": counted_until.isoformat() if counted_until else None,
        },
        in_audience=audience.in_audience,
        audience=audience,
        member_active=member_active,
        rules=results,
        groups_met=groups_met,
        groups_waiting=groups_waiting,
        decided_at=closing.isoformat() if closing else None,
        complete=complete,
        completions_due=due,
        category_state=state,
        awards=[
            {
                "id": a.id,
                "completion": a.completion,
                "source": a.origin,
                "revoked": a.revoked,
                "awarded_at": a.awarded_at.isoformat(),
            }
            for a in awards
        ],
        holder=holder,
        reasons=reasons,
    )


def _member_records(session: Session, source_key: str, member_id: int) -> list[Record]:
    """All the member's records of a source: those outside the period or window are counted
    apart, so that the explanation can say that they exist and do not count."""
    query = (
        select(Record)
        .join(Source, Source.id == Record.source_id)
        .where(Source.key == source_key, Record.member_id == member_id)
        .order_by(Record.occurred_at, Record.id)
    )
    return list(session.scalars(query))


def _missing_prerequisites(
    session: Session, achievement: Achievement, member_id: int
) -> list[dict[str, Any]]:
    wanted = list(achievement.prerequisites or [])
    if not wanted:
        return []
    held = set(
        session.scalars(
            select(Award.achievement_id).where(
                Award.member_id == member_id,
                Award.achievement_id.in_(wanted),
                Award.revoked.is_(False),
            )
        )
    )
    names = {
        a: n
        for a, n in session.execute(
            select(Achievement.id, Achievement.name).where(Achievement.id.in_(wanted))
        )
    }
    return [{"id": a, "name": names.get(a, str(a))} for a in wanted if a not in held]


def _member_active(session: Session, member_id: int) -> bool:
    member = session.get(Member, member_id)
    return bool(member and member.active)


def _reasons(
    achievement: Achievement,
    audience: AudienceCheck,
    member_active: bool,
    window_state: str,
    effective_from: datetime | None,
    effective_until: datetime | None,
    complete: bool,
    state: CategoryState,
    member_id: int,
    manual_only: bool,
    waiting_until: datetime | None,
) -> list[str]:
    reasons = []
    if not achievement.active:
        reasons.append("the achievement is inactive: records are not evaluated for it")
    if manual_only:
        reasons.append("the achievement has no requirements: it is only given manually")
    if not audience.in_audience:
        names = ", ".join(g.name or str(g.id) for g in audience.groups)
        reasons.append(f"the member is outside the achievement's audience (groups: {names})")
    if not member_active:
        reasons.append("the member is inactive")
    if window_state == "not_open_yet" and effective_from is not None:
        reasons.append(
            f"the effective window opens at {effective_from.isoformat()}: nothing is earned "
            "before it"
        )
    if window_state == "closed" and effective_until is not None:
        reasons.append(
            f"the effective window closed at {effective_until.isoformat()}: records after it "
            "do not count"
        )
    if state.holder is not None and state.holder != member_id:
        reasons.append(f"this period's record is already held by {state.holder_name}")
    if state.category == "membership" and state.held:
        reasons.append("the member already holds this membership for the period")
    if waiting_until is not None and not complete:
        reasons.append(
            "the requirements are met so far, but they include an upper bound (at most, less "
            "than, exactly) that more records could still break: they are decided when the "
            f"period ends, at {waiting_until.isoformat()}"
        )
    elif not complete and not manual_only:
        reasons.append("the requirements are not met yet (see rules)")
    return reasons
