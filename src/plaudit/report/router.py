"""GET /reports/completion: each achievement's completion by team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plaudit.http.deps import NowDep, SessionDep, SettingsDep, allow
from plaudit.kit.roles import STAFF
from plaudit.report.schemas import CompletionQuery, CompletionReport
from plaudit.report.service import completion_report

router = APIRouter(tags=["reports"])


@router.get("/reports/completion", dependencies=[allow(*STAFF)])
def get_completion_report(
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    q: Annotated[CompletionQuery, Query()],
) -> CompletionReport:
    """Per achievement and team: members eligible (in its audience) and members who completed
    it, optionally for one period (`period`, `at`)."""
    return completion_report(session, q, now=now, zone=settings.zone)
