"""Admin pages for teams: the list, and one team's summary (recent activity, recent and all
achievements completed by its members, the members)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, select

from plaudit.http.deps import NowDep, SessionDep
from plaudit.member.service import list_members
from plaudit.models import Member, Team
from plaudit.monitoring.schemas import ActivityKind, SummaryQuery
from plaudit.monitoring.service import team_summary
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.pages import page_router, render
from plaudit.web.routes.members import IdPath

router = page_router()
BASE = "/admin/teams"
KIND_TABS = (
    (ActivityKind.all, "All activity"),
    (ActivityKind.awards, "Achievements only"),
    (ActivityKind.records, "Records only"),
)


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: int


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    counts: dict[int, int] = {
        team_id: count
        for team_id, count in session.execute(
            select(Member.team_id, func.count(Member.id))
            .where(Member.team_id.is_not(None))
            .group_by(Member.team_id)
        ).all()
        if team_id is not None
    }
    rows = [TeamRow(team=t, members=counts.get(t.id, 0)) for t in list_teams(session)]
    return render(request, "admin/teams/list.html", title="Teams", rows=rows)


@router.get(BASE + "/{team_id}")
def detail_page(
    team_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    kind: str = "all",
) -> Response:
    chosen = ActivityKind(kind) if kind in ActivityKind.__members__ else ActivityKind.all
    summary = team_summary(session, team_id, SummaryQuery(kind=chosen), now=now)
    return render(
        request,
        "admin/teams/detail.html",
        title=summary.team.name,
        summary=summary,
        kind=chosen.value,
        tabs=[(k.value, label) for k, label in KIND_TABS],
        members=list_members(session, team_id=team_id),
    )
