"""Audiences read from the database: a group's definition and the facts about members
that its conditions test (the matching itself is pure: plaudit.domain.audience)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.domain.audience import Audience, MemberFacts, in_any, matching_ids
from plaudit.errors import not_found
from plaudit.limits import chunks
from plaudit.models import Group, Member, Team
from plaudit.models.group import group_members, group_teams


def load_audience(session: Session, group_id: int) -> Audience:
    group = session.get(Group, group_id)
    if group is None:
        raise not_found("group", group_id)
    teams = session.scalars(select(group_teams.c.team_id).where(group_teams.c.group_id == group_id))
    members = session.scalars(
        select(group_members.c.member_id).where(group_members.c.group_id == group_id)
    )
    return Audience(
        team_ids=frozenset(teams), member_ids=frozenset(members), conditions=tuple(group.conditions)
    )


def load_audiences(session: Session, group_ids: Sequence[int]) -> list[Audience]:
    return [load_audience(session, g) for g in group_ids]


def member_facts(session: Session, member_ids: Sequence[int] | None = None) -> list[MemberFacts]:
    query = (
        select(Member.id, Member.team_id, Member.role, Team.name, Team.attributes)
        .outerjoin(Team, Team.id == Member.team_id)
        .order_by(Member.id)
    )
    if member_ids is None:
        rows = list(session.execute(query))
    else:
        wanted = sorted(set(member_ids))
        rows = [
            r
            for chunk in chunks(wanted)
            for r in session.execute(query.where(Member.id.in_(chunk)))
        ]
    return [
        MemberFacts(
            member_id=r[0], team_id=r[1], role=r[2], team_name=r[3], team_attributes=r[4] or {}
        )
        for r in rows
    ]


def facts_of(session: Session, member_id: int) -> MemberFacts:
    facts = member_facts(session, [member_id])
    if not facts:
        raise not_found("member", member_id)
    return facts[0]


def group_member_ids(session: Session, group_id: int) -> list[int]:
    return matching_ids(load_audience(session, group_id), member_facts(session))


def member_in_audience(session: Session, group_ids: Sequence[int], member_id: int) -> bool:
    return in_any(load_audiences(session, group_ids), facts_of(session, member_id))
