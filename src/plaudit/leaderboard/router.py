"""GET /leaderboard, the saved boards under /leaderboard/boards and the TV playlists under
/tv/playlists and the seasons under /leaderboard/seasons (the routes of
plaudit.leaderboard.board, .playlist and .season, included here so that
every leaderboard path is mounted in one place)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.board.router import router as board_router
from plaudit.leaderboard.board.service import refuse_member_measure, show_leaderboard
from plaudit.leaderboard.playlist.router import router as playlist_router
from plaudit.leaderboard.schemas import Leaderboard, LeaderboardQuery
from plaudit.leaderboard.season.router import router as season_router

router = APIRouter(tags=["leaderboard"])
router.include_router(board_router)
router.include_router(playlist_router)
router.include_router(season_router)


async def reader(
    request: Request,
    principal: Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))],
) -> Principal:
    """Who reads the leaderboard. A member who names a measure is refused before the query is
    checked: 403 whatever the values, not a 422 that reads them."""
    refuse_member_measure(
        principal, [name for name, value in request.query_params.multi_items() if value.strip()]
    )
    return principal


@router.get("/leaderboard")
def get_leaderboard(
    q: Annotated[LeaderboardQuery, Query()],
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    viewer: Annotated[Principal, Depends(reader)],
) -> Leaderboard:
    """Members ranked by award points, by a measure of a source's records (admins and
    managers), or by a saved board (`board`; members: published boards only)."""
    return show_leaderboard(session, q, viewer=viewer, now=now, zone=settings.zone)
