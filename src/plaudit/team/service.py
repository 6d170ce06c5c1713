"""Creating, changing and finding teams."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.gate import enter_change
from plaudit.engine.reevaluate import reevaluate_team
from plaudit.errors import Conflict, not_found
from plaudit.models import Team
from plaudit.team.schemas import TeamCreate, TeamUpdate


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise not_found("team", team_id)
    return team


def _ensure_external_id_free(session: Session, external_id: str | None, own_id: int | None) -> None:
    if external_id is None:
        return
    other = session.scalars(select(Team.id).where(Team.external_id == external_id)).first()
    if other is not None and other != own_id:
        raise Conflict(
            detail=f"A team with external_id {external_id!r} already exists (id {other}).",
            field="external_id",
            code="duplicate_external_id",
        )


def create_team(session: Session, data: TeamCreate) -> Team:
    _ensure_external_id_free(session, data.external_id, None)
    team = Team(name=data.name, external_id=data.external_id, attributes=data.attributes)
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, team_id: int, data: TeamUpdate) -> Team:
    team = get_team(session, team_id)
    changes = data.model_dump(exclude_unset=True)
    if "external_id" in changes:
        _ensure_external_id_free(session, changes["external_id"], team.id)
    for name, value in changes.items():
        if name in ("name", "attributes") and value is None:
            continue
        setattr(team, name, value)
    session.flush()
    return team


def list_teams(session: Session) -> Sequence[Team]:
    return session.scalars(select(Team).order_by(Team.id)).all()


def change_team(
    session: Session, team_id: int, data: TeamUpdate, *, now: datetime, zone: ZoneInfo
) -> Team:
    """PATCH /teams/{id} and the team edit page: group conditions read the team's name and
    attributes, so its members may have joined an audience; re-evaluated under the gate."""
    audience_change = bool(data.model_fields_set & {"name", "attributes"})
    if audience_change:
        enter_change(session)
    team = update_team(session, team_id, data)
    if audience_change:
        reevaluate_team(session, team.id, now=now, zone=zone)
    return team
