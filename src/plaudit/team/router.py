"""Team endpoints."""

from __future__ import annotations

from fastapi import APIRouter, status

from plaudit.http.deps import NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Role
from plaudit.team import service
from plaudit.team.schemas import TeamCreate, TeamRead, TeamUpdate

router = APIRouter(tags=["teams"])


@router.post("/teams", status_code=status.HTTP_201_CREATED, dependencies=[allow(Role.admin)])
def create_team(body: TeamCreate, session: SessionDep) -> TeamRead:
    return TeamRead.model_validate(service.create_team(session, body))


@router.get("/teams", dependencies=[allow(Role.admin, Role.manager)])
def list_teams(session: SessionDep) -> list[TeamRead]:
    return [TeamRead.model_validate(t) for t in service.list_teams(session)]


@router.get("/teams/{team_id}", dependencies=[allow(Role.admin, Role.manager)])
def get_team(team_id: PathId, session: SessionDep) -> TeamRead:
    return TeamRead.model_validate(service.get_team(session, team_id))


@router.patch("/teams/{team_id}", dependencies=[allow(Role.admin)])
def update_team(
    team_id: PathId, body: TeamUpdate, session: SessionDep, now: NowDep, settings: SettingsDep
) -> TeamRead:
    team = service.change_team(session, team_id, body, now=now, zone=settings.zone)
    return TeamRead.model_validate(team)
