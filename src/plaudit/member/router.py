"""Member endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from plaudit.errors import Forbidden
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Principal, Role
from plaudit.member import service
from plaudit.member.schemas import MemberCreate, MemberRead, MemberUpdate

router = APIRouter(tags=["members"])


@router.post("/members", status_code=status.HTTP_201_CREATED, dependencies=[allow(Role.admin)])
def create_member(body: MemberCreate, session: SessionDep) -> MemberRead:
    return MemberRead.model_validate(service.create_member(session, body))


@router.get("/members", dependencies=[allow(Role.admin, Role.manager)])
def list_members(session: SessionDep, team_id: PathId | None = None) -> list[MemberRead]:
    return [MemberRead.model_validate(m) for m in service.list_members(session, team_id=team_id)]


@router.get("/members/{member_id}")
def get_member(
    member_id: PathId,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))],
) -> MemberRead:
    if principal.role == Role.member and principal.member_id != member_id:
        raise Forbidden(detail="A member token may only read its own member.")
    return MemberRead.model_validate(service.get_member(session, member_id))


@router.patch("/members/{member_id}", dependencies=[allow(Role.admin)])
def update_member(
    member_id: PathId, body: MemberUpdate, session: SessionDep, now: NowDep, settings: SettingsDep
) -> MemberRead:
    member = service.change_member(session, member_id, body, now=now, zone=settings.zone)
    return MemberRead.model_validate(member)
