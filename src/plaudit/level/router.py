"""Level endpoints: the ladder (admins change it; everyone signed in may read it) and the
level a member is at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from plaudit.errors import Forbidden
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Principal, Role
from plaudit.level import service
from plaudit.level.schemas import LevelCreate, LevelRead, LevelUpdate, MemberLevel

router = APIRouter(tags=["levels"])
_readers = allow(Role.admin, Role.manager, Role.member)
Viewer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]


@router.post("/levels", status_code=status.HTTP_201_CREATED, dependencies=[allow(Role.admin)])
def create_level(
    body: LevelCreate, session: SessionDep, now: NowDep, settings: SettingsDep
) -> LevelRead:
    """A new level. Members already past its threshold reach it now (one event each)."""
    level = service.create_level(session, body, now=now, zone=settings.zone)
    return LevelRead.model_validate(level)


@router.get("/levels", dependencies=[_readers])
def list_levels(session: SessionDep) -> list[LevelRead]:
    """Every level, lowest threshold first."""
    return [LevelRead.model_validate(level) for level in service.list_levels(session)]


@router.get("/levels/{level_id}", dependencies=[_readers])
def get_level(level_id: PathId, session: SessionDep) -> LevelRead:
    return LevelRead.model_validate(service.get_level(session, level_id))


@router.patch("/levels/{level_id}", dependencies=[allow(Role.admin)])
def update_level(
    level_id: PathId, body: LevelUpdate, session: SessionDep, now: NowDep, settings: SettingsDep
) -> LevelRead:
    level = service.update_level(session, level_id, body, now=now, zone=settings.zone)
    return LevelRead.model_validate(level)


@router.delete(
    "/levels/{level_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[allow(Role.admin)]
)
def delete_level(level_id: PathId, session: SessionDep) -> Response:
    service.delete_level(session, level_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/members/{member_id}/level")
def member_level(
    member_id: PathId, session: SessionDep, now: NowDep, settings: SettingsDep, caller: Viewer
) -> MemberLevel:
    """The member's level (null below the first), points, the next level and the points
    still missing for it. A member sees only their own."""
    if caller.role == Role.member and caller.member_id != member_id:
        raise Forbidden(detail="A member sees only their own level.")
    return service.member_level(session, member_id, now=now, zone=settings.zone)
