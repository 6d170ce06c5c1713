"""The awards export for staff: a page with the filters and the CSV download itself.

`GET /admin/exports/awards.csv` streams exactly what `GET /api/v1/exports/awards.csv` streams
(`plaudit.export.service.stream_awards_csv`, the same `AwardExportQuery` filters and file
name). It takes the API's query parameters as they are, and the page's form adds friendlier
ones: empty fields are ignored, and `from` / `to` dates are whole days in the organisation's
time zone (`to` included), turned into `awarded_after` / `awarded_before`.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plaudit.achievement.service import list_achievements
from plaudit.domain.origins import ORIGIN_LABELS
from plaudit.export.schemas import AwardExportQuery
from plaudit.export.service import stream_awards_csv
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import list_members
from plaudit.periods import start_of_local_day
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import FieldErrors, add_error, dotted
from plaudit.web.pages import page_router, render

router = page_router()
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BASE = "/admin/exports"
DATE_FIELDS = {"from": "awarded_after", "to": "awarded_before"}
FORM_NAMES = {target: name for name, target in DATE_FIELDS.items()}
EXPORT_LABELS = {
    "achievement_id": "Achievement",
    "team_id": "Team",
    "member_id": "Member",
    "source": "How it was given",
    "active": "State",
    "from": "From",
    "to": "To",
    "awarded_after": "From",
    "awarded_before": "To",
}


def export_choices(session: Session) -> dict[str, Any]:
    """The options of the export form's selects."""
    return {
        "export_achievements": [(str(a.id), a.name) for a in list_achievements(session)],
        "export_teams": [(str(t.id), t.name) for t in list_teams(session)],
        "export_members": [(str(m.id), m.name) for m in list_members(session)],
        "export_sources": list(ORIGIN_LABELS.items()),
        "export_labels": EXPORT_LABELS,
    }


def _day(value: str, name: str, errors: FieldErrors) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        add_error(errors, name, "Enter a date as YYYY-MM-DD.")
        return None


def parse_export(
    params: dict[str, str], zone: ZoneInfo
) -> tuple[AwardExportQuery | None, FieldErrors]:
    """The filters of a request: the API's own parameters, plus the form's dates."""
    errors: FieldErrors = {}
    data: dict[str, Any] = {k: v for k, v in params.items() if v.strip() and k not in DATE_FIELDS}
    for name, target in DATE_FIELDS.items():
        raw = params.get(name, "").strip()
        if raw and (day := _day(raw, name, errors)) is not None:
            day = day + timedelta(days=1) if name == "to" else day
            data[target] = start_of_local_day(day, zone).isoformat()
    try:
        query = AwardExportQuery.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = dotted([p for p in err["loc"] if isinstance(p, str | int)])
            add_error(errors, FORM_NAMES.get(loc, loc), str(err["msg"]))
        return None, errors
    return (query, errors) if not errors else (None, errors)


def _export_page(
    request: Request,
    session: Session,
    *,
    values: dict[str, str],
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/reports/exports.html",
        title="Export awards",
        status_code=status_code,
        export_values=values,
        export_errors=errors,
        **export_choices(session),
    )


@router.get(BASE)
def exports_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return _export_page(request, session, values={}, errors={})


@router.get(f"{BASE}/awards.csv", response_model=None)
def export_awards(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    params = dict(request.query_params)
    query, errors = parse_export(params, settings.zone)
    if query is None:
        return _export_page(request, session, values=params, errors=errors, status_code=400)
    engine: Engine = request.app.state.engine
    filename = f"awards-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.csv"
    chunks = stream_awards_csv(engine, query, now=now, bom=query.bom)
    header = next(chunks)  # runs the query now: a failure is an error page, not a cut file
    return StreamingResponse(
        chain([header], chunks),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
