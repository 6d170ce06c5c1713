"""A notification's test page (the dry run: who would get what, writing nothing) and its
webhook delivery log, with a retry for failed deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import list_members
from plaudit.models import Notification
from plaudit.notification import outbox, service
from plaudit.notification.presenter import present_deliveries
from plaudit.notification.schemas import DeliveryStatus, DryRunRead, DryRunRequest
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import form_data, text
from plaudit.web.forms.dry_run import dry_run_context
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.notifications import BASE

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
PAGE_SIZE = 100
STATUS_FILTERS = ("all", *(s.value for s in DeliveryStatus))


def _test_page(
    request: Request,
    session: SessionDep,
    notification: Notification,
    *,
    member: str = "",
    result: DryRunRead | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "notification": notification,
        "members": [(str(m.id), m.name) for m in list_members(session)],
        "member": member,
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
    if member and not member.isdigit():
        return _test_page(
            request, session, notification, member=member, error="Choose a member.", status_code=400
        )
    try:
        result = service.dry_run_notification(
            session,
            notification_id,
            DryRunRequest(member_id=int(member) if member else None),
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
            error=exc.detail,
            status_code=exc.status if exc.status in (400, 404, 409, 422) else 400,
        )
    finally:
        # A dry run writes nothing; roll back anyway so that nothing it touched is committed.
        session.rollback()
    return _test_page(request, session, notification, member=member, result=result)


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
