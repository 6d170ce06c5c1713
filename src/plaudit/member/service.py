"""Creating, changing and finding members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.gate import enter_change
from plaudit.engine.reevaluate import reevaluate_members
from plaudit.errors import Conflict, not_found
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.models import Member
from plaudit.team.service import get_team


def get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise not_found("member", member_id)
    return member


def find_member_by_external_id(session: Session, external_id: str) -> Member | None:
    return session.scalars(select(Member).where(Member.external_id == external_id)).first()


def _ensure_unique(
    session: Session, column_name: str, value: str | None, own_id: int | None
) -> None:
    if value is None:
        return
    column = getattr(Member, column_name)
    other = session.scalars(select(Member.id).where(column == value)).first()
    if other is not None and other != own_id:
        raise Conflict(
            detail=f"A member with {column_name} {value!r} already exists (id {other}).",
            field=column_name,
            code=f"duplicate_{column_name}",
        )


def create_member(session: Session, data: MemberCreate) -> Member:
    if data.team_id is not None:
        get_team(session, data.team_id)
    _ensure_unique(session, "external_id", data.external_id, None)
    _ensure_unique(session, "email", data.email, None)
    member = Member(**data.model_dump())
    session.add(member)
    session.flush()
    return member


def update_member(session: Session, member_id: int, data: MemberUpdate) -> Member:
    member = get_member(session, member_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("team_id") is not None:
        get_team(session, changes["team_id"])
    for column_name in ("external_id", "email"):
        if column_name in changes:
            _ensure_unique(session, column_name, changes[column_name], member.id)
    for name, value in changes.items():
        if name in ("name", "attributes", "active") and value is None:
            continue
        setattr(member, name, value)
    session.flush()
    return member


def list_members(session: Session, *, team_id: int | None = None) -> Sequence[Member]:
    query = select(Member).order_by(Member.id)
    if team_id is not None:
        get_team(session, team_id)
        query = query.where(Member.team_id == team_id)
    return session.scalars(query).all()


def change_member(
    session: Session, member_id: int, data: MemberUpdate, *, now: datetime, zone: ZoneInfo
) -> Member:
    """PATCH /members/{id} and the member edit page: a new team or role may put the member in
    an audience, and a member made active again may qualify for anything, so the change runs
    under the engine's gate and then awards what their stored progress makes due."""
    audience_change = bool(data.model_fields_set & {"team_id", "role", "active"})
    if audience_change:
        enter_change(session)
    member = update_member(session, member_id, data)
    if audience_change:
        reevaluate_members(session, [member.id], now=now, zone=zone, audiences_only=not data.active)
    return member
