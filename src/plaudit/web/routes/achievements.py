"""Admin pages for achievements: the list, the create form and the edit form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement import service
from plaudit.config import Settings
from plaudit.domain.categories import Category
from plaudit.errors import PlauditError
from plaudit.group.service import list_groups
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.models import Achievement
from plaudit.periods import Period
from plaudit.source.service import list_sources
from plaudit.web.access import StaffUser
from plaudit.web.forms.achievement import (
    CATEGORY_HELP,
    EFFECTIVE_MODES,
    FIELD_LABELS,
    PERIOD_LABELS,
    AchievementValues,
    Existing,
    blank_values,
    to_create,
    to_update,
    values_from_achievement,
    values_from_form,
)
from plaudit.web.forms.common import GENERAL, FieldErrors, errors_from_exception, form_data
from plaudit.web.forms.images import files_not_kept, images_from_form
from plaudit.web.forms.rule_builder import catalogue
from plaudit.web.org import Org
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.achievement_history import history_of
from plaudit.web.routes.badges import background_url, badge_url

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/achievements"
ACTIVE_REFUSAL = (
    "This achievement is active, so it cannot be edited. Deactivate it first; "
    "reactivate it when your changes are saved."
)
STATE_FILTERS = {"all": None, "active": True, "inactive": False}


def org_of(request: Request) -> Org:
    org: Org = request.app.state.web_org
    return org


@dataclass(frozen=True)
class ListRow:
    achievement: Achievement
    awards: int
    members: int
    badge: str | None
    background: str | None


@router.get(BASE)
def list_page(
    request: Request, session: SessionDep, user: StaffUser, state: str = "all"
) -> Response:
    state = state if state in STATE_FILTERS else "all"
    achievements = service.list_achievements(session, active=STATE_FILTERS[state])
    ids = [a.id for a in achievements]
    counts = service.completion_counts(session, ids)
    badges = service.has_badge(session, ids)
    backgrounds = service.has_background(session, ids)
    rows = [
        ListRow(
            achievement=a,
            awards=counts.get(a.id, (0, 0))[0],
            members=counts.get(a.id, (0, 0))[1],
            badge=badge_url(a.id, a.version) if a.id in badges else None,
            background=background_url(a.id, a.version) if a.id in backgrounds else None,
        )
        for a in achievements
    ]
    return render(
        request, "admin/achievements/list.html", title="Achievements", rows=rows, state=state
    )


def form_page(
    request: Request,
    session: Session,
    *,
    achievement: Achievement | None,
    values: AchievementValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    """The create or edit page; an active achievement's form is shown locked."""
    sources = list_sources(session)
    others = [
        a
        for a in service.list_achievements(session)
        if achievement is None or a.id != achievement.id
    ]
    badge = background = None
    if achievement is not None and service.has_badge(session, [achievement.id]):
        badge = badge_url(achievement.id, achievement.version)
    if achievement is not None and service.has_background(session, [achievement.id]):
        background = background_url(achievement.id, achievement.version)
    context: dict[str, Any] = {
        "achievement": achievement,
        "locked": achievement is not None and achievement.active,
        "values": values,
        "errors": errors,
        "catalogue": catalogue(sources),
        "groups": list_groups(session),
        "prerequisite_choices": sorted(others, key=lambda a: a.name.casefold()),
        "tier_groups": sorted({a.tier_group for a in others if a.tier_group}),
        "categories": [(c.value, CATEGORY_HELP[c]) for c in Category],
        "periods": [(p.value, PERIOD_LABELS[p]) for p in Period],
        "effective_modes": EFFECTIVE_MODES,
        "badge": badge,
        "background": background,
        "field_labels": FIELD_LABELS,
        "history": (
            history_of(
                session,
                achievement.id,
                request.app.state.clock(),
                request.app.state.settings.zone,
            )
            if achievement is not None
            else None
        ),
    }
    if achievement is None:
        title = "New achievement"
    else:
        title = achievement.name if achievement.active else f"Edit {achievement.name}"
    return render(
        request, "admin/achievements/form.html", title=title, status_code=status_code, **context
    )


@router.get(f"{BASE}/new")
def new_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return form_page(
        request, session, achievement=None, values=blank_values(org_of(request)), errors={}
    )


@router.post(f"{BASE}/new")
def create(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    values = values_from_form(form, org_of(request))
    data, errors = to_create(values, settings.zone)
    chosen = images_from_form(form, errors)
    if data is not None and not errors:
        try:
            created = service.create_achievement(
                session,
                data,
                actor=user.principal,
                now=now,
                zone=settings.zone,
                with_images=chosen,
            )
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
        else:
            flash(request, f"Created “{created.name}”. It is inactive until you activate it.")
            return RedirectResponse(f"{BASE}/{created.id}", status_code=303)
    files_not_kept(form, errors)
    return form_page(
        request, session, achievement=None, values=values, errors=errors, status_code=422
    )


@router.get(BASE + "/{achievement_id}")
def edit_page(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    values = values_from_achievement(achievement, settings.zone, org_of(request))
    return form_page(request, session, achievement=achievement, values=values, errors={})


def _save(
    session: Session,
    achievement: Achievement,
    values: AchievementValues,
    user: StaffUser,
    settings: Settings,
    now: datetime,
) -> FieldErrors:
    if achievement.active:
        return {GENERAL: ACTIVE_REFUSAL}
    existing = Existing(achievement.effective_from, achievement.effective_until)
    data, errors = to_update(values, settings.zone, existing)
    if data is None:
        return errors
    try:
        service.update_achievement(
            session, achievement.id, data, actor=user.principal, now=now, zone=settings.zone
        )
    except PlauditError as exc:
        session.rollback()
        if exc.code == "achievement_active":
            return {GENERAL: ACTIVE_REFUSAL}
        return errors_from_exception(exc)
    return {}


@router.post(BASE + "/{achievement_id}")
def update(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    values = values_from_form(form, org_of(request))
    errors = _save(session, achievement, values, user, settings, now)
    if not errors:
        flash(request, f"Saved “{values.name}”.")
        return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)
    achievement = service.get_achievement(session, achievement_id)
    status = 409 if errors.get(GENERAL) == ACTIVE_REFUSAL else 422
    return form_page(
        request,
        session,
        achievement=achievement,
        values=values,
        errors=errors,
        status_code=status,
    )
