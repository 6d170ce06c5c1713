"""GET /teams/{id}/summary: what a team's members did lately and what they completed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from plaudit.http.deps import NowDep, SessionDep, allow
from plaudit.kit.roles import STAFF
from plaudit.kit.schemas import MAX_ID, WHOLE_NUMBER_TEXT
from plaudit.monitoring.schemas import SummaryQuery, TeamSummary
from plaudit.monitoring.service import team_summary

router = APIRouter(tags=["monitoring"])


@router.get("/teams/{team_id}/summary", dependencies=[allow(*STAFF)])
def get_team_summary(
    team_id: Annotated[int, Path(ge=1, le=MAX_ID), WHOLE_NUMBER_TEXT],
    session: SessionDep,
    now: NowDep,
    q: Annotated[SummaryQuery, Query()],
) -> TeamSummary:
    """recent_activity (last 30 days, newest first; `kind=awards` for achievements only),
    recent_achievements (the five newest) and achievements (all completed, with counts)."""
    return team_summary(session, team_id, q, now=now)
