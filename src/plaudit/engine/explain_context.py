"""The parts of an explanation beside the rules: the audience, group by group and condition by
condition, and the category's state in the period (who holds the record, whether the
membership is already held, how many completions are in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.domain.audience import MemberFacts, condition_holds, in_audience
from plaudit.domain.categories import Category
from plaudit.engine.audiences import load_audience
from plaudit.models import Award, Group, Member
from plaudit.periods import PeriodWindow


@dataclass
class ConditionCheck:
    attribute: str
    op: str
    value: Any
    actual: Any
    holds: bool


@dataclass
class GroupCheck:
    id: int
    name: str
    matched: bool
    member_listed: bool
    team_listed: bool
    conditions: list[ConditionCheck]
    why: str


@dataclass
class AudienceCheck:
    everyone: bool
    in_audience: bool
    groups: list[GroupCheck] = field(default_factory=list)


@dataclass
class CategoryState:
    category: str
    repeatable: bool
    awards_this_period: int
    held: bool
    holder: int | None
    holder_name: str | None
    can_earn_more: bool
    note: str


def _actual(facts: MemberFacts, attribute: str) -> Any:
    if attribute == "team.name":
        return facts.team_name
    if attribute == "member.role":
        return facts.role
    return facts.team_attributes.get(attribute.removeprefix("team.attributes."))


def check_audience(session: Session, group_ids: Sequence[int], facts: MemberFacts) -> AudienceCheck:
    """Whether the member is in the audience, and for each group why or why not."""
    if not group_ids:
        return AudienceCheck(everyone=True, in_audience=True)
    names = {
        row[0]: row[1]
        for row in session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids)))
    }
    checks = []
    for group_id in group_ids:
        audience = load_audience(session, group_id)
        conditions = [
            ConditionCheck(
                attribute=str(c.get("attribute")),
                op=str(c.get("op", "eq")),
                value=c.get("value"),
                actual=_actual(facts, str(c.get("attribute"))),
                holds=condition_holds(c, facts),
            )
            for c in audience.conditions
        ]
        member_listed = facts.member_id in audience.member_ids
        team_listed = facts.team_id is not None and facts.team_id in audience.team_ids
        matched = in_audience(audience, facts)
        checks.append(
            GroupCheck(
                id=group_id,
                name=names.get(group_id, ""),
                matched=matched,
                member_listed=member_listed,
                team_listed=team_listed,
                conditions=conditions,
                why=_why(matched, member_listed, team_listed, conditions, audience.team_ids),
            )
        )
    return AudienceCheck(everyone=False, in_audience=any(c.matched for c in checks), groups=checks)


def _why(
    matched: bool,
    member_listed: bool,
    team_listed: bool,
    conditions: list[ConditionCheck],
    team_ids: frozenset[int],
) -> str:
    if member_listed:
        return "the member is listed in the group"
    if team_listed:
        return "the member's team is listed in the group"
    if matched:
        return "the member meets every condition of the group"
    failing = [
        f"{c.attribute} {c.op} {c.value!r} (it is {c.actual!r})" for c in conditions if not c.holds
    ]
    parts = ["the member is not listed"]
    if team_ids:
        parts.append("their team is not listed")
    if failing:
        parts.append("conditions not met: " + "; ".join(failing))
    elif not conditions:
        parts.append("the group has no conditions")
    return ", ".join(parts)


def category_state(
    session: Session,
    category: Category,
    repeatable: bool,
    member_id: int,
    window: PeriodWindow,
    awards: Sequence[Award],
    holder: int | None,
    due: int,
) -> CategoryState:
    """What the category allows in this period, given the awards already in it."""
    held = [a for a in awards if not a.revoked]
    by_rules = [a for a in held if a.completion is not None]
    holder_name = session.scalar(select(Member.name).where(Member.id == holder)) if holder else None
    until = f" until {window.end.isoformat()}" if window.end else ""
    if category is Category.record:
        can_earn = holder is None
        if holder is None:
            note = "nobody holds this record in the period yet: the first to qualify gets it"
        elif holder == member_id:
            note = f"this member holds the record for the period{until}"
        else:
            note = (
                f"the record is held by {holder_name} (member {holder}) for the period{until}: "
                "nobody else can earn it in this period"
            )
    elif category is Category.membership:
        can_earn = not held
        note = (
            f"this member already holds it for the period{until}: at most once per period"
            if held
            else "not held in this period: a member holds it at most once per period"
        )
    elif repeatable:
        can_earn = True
        note = (
            f"{len(by_rules)} completion(s) awarded in this period; the requirements are met "
            f"{due} time(s) over"
        )
    else:
        can_earn = not by_rules
        note = (
            "completed in this period: a non-repeatable achievement is completed once per period"
            if by_rules
            else "not completed in this period"
        )
    return CategoryState(
        category=category.value,
        repeatable=repeatable,
        awards_this_period=len(held),
        held=bool(held),
        holder=holder,
        holder_name=holder_name,
        can_earn_more=can_earn,
        note=note,
    )
