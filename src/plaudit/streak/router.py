"""Streak definitions (/streaks, edited by admins) and a member's streaks
(GET /members/{id}/streaks: staff, or the member themselves)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from plaudit.errors import Forbidden
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.kit.schemas import Id
from plaudit.streak import service
from plaudit.streak.schemas import MemberStreak, StreakCreate, StreakRead, StreakUpdate

router = APIRouter(tags=["streaks"])
Admin = Annotated[Principal, Depends(Allow(Role.admin))]
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Viewer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]
StreakId = Annotated[Id, Path()]
MemberId = Annotated[Id, Path()]


@router.get("/streaks")
def list_streaks(session: SessionDep, viewer: Staff) -> list[StreakRead]:
    return [service.read_streak(s) for s in service.list_streaks(session)]


@router.post("/streaks", status_code=status.HTTP_201_CREATED)
def create_streak(body: StreakCreate, session: SessionDep, actor: Admin, now: NowDep) -> StreakRead:
    return service.read_streak(service.create_streak(session, body, actor=actor, now=now))


@router.get("/streaks/{streak_id}")
def get_streak(streak_id: StreakId, session: SessionDep, viewer: Staff) -> StreakRead:
    return service.read_streak(service.get_streak(session, streak_id))


@router.patch("/streaks/{streak_id}")
def update_streak(
    streak_id: StreakId, body: StreakUpdate, session: SessionDep, actor: Admin, now: NowDep
) -> StreakRead:
    return service.read_streak(
        service.update_streak(session, streak_id, body, actor=actor, now=now)
    )


@router.delete("/streaks/{streak_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_streak(streak_id: StreakId, session: SessionDep, actor: Admin, now: NowDep) -> Response:
    service.delete_streak(session, streak_id, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/members/{member_id}/streaks")
def member_streaks(
    member_id: MemberId,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    viewer: Viewer,
) -> list[MemberStreak]:
    """Every streak's current and longest run for the member, as of now (computed from the
    member's records, so late records count at once)."""
    if viewer.role == Role.member and viewer.member_id != member_id:
        raise Forbidden(detail="A member sees only their own streaks.")
    return service.member_streaks(session, member_id, now=now, zone=settings.zone)
