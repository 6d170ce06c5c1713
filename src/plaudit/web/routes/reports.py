"""Report pages: completion of each achievement by team (table and bar charts), and awards
and points over time (column charts). Both also offer the awards export form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from plaudit.achievement.service import list_achievements
from plaudit.award.schemas import AwardFilters
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.periods import Period, start_of_local_day
from plaudit.report.schemas import CompletionQuery, CompletionRow
from plaudit.report.service import completion_report
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.activity import DEFAULT_RANGE, RANGES, activity
from plaudit.web.charts import Bar, Column, bar_chart, column_chart
from plaudit.web.forms.common import FieldErrors, add_error, dotted
from plaudit.web.pages import page_router, render
from plaudit.web.routes.exports import export_choices

router = page_router()
BASE = "/admin/reports"
PERIOD_CHOICES = [
    ("none", "All time"),
    ("day", "Day"),
    ("week", "Week"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
]
NO_TEAM = "No team"


@dataclass(frozen=True)
class AchievementBlock:
    """One achievement's rows and its chart."""

    name: str
    rows: list[CompletionRow]
    chart: Any
    eligible: int
    completed: int


def _blocks(rows: list[CompletionRow]) -> list[AchievementBlock]:
    grouped: dict[int, list[CompletionRow]] = {}
    for row in rows:
        grouped.setdefault(row.achievement.id, []).append(row)
    blocks = []
    for items in grouped.values():
        name = items[0].achievement.name
        bars = [Bar(r.team.name if r.team else NO_TEAM, r.completed, r.eligible) for r in items]
        chart = bar_chart(
            f"Completion of {name} by team",
            bars,
            desc=f"Members who completed {name}, out of those eligible, per team: "
            + "; ".join(f"{b.label}: {b.value} of {b.total} ({b.percent_text})" for b in bars),
        )
        blocks.append(
            AchievementBlock(
                name=name,
                rows=items,
                chart=chart,
                eligible=sum(r.eligible for r in items),
                completed=sum(r.completed for r in items),
            )
        )
    return blocks


def _completion_query(
    params: dict[str, str], settings: SettingsDep
) -> tuple[CompletionQuery | None, FieldErrors]:
    errors: FieldErrors = {}
    data: dict[str, Any] = {
        k: v
        for k, v in params.items()
        if v.strip() and k in ("achievement_id", "team_id", "period")
    }
    if raw := params.get("date", "").strip():
        try:
            data["at"] = start_of_local_day(date.fromisoformat(raw), settings.zone).isoformat()
        except ValueError:
            add_error(errors, "date", "Enter a date as YYYY-MM-DD.")
    try:
        query = CompletionQuery.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = dotted([p for p in err["loc"] if isinstance(p, str | int)])
            add_error(errors, "date" if loc == "at" else loc, str(err["msg"]))
        return None, errors
    return (query, errors) if not errors else (None, errors)


def _filters_context(session: SessionDep) -> dict[str, Any]:
    return {
        "achievements": [(str(a.id), a.name) for a in list_achievements(session)],
        "teams": [(str(t.id), t.name) for t in list_teams(session)],
        **export_choices(session),
        "export_values": {},
        "export_errors": {},
    }


@router.get(BASE)
def reports_home(user: StaffUser) -> Response:
    return RedirectResponse(f"{BASE}/completion", status_code=303)


@router.get(f"{BASE}/completion")
def completion_page(
    request: Request, session: SessionDep, user: StaffUser, settings: SettingsDep, now: NowDep
) -> Response:
    params = dict(request.query_params)
    query, errors = _completion_query(params, settings)
    report = None
    status = 200
    if query is not None:
        try:
            report = completion_report(session, query, now=now, zone=settings.zone)
        except PlauditError as exc:
            session.rollback()
            add_error(errors, exc.field or "achievement_id", exc.detail)
            status = exc.status if exc.status in (400, 404, 409, 422) else 400
    if errors and status == 200:
        status = 400
    return render(
        request,
        "admin/reports/completion.html",
        title="Completion report",
        status_code=status,
        values=params,
        errors=errors,
        report=report,
        blocks=_blocks(report.rows) if report else [],
        periods=PERIOD_CHOICES,
        zone=settings.zone,
        **_filters_context(session),
    )


@router.get(f"{BASE}/activity")
def activity_page(
    request: Request, session: SessionDep, user: StaffUser, settings: SettingsDep, now: NowDep
) -> Response:
    params = dict(request.query_params)
    chosen = RANGES.get(params.get("range", ""), RANGES[DEFAULT_RANGE])
    errors: FieldErrors = {}
    filters = AwardFilters()
    try:
        filters = AwardFilters.model_validate(
            {k: v for k, v in params.items() if v.strip() and k in ("achievement_id", "team_id")}
        )
    except ValidationError as exc:
        for err in exc.errors():
            add_error(errors, dotted([p for p in err["loc"] if isinstance(p, str)]), err["msg"])
    buckets = activity(session, chosen, now=now, zone=settings.zone, filters=filters)
    awards = column_chart(
        f"Awards given, {chosen.label.lower()}",
        [Column(b.label, b.awards, b.short) for b in buckets],
        unit="awards",
    )
    points = column_chart(
        f"Points given, {chosen.label.lower()}",
        [Column(b.label, b.points, b.short) for b in buckets],
        unit="points",
    )
    return render(
        request,
        "admin/reports/activity.html",
        title="Awards and points over time",
        status_code=400 if errors else 200,
        values=params,
        errors=errors,
        range=chosen,
        ranges=list(RANGES.values()),
        buckets=buckets,
        awards_chart=awards,
        points_chart=points,
        total_awards=sum(b.awards for b in buckets),
        total_points=sum(b.points for b in buckets),
        period=Period,
        **_filters_context(session),
    )
