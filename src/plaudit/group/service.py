"""Creating groups, and resolving who is in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from plaudit.domain.audience import Audience, matching_ids
from plaudit.engine.audiences import load_audience, member_facts
from plaudit.engine.gate import enter_change
from plaudit.engine.generation import bump_generation
from plaudit.engine.reevaluate import audience_members, reevaluate_group
from plaudit.errors import Conflict, InvalidInput, not_found
from plaudit.group.schemas import GroupCreate, GroupPreview, GroupRead, GroupUpdate
from plaudit.limits import chunks
from plaudit.models import Achievement, Group, Member, Team
from plaudit.models.group import group_members, group_teams


def get_group(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise not_found("group", group_id)
    return group


def _check_ids(
    session: Session, model: type[Team] | type[Member], ids: list[int], field: str
) -> None:
    if not ids:
        return
    wanted = sorted(set(ids))
    found = {
        found_id
        for chunk in chunks(wanted)
        for found_id in session.scalars(select(model.id).where(model.id.in_(chunk)))
    }
    missing = sorted(set(ids) - found)
    if missing:
        kind = "team" if model is Team else "member"
        raise InvalidInput(detail=f"Unknown {kind} ids in {field}: {missing}", field=field)


def _set_lists(
    session: Session, group_id: int, team_ids: list[int] | None, member_ids: list[int] | None
) -> None:
    if team_ids is not None:
        _check_ids(session, Team, team_ids, "team_ids")
        session.execute(delete(group_teams).where(group_teams.c.group_id == group_id))
        if team_ids:
            session.execute(
                insert(group_teams),
                [{"group_id": group_id, "team_id": t} for t in sorted(set(team_ids))],
            )
    if member_ids is not None:
        _check_ids(session, Member, member_ids, "member_ids")
        session.execute(delete(group_members).where(group_members.c.group_id == group_id))
        if member_ids:
            session.execute(
                insert(group_members),
                [{"group_id": group_id, "member_id": m} for m in sorted(set(member_ids))],
            )


def create_group(session: Session, data: GroupCreate) -> Group:
    enter_change(session)
    group = Group(name=data.name, conditions=[c.model_dump(mode="json") for c in data.conditions])
    session.add(group)
    session.flush()
    _set_lists(session, group.id, data.team_ids, data.member_ids)
    bump_generation(session)
    return group


def update_group(session: Session, group_id: int, data: GroupUpdate) -> Group:
    enter_change(session)
    group = get_group(session, group_id)
    if data.name is not None:
        group.name = data.name
    if data.conditions is not None:
        group.conditions = [c.model_dump(mode="json") for c in data.conditions]
    _set_lists(session, group.id, data.team_ids, data.member_ids)
    bump_generation(session)
    session.flush()
    return group


def delete_group(session: Session, group_id: int) -> None:
    enter_change(session)
    group = get_group(session, group_id)
    users = [
        a.key
        for a in session.scalars(select(Achievement).where(Achievement.deleted_at.is_(None)))
        if group_id in (a.audience or [])
    ]
    if users:
        raise Conflict(
            detail=f"Group {group_id} is the audience of achievements {users}; "
            "remove it from them first.",
            code="group_in_use",
        )
    session.delete(group)
    bump_generation(session)
    session.flush()


def read_group(session: Session, group: Group) -> GroupRead:
    audience = load_audience(session, group.id)
    return GroupRead(
        id=group.id,
        name=group.name,
        team_ids=sorted(audience.team_ids),
        member_ids=sorted(audience.member_ids),
        conditions=list(group.conditions),
        created_at=group.created_at,
    )


def list_groups(session: Session) -> list[GroupRead]:
    return [read_group(session, g) for g in session.scalars(select(Group).order_by(Group.id))]


def preview_members(session: Session, data: GroupPreview) -> list[int]:
    _check_ids(session, Team, data.team_ids, "team_ids")
    _check_ids(session, Member, data.member_ids, "member_ids")
    audience = Audience(
        team_ids=frozenset(data.team_ids),
        member_ids=frozenset(data.member_ids),
        conditions=tuple(c.model_dump(mode="json") for c in data.conditions),
    )
    return matching_ids(audience, member_facts(session))


def change_group(
    session: Session, group_id: int, data: GroupUpdate, *, now: datetime, zone: ZoneInfo
) -> Group:
    """PATCH /groups/{id} and the group edit page: who is inside is read under the gate before
    the change (no ingest runs in between), then those the group admits now get what their
    stored progress makes due."""
    audience_change = bool(data.model_fields_set & {"team_ids", "member_ids", "conditions"})
    before = None
    if audience_change:
        enter_change(session)
        before = audience_members(session, group_id, zone)
    group = update_group(session, group_id, data)
    if audience_change:
        reevaluate_group(session, group.id, before, now=now, zone=zone)
    return group
