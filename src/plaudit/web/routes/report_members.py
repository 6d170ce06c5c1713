"""The completion report's drill-down: behind one achievement-by-team cell, the members who
completed it in the period and the eligible ones who have not."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import Response

from plaudit.errors import BadRequest
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.schemas import MAX_ID
from plaudit.periods import Period, start_of_local_day
from plaudit.report.members import completion_members
from plaudit.web.access import StaffUser
from plaudit.web.pages import page_router, render

router = page_router()
BASE = "/admin/reports/completion/members"
NO_TEAM = "none"


def _id(raw: str, name: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise BadRequest(detail=f"Choose the {name} from the completion report.", field=name)
    return int(raw)


@router.get(BASE)
def cell_members_page(
    request: Request, session: SessionDep, user: StaffUser, settings: SettingsDep, now: NowDep
) -> Response:
    params = request.query_params
    achievement_id = _id(params.get("achievement_id", ""), "achievement")
    team_raw = params.get("team", NO_TEAM)
    team_id = None if team_raw == NO_TEAM else _id(team_raw, "team")
    period_raw = params.get("period") or Period.none.value
    if period_raw not in {p.value for p in Period}:
        raise BadRequest(detail="Choose the period from the completion report.", field="period")
    at = now
    if raw_date := params.get("date", "").strip():
        try:
            at = start_of_local_day(date.fromisoformat(raw_date), settings.zone)
        except ValueError:
            raise BadRequest(detail="Enter a date as YYYY-MM-DD.", field="date") from None
    cell = completion_members(
        session, achievement_id, team_id, period=Period(period_raw), at=at, zone=settings.zone
    )
    team_name = cell.team.name if cell.team else "No team"
    back = {"achievement_id": str(achievement_id), "period": period_raw}
    if raw_date:
        back["date"] = raw_date
    return render(
        request,
        "admin/reports/cell_members.html",
        title=f"{cell.achievement.name} · {team_name}",
        cell=cell,
        team_name=team_name,
        zone=settings.zone,
        back=back,
    )
