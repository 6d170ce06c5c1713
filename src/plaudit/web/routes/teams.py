"""Admin pages for teams: the list, and one team's summary (recent activity a page at a
time, each record with its source and data in words; recent and all achievements completed
by its members; the members)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.http.deps import NowDep, SessionDep
from plaudit.member.service import list_members
from plaudit.models import Member, Team
from plaudit.monitoring.schemas import ActivityItem, ActivityKind, SummaryQuery
from plaudit.monitoring.service import team_summary
from plaudit.source.service import list_sources
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.forms.people import parse_page
from plaudit.web.pages import page_router, render
from plaudit.web.record_words import describe_data
from plaudit.web.routes.members import IdPath

router = page_router()
BASE = "/admin/teams"
ACTIVITY_PER_PAGE = 20
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


def record_words(session: Session, items: list[ActivityItem]) -> dict[int, str]:
    """Each record's data in words, by record id, fields in the source's order."""
    declared = {source.key: [f["name"] for f in source.fields] for source in list_sources(session)}
    return {
        item.record.id: describe_data(item.record.data, declared.get(item.record.source, []))
        for item in items
        if item.record is not None
    }


@router.get(BASE + "/{team_id}")
def detail_page(
    team_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    kind: str = "all",
    page: str = "",
) -> Response:
    chosen = ActivityKind(kind) if kind in ActivityKind.__members__ else ActivityKind.all
    number = parse_page(page)
    summary = team_summary(
        session,
        team_id,
        SummaryQuery(kind=chosen, limit=ACTIVITY_PER_PAGE + 1),
        now=now,
        offset=(number - 1) * ACTIVITY_PER_PAGE,
    )
    items = summary.recent_activity[:ACTIVITY_PER_PAGE]
    return render(
        request,
        "admin/teams/detail.html",
        title=summary.team.name,
        summary=summary,
        activity=items,
        record_words=record_words(session, items),
        page=number,
        has_next=len(summary.recent_activity) > ACTIVITY_PER_PAGE,
        kind=chosen.value,
        tabs=[(k.value, label) for k, label in KIND_TABS],
        members=list_members(session, team_id=team_id),
    )
