"""Admin actions on one achievement, each behind a confirmation page: activate, deactivate,
delete. (The images are in achievement_images.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement import service
from plaudit.award.holders import member_names
from plaudit.engine.preview import Qualifier, preview
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.models import Achievement
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import form_data, text
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.achievements import BASE

router = page_router()

Form = Annotated[FormData, Depends(form_data)]
Action = Literal["activate", "deactivate", "delete"]
MAX_REASON = 2000
MAX_NAMES = 30


@dataclass(frozen=True)
class QualifierName:
    """A member the records already qualify, for the activation page; `new` is False when
    activation gives them nothing (already awarded, or the category's slot is taken)."""

    member_id: int
    name: str
    new: bool


def qualifier_names(
    session: Session, qualifiers: list[Qualifier], cap: int | None = None
) -> list[QualifierName]:
    """The first `cap` qualifying members by name; the page says how many more there are."""
    new: dict[int, bool] = {}
    for q in qualifiers:
        new[q.member_id] = new.get(q.member_id, False) or q.new_awards > 0
    names = member_names(session, list(new))
    ordered = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return [QualifierName(m, name, new[m]) for m, name in ordered[: cap or MAX_NAMES]]


def _awards(session: Session, achievement_id: int) -> int:
    return service.completion_counts(session, [achievement_id]).get(achievement_id, (0, 0))[0]


def _confirm_page(
    request: Request,
    achievement: Achievement,
    action: Action,
    *,
    qualifying: int | None = None,
    new_awards: int | None = None,
    qualifiers: list[QualifierName] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    titles = {
        "activate": f"Activate “{achievement.name}”?",
        "deactivate": f"Deactivate “{achievement.name}”?",
        "delete": f"Delete “{achievement.name}”?",
    }
    return render(
        request,
        "admin/achievements/confirm.html",
        title=titles[action],
        achievement=achievement,
        action=action,
        qualifying=qualifying,
        new_awards=new_awards,
        qualifiers=qualifiers or [],
        error=error,
        status_code=status_code,
    )


@router.get(BASE + "/{achievement_id}/activate")
def confirm_activate(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    if achievement.active:
        flash(request, f"“{achievement.name}” is already active.", "info")
        return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)
    qualifiers = preview(session, achievement, now=now, zone=settings.zone)
    return _confirm_page(
        request,
        achievement,
        "activate",
        qualifying=len({q.member_id for q in qualifiers}),
        new_awards=sum(q.new_awards for q in qualifiers),
        qualifiers=qualifier_names(session, qualifiers),
    )


@router.post(BASE + "/{achievement_id}/activate")
def activate(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    before = _awards(session, achievement_id)
    achievement = service.activate_achievement(
        session, achievement_id, actor=user.principal, now=now, zone=settings.zone
    )
    given = _awards(session, achievement_id) - before
    members = f" {given} award{'s' if given != 1 else ''} given to members who already qualify."
    flash(
        request,
        f"“{achievement.name}” is active." + (members if given else ""),
        link=(f"{BASE}/{achievement_id}/holders", "See who holds it") if given else None,
    )
    return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)


@router.get(BASE + "/{achievement_id}/deactivate")
def confirm_deactivate(
    achievement_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    if not achievement.active:
        flash(request, f"“{achievement.name}” is already inactive.", "info")
        return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)
    return _confirm_page(request, achievement, "deactivate")


@router.post(BASE + "/{achievement_id}/deactivate")
def deactivate(
    achievement_id: int, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    achievement = service.deactivate_achievement(
        session, achievement_id, actor=user.principal, now=now
    )
    flash(
        request,
        f"“{achievement.name}” is inactive: members no longer earn it. "
        "Awards already earned are kept.",
    )
    return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)


@router.get(BASE + "/{achievement_id}/delete")
def confirm_delete(
    achievement_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    return _confirm_page(request, achievement, "delete")


@router.post(BASE + "/{achievement_id}/delete")
def delete(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    form: Form,
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    name = achievement.name
    try:
        service.delete_achievement(
            session,
            achievement_id,
            actor=user.principal,
            now=now,
            reason=text(form, "reason")[:MAX_REASON] or None,
        )
    except PlauditError as exc:
        session.rollback()
        achievement = service.get_achievement(session, achievement_id)
        message = (
            "This achievement is active and cannot be deleted. Deactivate it first."
            if exc.code == "achievement_active"
            else exc.detail
        )
        return _confirm_page(request, achievement, "delete", error=message, status_code=409)
    flash(request, f"Deleted “{name}”. Awards already earned stay in history and exports.")
    return RedirectResponse(BASE, status_code=303)
