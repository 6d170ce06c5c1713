"""Why a member has or has not earned an achievement, rule by rule, recomputed from the
member's records with the plain-Python rule semantics (independent of running aggregates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.compiled import compile_achievement
from plaudit.group.matching import in_any
from plaudit.group.service import facts_of
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
    current: float | None
    target: float
    met: bool
    times_reached: int | None
    matching_records: int
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Explanation:
    achievement_id: int
    member_id: int
    active: bool
    category: str
    period: dict[str, Any]
    window: dict[str, Any]
    in_audience: bool
    member_active: bool
    rules: list[RuleExplanation]
    groups_met: list[bool]
    complete: bool
    completions_due: int
    awards: list[dict[str, Any]]
    holder: int | None
    reasons: list[str]


def explain(
    session: Session, achievement: Achievement, member_id: int, *, now: datetime, zone: ZoneInfo
) -> Explanation:
    compiled = compile_achievement(session, achievement)
    facts = facts_of(session, member_id)
    window = period_containing(now, compiled.period, zone)
    in_audience = not compiled.audiences or in_any(compiled.audiences, facts)
    results: list[RuleExplanation] = []
    groups_met: list[bool] = []
    for g, group in enumerate(compiled.requirements):
        met_all = True
        for r, rule in enumerate(group):
            fields = compiled.fields.get(rule.source, {})
            records = _member_records(
                session, rule.source, member_id, compiled, window.start, window.end
            )
            matching = [
                rec
                for rec in records
                if all(matches(f, fields.get(f.field), rec.data) for f in rule.where)
            ]
            current = aggregate(rule, fields, [rec.data for rec in matching])
            met = rule_met(rule, current)
            met_all = met_all and met
            results.append(
                RuleExplanation(
                    group=g,
                    rule=r,
                    definition=rule.model_dump(mode="json", exclude_defaults=True),
                    current=current,
                    target=rule.value,
                    met=met,
                    times_reached=times_reached(current, rule.value)
                    if compiled.repeatable
                    else None,
                    matching_records=len(matching),
                    records=[
                        {
                            "id": rec.id,
                            "external_id": rec.external_id,
                            "occurred_at": rec.occurred_at.isoformat(),
                            "data": rec.data,
                        }
                        for rec in matching[:MAX_LISTED_RECORDS]
                    ],
                )
            )
        groups_met.append(bool(group) and met_all)
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
    member_active = _member_active(session, member_id)
    reasons = _reasons(
        achievement,
        in_audience,
        member_active,
        compiled.in_window(now),
        complete,
        holder,
        member_id,
        compiled.requirements == [],
    )
    return Explanation(
        achievement_id=achievement.id,
        member_id=member_id,
        active=achievement.active,
        category=compiled.category.value,
        period={
            "period": compiled.period.value,
            "key": window.key,
            "start": window.start.isoformat() if window.start else None,
            "end": window.end.isoformat() if window.end else None,
        },
        window={
            "from": compiled.effective_from.isoformat() if compiled.effective_from else None,
            "until": (compiled.effective_until.isoformat() if compiled.effective_until else None),
            "open_now": compiled.in_window(now),
        },
        in_audience=in_audience,
        member_active=member_active,
        rules=results,
        groups_met=groups_met,
        complete=complete,
        completions_due=due,
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


def _member_records(
    session: Session,
    source_key: str,
    member_id: int,
    compiled: Any,
    start: datetime | None,
    end: datetime | None,
) -> list[Record]:
    query = (
        select(Record)
        .join(Source, Source.id == Record.source_id)
        .where(Source.key == source_key, Record.member_id == member_id)
        .order_by(Record.occurred_at, Record.id)
    )
    for bound, low in (
        (compiled.effective_from, True),
        (start, True),
        (compiled.effective_until, False),
        (end, False),
    ):
        if bound is not None:
            query = query.where(Record.occurred_at >= bound if low else Record.occurred_at < bound)
    return list(session.scalars(query))


def _member_active(session: Session, member_id: int) -> bool:
    member = session.get(Member, member_id)
    return bool(member and member.active)


def _reasons(
    achievement: Achievement,
    in_audience: bool,
    member_active: bool,
    open_now: bool,
    complete: bool,
    holder: int | None,
    member_id: int,
    manual_only: bool,
) -> list[str]:
    reasons = []
    if not achievement.active:
        reasons.append("the achievement is inactive: records are not evaluated for it")
    if manual_only:
        reasons.append("the achievement has no requirements: it is only given manually")
    if not in_audience:
        reasons.append("the member is outside the achievement's audience")
    if not member_active:
        reasons.append("the member is inactive")
    if not open_now:
        reasons.append("now is outside the achievement's effective window")
    if holder is not None and holder != member_id:
        reasons.append(f"this period's record is already held by member {holder}")
    if not complete and not manual_only:
        reasons.append("the requirements are not met yet (see rules)")
    return reasons
