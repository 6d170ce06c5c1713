"""A notification's test page (the dry run: who would get what, writing nothing) and its
webhook delivery log, with a retry for failed deliveries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import list_members
from plaudit.models import Notification
from plaudit.notification import outbox, service
from plaudit.notification.presenter import present_deliveries
from plaudit.notification.schemas import DeliveryStatus, DryRunRead, DryRunRequest, NextRecord
from plaudit.source.service import list_sources
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import form_data, text
from plaudit.web.forms.dry_run import dry_run_context
from plaudit.web.forms.notification import CHAT_LABELS
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.notifications import BASE

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
PAGE_SIZE = 100


@dataclass(frozen=True)
class RecordForm:
    """The test page's "what would this record fire?" fields, as typed."""

    source: str = ""
    data: str = ""
    external_id: str = ""

    def parse(self, member: str) -> tuple[NextRecord | None, str]:
        """The record to predict (None when no source is chosen), or what is wrong with it."""
        if not self.source:
            return None, ""
        if not member:
            return None, "Choose the member the record is for."
        try:
            data = json.loads(self.data or "{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return None, 'The record\'s data must be a JSON object, e.g. {"status": "approved"}.'
        try:
            record = NextRecord(
                source=self.source,
                member_id=int(member),
                data=data,
                external_id=self.external_id or None,
            )
        except ValidationError:
            return None, "The record's source or external id is too long."
        return record, ""


STATUS_FILTERS = ("all", *(s.value for s in DeliveryStatus))
CHANNEL_LABELS = CHAT_LABELS | {"email": "email"}


def _test_page(
    request: Request,
    session: SessionDep,
    notification: Notification,
    *,
    member: str = "",
    record_form: RecordForm | None = None,
    result: DryRunRead | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "notification": notification,
        "members": [(str(m.id), m.name) for m in list_members(session)],
        "member": member,
        "record_form": record_form or RecordForm(),
        "sources": [(s.key, s.name) for s in list_sources(session)],
        "error": error,
        **dry_run_context(session, result),
    }
    return render(
        request,
        "admin/notifications/test.html",
        title=f"Test “{notification.name}”",
        status_code=status_code,
        **context,
    )


@router.get(BASE + "/{notification_id}/test")
def test_page(
    notification_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    notification = service.get_notification(session, notification_id)
    return _test_page(request, session, notification)


@router.post(BASE + "/{notification_id}/test")
def run_test(
    notification_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    notification = service.get_notification(session, notification_id)
    member = text(form, "member_id")
    record_form = RecordForm(
        text(form, "record_source"), text(form, "record_data"), text(form, "record_external_id")
    )
    if member and not member.isdigit():
        return _test_page(
            request, session, notification, member=member, error="Choose a member.", status_code=400
        )
    record, record_error = record_form.parse(member)
    if record_error:
        return _test_page(
            request,
            session,
            notification,
            member=member,
            record_form=record_form,
            error=record_error,
            status_code=400,
        )
    try:
        result = service.dry_run_notification(
            session,
            notification_id,
            DryRunRequest(
                member_id=int(member) if member and record is None else None, record=record
            ),
            now=now,
            zone=settings.zone,
        )
    except PlauditError as exc:
        session.rollback()
        return _test_page(
            request,
            session,
            notification,
            member=member,
            record_form=record_form,
            error=exc.detail,
            status_code=exc.status if exc.status in (400, 404, 409, 422) else 400,
        )
    finally:
        # A dry run writes nothing; roll back anyway so that nothing it touched is committed.
        session.rollback()
    return _test_page(
        request, session, notification, member=member, record_form=record_form, result=result
    )


@router.get(BASE + "/{notification_id}/deliveries")
def deliveries_page(
    notification_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    status: str = "all",
    page: int = 1,
) -> Response:
    notification = service.get_notification(session, notification_id, include_deleted=True)
    status = status if status in STATUS_FILTERS else "all"
    page = max(1, min(page, 10_000))
    rows = outbox.list_deliveries(
        session,
        notification_id,
        status=None if status == "all" else DeliveryStatus(status),
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    deliveries = present_deliveries(session, rows[:PAGE_SIZE])
    return render(
        request,
        "admin/notifications/deliveries.html",
        title=f"Deliveries of “{notification.name}”",
        notification=notification,
        deliveries=deliveries,
        status=status,
        statuses=STATUS_FILTERS,
        channel_labels=CHANNEL_LABELS,
        page=page,
        more=len(rows) > PAGE_SIZE,
    )


@router.post(BASE + "/{notification_id}/deliveries/{delivery_id}/retry")
def retry(
    notification_id: int, delivery_id: int, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    service.get_notification(session, notification_id, include_deleted=True)
    delivery = outbox.get_delivery(session, delivery_id)
    if delivery.notification_id != notification_id:
        flash(request, f"Delivery {delivery_id} belongs to another notification.", "error")
    else:
        try:
            outbox.retry_delivery(session, delivery_id)
        except PlauditError as exc:
            session.rollback()
            flash(request, exc.detail, "error")
        else:
            flash(request, f"Delivery {delivery_id} will be sent again shortly.")
    return RedirectResponse(f"{BASE}/{notification_id}/deliveries", status_code=303)
