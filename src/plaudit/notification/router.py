"""Notification endpoints: definitions, lifecycle, dry runs, firings and webhook deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response, status

from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.http.path_params import PathId
from plaudit.kit.roles import STAFF, Principal
from plaudit.kit.schemas import MAX_ID, WHOLE_NUMBER_TEXT, Id
from plaudit.notification import outbox, service
from plaudit.notification.presenter import (
    present_deliveries,
    present_firing,
    present_notification,
)
from plaudit.notification.schemas import (
    DeliveryRead,
    DeliveryStatus,
    DryRunRead,
    DryRunRequest,
    FiringRead,
    NotificationCreate,
    NotificationRead,
    NotificationUpdate,
    UnsavedDryRunRequest,
)

router = APIRouter(tags=["notifications"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Limit = Annotated[int, Query(ge=1, le=1000), WHOLE_NUMBER_TEXT]
Offset = Annotated[int, Query(ge=0, le=MAX_ID), WHOLE_NUMBER_TEXT]


@router.post("/notifications", status_code=status.HTTP_201_CREATED)
def create_notification(
    body: NotificationCreate, session: SessionDep, actor: Staff, now: NowDep, settings: SettingsDep
) -> NotificationRead:
    """Create a notification. A webhook's secret is in this answer only. A webhook's URL must
    lead to a public address (or one PLAUDIT_WEBHOOK_ALLOWED_HOSTS lists): 422 otherwise."""
    notification, secret = service.create_notification(
        session, body, actor=actor, now=now, guard=service.WebhookGuard.from_settings(settings)
    )
    return present_notification(notification, secret)


@router.get("/notifications")
def list_notifications(
    session: SessionDep, _actor: Staff, active: bool | None = None
) -> list[NotificationRead]:
    return [present_notification(n) for n in service.list_notifications(session, active=active)]


@router.post("/notifications/test")
def dry_run_unsaved_notification(
    body: UnsavedDryRunRequest,
    session: SessionDep,
    _actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> DryRunRead:
    """Test a notification before saving it: who would get what now; writes nothing."""
    return service.dry_run_unsaved(
        session,
        body,
        now=now,
        zone=settings.zone,
        url_policy=service.WebhookGuard.from_settings(settings).url_policy,
    )


@router.get("/notifications/{notification_id}")
def get_notification(
    notification_id: PathId, session: SessionDep, _actor: Staff
) -> NotificationRead:
    return present_notification(service.get_notification(session, notification_id))


@router.patch("/notifications/{notification_id}")
def update_notification(
    notification_id: PathId,
    body: NotificationUpdate,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> NotificationRead:
    notification, secret = service.update_notification(
        session,
        notification_id,
        body,
        actor=actor,
        now=now,
        guard=service.WebhookGuard.from_settings(settings),
    )
    return present_notification(notification, secret)


@router.delete("/notifications/{notification_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_notification(
    notification_id: PathId, session: SessionDep, actor: Staff, now: NowDep
) -> Response:
    service.delete_notification(session, notification_id, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/notifications/{notification_id}/activate")
def activate_notification(
    notification_id: PathId, session: SessionDep, actor: Staff, now: NowDep
) -> NotificationRead:
    notification = service.set_active(session, notification_id, True, actor=actor, now=now)
    return present_notification(notification)


@router.post("/notifications/{notification_id}/deactivate")
def deactivate_notification(
    notification_id: PathId, session: SessionDep, actor: Staff, now: NowDep
) -> NotificationRead:
    notification = service.set_active(session, notification_id, False, actor=actor, now=now)
    return present_notification(notification)


@router.post("/notifications/{notification_id}/test")
def dry_run_notification(
    notification_id: PathId,
    session: SessionDep,
    _actor: Staff,
    now: NowDep,
    settings: SettingsDep,
    body: Annotated[DryRunRequest | None, Body()] = None,
) -> DryRunRead:
    """Who would get what now, for one member or all; writes nothing."""
    return service.dry_run_notification(
        session, notification_id, body or DryRunRequest(), now=now, zone=settings.zone
    )


@router.get("/notifications/{notification_id}/firings")
def list_firings(
    notification_id: PathId,
    session: SessionDep,
    _actor: Staff,
    member_id: Id | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[FiringRead]:
    service.get_notification(session, notification_id, include_deleted=True)
    firings = service.list_firings(
        session, notification_id, member_id=member_id, limit=limit, offset=offset
    )
    return [present_firing(f) for f in firings]


@router.get("/notifications/{notification_id}/deliveries")
def list_deliveries(
    notification_id: PathId,
    session: SessionDep,
    _actor: Staff,
    status: DeliveryStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeliveryRead]:
    """The webhook deliveries of a notification, newest first, with every attempt."""
    service.get_notification(session, notification_id, include_deleted=True)
    deliveries = outbox.list_deliveries(
        session, notification_id, status=status, limit=limit, offset=offset
    )
    return present_deliveries(session, deliveries)


@router.post("/deliveries/{delivery_id}/retry")
def retry_delivery(delivery_id: PathId, session: SessionDep, _actor: Staff) -> DeliveryRead:
    """Send a failed delivery again, with a fresh set of attempts."""
    delivery = outbox.retry_delivery(session, delivery_id)
    return present_deliveries(session, [delivery])[0]
