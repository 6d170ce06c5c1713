"""GET /leaderboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plaudit.http.deps import NowDep, SessionDep, SettingsDep, allow
from plaudit.kit.roles import Role
from plaudit.leaderboard.schemas import Leaderboard, LeaderboardQuery
from plaudit.leaderboard.service import leaderboard

router = APIRouter(tags=["leaderboard"])


@router.get("/leaderboard", dependencies=[allow(Role.admin, Role.manager, Role.member)])
def get_leaderboard(
    q: Annotated[LeaderboardQuery, Query()], session: SessionDep, now: NowDep, settings: SettingsDep
) -> Leaderboard:
    return leaderboard(session, q, now=now, zone=settings.zone)
