"""GET /leaderboard/seasons: the archived final standings of seasonal boards (mounted by
plaudit.leaderboard.router with the other leaderboard paths)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from plaudit.http.deps import Allow, SessionDep
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.season.schemas import SeasonPage, SeasonQuery
from plaudit.leaderboard.season.service import list_seasons

router = APIRouter(tags=["leaderboard"])
Reader = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]


@router.get("/leaderboard/seasons")
def get_seasons(
    q: Annotated[SeasonQuery, Query()], session: SessionDep, viewer: Reader
) -> SeasonPage:
    """Ended periods of seasonal boards with their archived final standings and season
    awards, newest first (members: published boards only)."""
    return list_seasons(session, q, viewer=viewer)
