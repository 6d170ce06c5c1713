"""Admin pages for notifications: the list, the create and edit form, and deletion.

The form posts to the same services as the API (`plaudit.notification.service`); their errors,
formula mistakes with line and column included, are shown next to the fields with status 400.
A webhook's signing secret is shown once, on the page answering the save that set it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement.service import list_achievements
from plaudit.config import Settings
from plaudit.domain.categories import Category
from plaudit.engine.levels import ladder
from plaudit.engine.sources import field_types_by_source
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.models import Notification, NotificationFiring, WebhookDelivery
from plaudit.notification import service
from plaudit.notification.schemas import DryRunRead, UnsavedDryRunRequest
from plaudit.rules.model import FieldType, FilterOp
from plaudit.source.service import list_sources
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import FieldErrors, form_data, text
from plaudit.web.forms.dry_run import dry_run_context
from plaudit.web.forms.notification import (
    CHAT_LABELS,
    EMAIL_TO_LABELS,
    OPERATOR_LABELS,
    PERIOD_LABELS,
    FormulaMistake,
    NotificationValues,
    filter_rows,
    labels_for,
    service_errors,
    to_create,
    to_update,
    values_from_form,
    values_from_notification,
)
from plaudit.web.forms.rule_builder import FILTER_LABELS
from plaudit.web.pages import flash, page_router, render

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/notifications"
MAX_FORMULA_SHOWN = 90


@dataclass(frozen=True)
class ListRow:
    notification: Notification
    trigger: str
    action: str
    firings: int
    last_fired: datetime | None
    deliveries: int


def trigger_summary(trigger: dict[str, Any], sources: dict[str, str]) -> str:
    """The trigger in a few words, for the list."""
    if trigger.get("type") == "record":
        source = sources.get(str(trigger.get("source")), str(trigger.get("source")))
        events = " or ".join(trigger.get("events") or ["created", "updated"])
        where = len(trigger.get("where") or [])
        filters = f", {where} filter{'s' if where != 1 else ''}" if where else ""
        return f"A {source} record is {events}{filters}"
    if trigger.get("type") in ("award", "level"):
        return event_summary(trigger)
    formula = str(trigger.get("formula", ""))
    if len(formula) > MAX_FORMULA_SHOWN:
        formula = formula[: MAX_FORMULA_SHOWN - 1] + "…"
    period = str(trigger.get("period", "month"))
    per = "" if period == "none" else f", once per member per {period}"
    threshold = trigger.get("threshold")
    if isinstance(threshold, float) and threshold.is_integer():
        threshold = int(threshold)
    return f"{formula} {trigger.get('operator')} {threshold}{per}"


def event_summary(trigger: dict[str, Any]) -> str:
    """An award or level trigger in a few words."""
    if trigger.get("type") == "level":
        ids = trigger.get("level_ids") or []
        if len(ids) > 1:
            return f"A member reaches one of {len(ids)} chosen levels"
        return "A member reaches " + ("the chosen level" if ids else "a level")
    ids, categories = trigger.get("achievement_ids") or [], trigger.get("categories") or []
    which = []
    if ids:
        which.append(f"of {len(ids)} chosen achievement{'s' if len(ids) != 1 else ''}")
    if categories:
        which.append("in category " + " or ".join(categories))
    return "An award is given" + (" " + " and ".join(which) if which else "")


def action_summary(action: dict[str, Any], achievements: dict[int, str]) -> str:
    kind = action.get("type")
    if kind == "webhook":
        return f"Webhook to {action.get('url')}"
    if kind in CHAT_LABELS:
        return f"{CHAT_LABELS[kind]} message to {action.get('host') or 'its incoming webhook'}"
    if kind == "email":
        if action.get("to") == "addresses":
            return "Email to " + ", ".join(action.get("addresses") or [])
        return "Email to " + EMAIL_TO_LABELS.get(str(action.get("to")), "the member")
    achievement_id = int(action.get("achievement_id") or 0)
    name = achievements.get(achievement_id, f"achievement #{achievement_id}")
    return f"Give “{name}”"


def _counts(session: Session, ids: list[int]) -> tuple[dict[int, Any], dict[int, int]]:
    """Per notification: (firings, last fired) and deliveries; two grouped queries."""
    if not ids:
        return {}, {}
    firings = {
        n: (count, last)
        for n, count, last in session.execute(
            select(
                NotificationFiring.notification_id,
                func.count(NotificationFiring.id),
                func.max(NotificationFiring.fired_at),
            )
            .where(NotificationFiring.notification_id.in_(ids))
            .group_by(NotificationFiring.notification_id)
        )
    }
    deliveries = {
        n: count
        for n, count in session.execute(
            select(WebhookDelivery.notification_id, func.count(WebhookDelivery.id))
            .where(WebhookDelivery.notification_id.in_(ids))
            .group_by(WebhookDelivery.notification_id)
        )
    }
    return firings, deliveries


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    notifications = service.list_notifications(session)
    sources = {s.key: s.name for s in list_sources(session)}
    achievements = {a.id: a.name for a in list_achievements(session)}
    firings, deliveries = _counts(session, [n.id for n in notifications])
    rows = [
        ListRow(
            notification=n,
            trigger=trigger_summary(n.trigger, sources),
            action=action_summary(n.action, achievements),
            firings=firings.get(n.id, (0, None))[0],
            last_fired=firings.get(n.id, (0, None))[1],
            deliveries=deliveries.get(n.id, 0),
        )
        for n in notifications
    ]
    return render(request, "admin/notifications/list.html", title="Notifications", rows=rows)


def form_page(
    request: Request,
    session: Session,
    *,
    notification: Notification | None,
    values: NotificationValues,
    errors: FieldErrors,
    mistakes: list[FormulaMistake] | None = None,
    status_code: int = 200,
    tested: DryRunRead | None = None,
) -> Response:
    sources = list_sources(session)
    context: dict[str, Any] = {
        "notification": notification,
        "values": values,
        "errors": errors,
        "mistakes": mistakes or [],
        "labels": labels_for(values),
        "sources": [(s.key, s.name) for s in sources],
        "source_fields": {
            s.key: ", ".join(f"{k} ({v})" for k, v in s.field_types().items()) for s in sources
        },
        # What a record trigger's filters start with when its source is chosen (the script
        # fills them; Unifyr: "Status defaults to Approved").
        "source_defaults": {
            s.key: [asdict(row) for row in filter_rows(s.default_where)]
            for s in sources
            if s.default_where
        },
        "achievements": [(str(a.id), a.name) for a in list_achievements(session)],
        "categories": [(c.value, c.value.title()) for c in Category],
        "levels": [
            (str(level.id), f"{level.name} ({level.points:,} points)") for level in ladder(session)
        ],
        "filter_ops": [(op.value, FILTER_LABELS[op]) for op in FilterOp],
        "operators": [(op.value, label) for op, label in OPERATOR_LABELS.items()],
        "periods": [(p.value, label) for p, label in PERIOD_LABELS.items()],
        "email_to_labels": EMAIL_TO_LABELS,
        "member": "",
        **dry_run_context(session, tested),
    }
    title = "New notification" if notification is None else f"Edit {notification.name}"
    return render(
        request,
        "admin/notifications/form.html",
        title=title,
        status_code=status_code,
        **context,
    )


def _fields(session: Session, values: NotificationValues) -> dict[str, FieldType]:
    if values.trigger_type != "record" or not values.source:
        return {}
    return field_types_by_source(session, {values.source}).get(values.source, {})


def _secret_page(request: Request, notification: Notification, secret: str) -> Response:
    return render(
        request,
        "admin/notifications/secret.html",
        title=f"Saved “{notification.name}”",
        notification=notification,
        secret=secret,
    )


@router.get(f"{BASE}/new")
def new_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return form_page(request, session, notification=None, values=NotificationValues(), errors={})


@router.post(f"{BASE}/new")
def create(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    form: Form,
    settings: SettingsDep,
) -> Response:
    values = values_from_form(form)
    if text(form, "intent") == "test":
        return _test_form(request, session, None, values, now=now, settings=settings)
    data, errors = to_create(values, _fields(session, values))
    return _save_or_show(
        request,
        session,
        None,
        values,
        errors,
        save=None
        if data is None
        else lambda: service.create_notification(
            session,
            data,
            actor=user.principal,
            now=now,
            guard=service.WebhookGuard.from_settings(settings),
        ),
        done="Created",
    )


def _save_or_show(
    request: Request,
    session: Session,
    notification_id: int | None,
    values: NotificationValues,
    errors: FieldErrors,
    *,
    save: Callable[[], tuple[Notification, str | None]] | None,
    done: str,
) -> Response:
    """Save the valid form and go to the notification (or show its new secret once), or
    show the form again with what is wrong (status 400); `save` is None for an invalid form."""
    mistakes: list[FormulaMistake] = []
    if save is not None:
        try:
            saved, secret = save()
        except PlauditError as exc:
            session.rollback()
            errors, mistakes = service_errors(exc, values)
        else:
            if secret:
                return _secret_page(request, saved, secret)
            flash(request, f"{done} “{saved.name}”.")
            return RedirectResponse(f"{BASE}/{saved.id}", status_code=303)
    notification = (
        None if notification_id is None else service.get_notification(session, notification_id)
    )
    return form_page(
        request,
        session,
        notification=notification,
        values=values,
        errors=errors,
        mistakes=mistakes,
        status_code=400,
    )


def _test_form(
    request: Request,
    session: Session,
    notification_id: int | None,
    values: NotificationValues,
    *,
    now: datetime,
    settings: Settings,
) -> Response:
    """Test before saving: the dry run of the form as filled in, shown above the form's
    buttons; nothing is saved (the admin then saves, choosing whether to activate)."""
    data, errors = to_create(values, _fields(session, values))
    mistakes: list[FormulaMistake] = []
    tested = None
    if data is not None:
        try:
            tested = service.dry_run_unsaved(
                session,
                UnsavedDryRunRequest.model_validate(
                    {
                        "name": data.name,
                        "trigger": data.trigger.model_dump(),
                        "action": data.action.model_dump(),
                    }
                ),
                now=now,
                zone=settings.zone,
                url_policy=service.WebhookGuard.from_settings(settings).url_policy,
                editing=notification_id,
            )
        except PlauditError as exc:
            errors, mistakes = service_errors(exc, values)
        finally:
            session.rollback()  # a dry run writes nothing; nothing it touched is committed
    notification = (
        None if notification_id is None else service.get_notification(session, notification_id)
    )
    return form_page(
        request,
        session,
        notification=notification,
        values=values,
        errors=errors,
        mistakes=mistakes,
        status_code=200 if tested is not None else 400,
        tested=tested,
    )


@router.get(BASE + "/{notification_id}")
def edit_page(
    notification_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    notification = service.get_notification(session, notification_id)
    values = values_from_notification(notification)
    return form_page(request, session, notification=notification, values=values, errors={})


@router.post(BASE + "/{notification_id}")
def update(
    notification_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    now: NowDep,
    form: Form,
    settings: SettingsDep,
) -> Response:
    service.get_notification(session, notification_id)  # 404 before reading the form
    values = values_from_form(form)
    if text(form, "intent") == "test":
        return _test_form(request, session, notification_id, values, now=now, settings=settings)
    data, errors = to_update(values, _fields(session, values))
    return _save_or_show(
        request,
        session,
        notification_id,
        values,
        errors,
        save=None
        if data is None
        else lambda: service.update_notification(
            session,
            notification_id,
            data,
            actor=user.principal,
            now=now,
            guard=service.WebhookGuard.from_settings(settings),
        ),
        done="Saved",
    )


@router.get(BASE + "/{notification_id}/delete")
def confirm_delete(
    notification_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    notification = service.get_notification(session, notification_id)
    return render(
        request,
        "admin/notifications/delete.html",
        title=f"Delete “{notification.name}”?",
        notification=notification,
    )


@router.post(BASE + "/{notification_id}/delete")
def delete(
    notification_id: int, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    notification = service.get_notification(session, notification_id)
    name = notification.name
    service.delete_notification(session, notification_id, actor=user.principal, now=now)
    flash(request, f"Deleted “{name}”. Its firings, awards and deliveries stay in history.")
    return RedirectResponse(BASE, status_code=303)
