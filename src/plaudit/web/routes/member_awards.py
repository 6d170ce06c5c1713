"""Giving an achievement to a member from their page, and revoking one of their awards
(behind a confirmation page that asks for the reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.achievement.service import list_achievements
from plaudit.award import service
from plaudit.errors import PlauditError, not_found
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import get_member
from plaudit.models import Achievement, Award
from plaudit.periods import Period
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import GENERAL, FieldErrors, form_data, text
from plaudit.web.forms.people import MAX_REASON, GiveValues, give_instant, parse_id
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import BASE, IdPath, member_page

router = page_router()
Form = Annotated[FormData, Depends(form_data)]


def _chosen(
    values: GiveValues, active: list[Achievement]
) -> tuple[Achievement | None, FieldErrors]:
    errors: FieldErrors = {}
    achievement_id = parse_id(values.achievement_id)
    chosen = next((a for a in active if a.id == achievement_id), None)
    if chosen is None:
        errors["achievement_id"] = "Choose one of the active achievements."
    if values.period not in ("current", "previous"):
        errors["period"] = "Choose the current or the previous period."
    if len(values.reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    return chosen, errors


@router.post(BASE + "/{member_id}/awards")
def give(
    member_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    member = get_member(session, member_id)
    values = GiveValues(
        achievement_id=text(form, "achievement_id"),
        period=text(form, "period") or "current",
        reason=text(form, "reason"),
    )
    chosen, errors = _chosen(values, list(list_achievements(session, active=True)))
    status = 400
    if chosen is not None and not errors:
        at = give_instant(values.period, now, Period(chosen.period), settings.zone)
        try:
            award = service.give_award(
                session,
                member.id,
                chosen.id,
                at=at,
                actor=user.principal,
                now=now,
                zone=settings.zone,
                reason=values.reason or None,
            )
        except PlauditError as exc:
            session.rollback()
            errors = {GENERAL: exc.detail}
            status = exc.status
        else:
            period = "" if award.period_key == "all" else f" for the period of {award.period_key}"
            flash(request, f"Gave “{chosen.name}” to {member.name}{period}.")
            return RedirectResponse(f"{BASE}/{member.id}#awards", status_code=303)
    return member_page(
        request,
        session,
        member_id,
        now=now,
        zone=settings.zone,
        values=values,
        errors=errors,
        status_code=status,
    )


def _award_of(session: SessionDep, member_id: int, award_id: int) -> Award:
    award = service.get_award(session, award_id)
    if award.member_id != member_id:
        raise not_found("award", award_id)
    return award


def _confirm(
    request: Request,
    session: SessionDep,
    member_id: int,
    award: Award,
    *,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    member = get_member(session, member_id)
    achievement = session.get(Achievement, award.achievement_id)
    name = achievement.name if achievement else f"achievement {award.achievement_id}"
    return render(
        request,
        "admin/members/revoke.html",
        title=f"Revoke “{name}” from {member.name}?",
        member=member,
        award=award,
        achievement_name=name,
        reason=reason,
        error=error,
        status_code=status_code,
    )


@router.get(BASE + "/{member_id}/awards/{award_id}/revoke")
def confirm_revoke(
    member_id: IdPath, award_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    award = _award_of(session, member_id, award_id)
    if award.revoked:
        flash(request, "That award is already revoked.", "info")
        return RedirectResponse(f"{BASE}/{member_id}#awards", status_code=303)
    return _confirm(request, session, member_id, award)


@router.post(BASE + "/{member_id}/awards/{award_id}/revoke")
def revoke(
    member_id: IdPath,
    award_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    form: Form,
) -> Response:
    award = _award_of(session, member_id, award_id)
    reason = text(form, "reason")
    error = ""
    if not reason:
        error = "Enter the reason: it is kept with the award and in the audit log."
    elif len(reason) > MAX_REASON:
        error = f"Keep the reason under {MAX_REASON} characters."
    if error:
        return _confirm(
            request, session, member_id, award, reason=reason, error=error, status_code=400
        )
    if award.revoked:
        flash(request, "That award was already revoked.", "info")
    else:
        service.revoke_award(session, award.id, actor=user.principal, now=now, reason=reason)
        flash(request, "Award revoked. It no longer counts for points or leaderboards.")
    return RedirectResponse(f"{BASE}/{member_id}#awards", status_code=303)
