"""Does a member belong to an audience? Evaluated on current data, every time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ConditionOp(StrEnum):
    eq = "eq"
    ne = "ne"
    in_ = "in"
    not_in = "not_in"
    contains = "contains"
    exists = "exists"


_MISSING = object()


@dataclass(frozen=True)
class Audience:
    """A group's definition, detached from the database."""

    team_ids: frozenset[int]
    member_ids: frozenset[int]
    conditions: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class MemberFacts:
    member_id: int
    team_id: int | None
    role: str | None
    team_name: str | None
    team_attributes: Mapping[str, Any]


def _lookup(facts: MemberFacts, attribute: str) -> Any:
    if attribute == "team.name":
        return facts.team_name if facts.team_name is not None else _MISSING
    if attribute == "member.role":
        return facts.role if facts.role is not None else _MISSING
    name = attribute.removeprefix("team.attributes.")
    return facts.team_attributes.get(name, _MISSING)


def _norm(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def condition_holds(condition: Mapping[str, Any], facts: MemberFacts) -> bool:
    op = ConditionOp(condition.get("op", "eq"))
    expected = condition.get("value")
    actual = _lookup(facts, condition["attribute"])
    if op == ConditionOp.exists:
        return (actual is not _MISSING) == bool(expected)
    if actual is _MISSING:
        return op in (ConditionOp.ne, ConditionOp.not_in)
    # Names and roles are typed by people: compare text without regard to case.
    if op == ConditionOp.eq:
        return bool(_norm(actual) == _norm(expected))
    if op == ConditionOp.ne:
        return bool(_norm(actual) != _norm(expected))
    if op == ConditionOp.in_:
        return _norm(actual) in {_norm(v) for v in expected or ()}
    if op == ConditionOp.not_in:
        return _norm(actual) not in {_norm(v) for v in expected or ()}
    return isinstance(actual, str) and str(expected).casefold() in actual.casefold()


def admits_by_team_and_role(audience: Audience, facts: MemberFacts) -> bool:
    """Whether the audience admits a member for their team and role alone (listed teams and
    conditions), whoever the member is. Conditions read only team and role, so reports decide
    this once per (team, role) class of members instead of once per member."""
    if facts.team_id is not None and facts.team_id in audience.team_ids:
        return True
    return bool(audience.conditions) and all(condition_holds(c, facts) for c in audience.conditions)


def in_audience(audience: Audience, facts: MemberFacts) -> bool:
    """Listed members, members of listed teams, and members meeting every condition."""
    return facts.member_id in audience.member_ids or admits_by_team_and_role(audience, facts)


def in_any(audiences: Sequence[Audience], facts: MemberFacts) -> bool:
    """An empty list of audiences means everyone."""
    return not audiences or any(in_audience(a, facts) for a in audiences)


def matching_ids(audience: Audience, people: Iterable[MemberFacts]) -> list[int]:
    return [f.member_id for f in people if in_audience(audience, f)]
