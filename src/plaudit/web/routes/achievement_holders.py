"""Who holds an achievement: its awards listed with member, period, source, points and
version, filtered and paged; and revoking one of them (behind a confirmation asking why)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement import service as achievements
from plaudit.award import service as awards
from plaudit.award.holders import (
    HolderFilters,
    HolderState,
    count_holders,
    holder_periods,
    list_holders,
)
from plaudit.domain.origins import AwardOrigin
from plaudit.errors import not_found
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import get_member
from plaudit.models import Achievement, Award
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import form_data, text
from plaudit.web.forms.people import MAX_REASON
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.achievement_history import SOURCE_LABELS
from plaudit.web.routes.achievements import BASE
from plaudit.web.routes.members import IdPath

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
PAGE_SIZE = 50
MAX_PAGE = 100_000
STATE_LABELS = {HolderState.held: "Not revoked", HolderState.revoked: "Revoked"}
FILTER_NAMES = ("period", "source", "state", "version")


@dataclass(frozen=True)
class HolderQuery:
    """The page's filters as given (for the form and the links) and as understood."""

    values: dict[str, str]
    filters: HolderFilters
    page: int


def _int(raw: str, low: int, high: int) -> int | None:
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else None


def holder_query(params: dict[str, str]) -> HolderQuery:
    """Filters from the query string; a value that is not one of the choices is ignored."""
    values = {k: params[k].strip() for k in FILTER_NAMES if params.get(k, "").strip()}
    source = values.get("source", "")
    state = values.get("state", "")
    filters = HolderFilters(
        period=values.get("period") or None,
        source=AwardOrigin(source) if source in {o.value for o in AwardOrigin} else None,
        state=HolderState(state) if state in {s.value for s in HolderState} else None,
        version=_int(values.get("version", ""), 1, 1_000_000),
    )
    page = _int(params.get("page", ""), 1, MAX_PAGE) or 1
    return HolderQuery(values=values, filters=filters, page=page)


@router.get(BASE + "/{achievement_id}/holders")
def holders_page(
    achievement_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    achievement = achievements.get_achievement(session, achievement_id)
    query = holder_query(dict(request.query_params))
    offset = (query.page - 1) * PAGE_SIZE
    rows = list_holders(session, achievement.id, query.filters, limit=PAGE_SIZE + 1, offset=offset)
    total = count_holders(session, achievement.id, query.filters)
    periods = holder_periods(session, achievement.id)
    versions = [str(v.version) for v in achievements.list_versions(session, achievement.id)]
    return render(
        request,
        "admin/achievements/holders.html",
        title=f"Holders of “{achievement.name}”",
        achievement=achievement,
        holders=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=query.page,
        total=total,
        values=query.values,
        errors={},
        periods=[(p, "All time" if p == "all" else p) for p in periods],
        sources=list(SOURCE_LABELS.items()),
        states=[(s.value, label) for s, label in STATE_LABELS.items()],
        versions=[(v, f"Version {v}") for v in reversed(versions)],
        source_labels=SOURCE_LABELS,
        now=now,
        zone=settings.zone,
    )


def _award_of(session: Session, achievement_id: int, award_id: int) -> tuple[Achievement, Award]:
    achievement = achievements.get_achievement(session, achievement_id)
    award = awards.get_award(session, award_id)
    if award.achievement_id != achievement.id:
        raise not_found("award", award_id)
    return achievement, award


def _confirm(
    request: Request,
    session: Session,
    achievement: Achievement,
    award: Award,
    *,
    back: str,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    member = get_member(session, award.member_id)
    return render(
        request,
        "admin/achievements/revoke.html",
        title=f"Revoke “{achievement.name}” from {member.name}?",
        achievement=achievement,
        award=award,
        member=member,
        back=back,
        reason=reason,
        error=error,
        source_labels=SOURCE_LABELS,
        status_code=status_code,
    )


def _back(achievement_id: int, raw: str) -> str:
    """Where to return after revoking: the holders list as it was filtered, never elsewhere."""
    prefix = f"{BASE}/{achievement_id}/holders"
    return raw if raw == prefix or raw.startswith(prefix + "?") else prefix


@router.get(BASE + "/{achievement_id}/holders/{award_id}/revoke")
def confirm_revoke(
    achievement_id: IdPath,
    award_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
) -> Response:
    achievement, award = _award_of(session, achievement_id, award_id)
    back = _back(achievement.id, request.query_params.get("back", ""))
    if award.revoked:
        flash(request, "That award is already revoked.", "info")
        return RedirectResponse(back, status_code=303)
    return _confirm(request, session, achievement, award, back=back)


@router.post(BASE + "/{achievement_id}/holders/{award_id}/revoke")
def revoke(
    achievement_id: IdPath,
    award_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    form: Form,
) -> Response:
    achievement, award = _award_of(session, achievement_id, award_id)
    back = _back(achievement.id, text(form, "back"))
    reason = text(form, "reason")
    error = ""
    if not reason:
        error = "Enter the reason: it is kept with the award and in the audit log."
    elif len(reason) > MAX_REASON:
        error = f"Keep the reason under {MAX_REASON} characters."
    if error:
        return _confirm(
            request,
            session,
            achievement,
            award,
            back=back,
            reason=reason,
            error=error,
            status_code=400,
        )
    if award.revoked:
        flash(request, "That award was already revoked.", "info")
    else:
        awards.revoke_award(session, award.id, actor=user.principal, now=now, reason=reason)
        flash(request, "Award revoked. It no longer counts for points or leaderboards.")
    return RedirectResponse(back, status_code=303)
