"""Notification lifecycle: create, edit, activate, deactivate, delete (keeping its history),
test, and read what it did (firings, webhook deliveries).

Every change renews the engine generation, so each process drops its cached active
notifications at its next ingestion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.config import Settings
from plaudit.engine.generation import bump_generation
from plaudit.errors import FieldError, invalid_fields, not_found
from plaudit.kit.encryption import Keyring
from plaudit.kit.roles import Principal
from plaudit.kit.url_policy import UrlPolicy, split_url
from plaudit.models import Notification, NotificationFiring
from plaudit.notification.active import compile_notification
from plaudit.notification.definition import (
    ACTION_ADAPTER,
    TRIGGER_ADAPTER,
    CompiledNotification,
    check_action,
    compile_trigger,
    stored_action,
    stored_trigger,
)
from plaudit.notification.dryrun import dry_run
from plaudit.notification.schemas import (
    AnyAction,
    DryRunRead,
    DryRunRequest,
    NotificationCreate,
    NotificationUpdate,
    SlackAction,
    TeamsAction,
    UnsavedDryRunRequest,
    WebhookAction,
)
from plaudit.notification.webhook import new_secret
from plaudit.rules.model import STORED


@dataclass(frozen=True)
class WebhookGuard:
    """What saving a webhook needs from the settings: where it may lead, and the keys that
    encrypt its secret (a callable: the key file is read, or made, only when a secret is)."""

    url_policy: UrlPolicy
    keys: Callable[[], Keyring]

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookGuard:
        return cls(UrlPolicy(settings.webhook_allow_list), settings.keyring)


def get_notification(
    session: Session, notification_id: int, *, include_deleted: bool = False
) -> Notification:
    """A notification; a deleted one only with `include_deleted` (its history stays readable)."""
    query = select(Notification).where(Notification.id == notification_id)
    if not include_deleted:
        query = query.where(Notification.deleted_at.is_(None))
    notification = session.scalars(query).first()
    if notification is None:
        raise not_found("notification", notification_id)
    return notification


def list_notifications(session: Session, *, active: bool | None = None) -> Sequence[Notification]:
    query = select(Notification).where(Notification.deleted_at.is_(None)).order_by(Notification.id)
    if active is not None:
        query = query.where(Notification.active.is_(active))
    return session.scalars(query).all()


def create_notification(
    session: Session,
    data: NotificationCreate,
    *,
    actor: Principal,
    now: datetime,
    guard: WebhookGuard,
) -> tuple[Notification, str | None]:
    """Returns the notification and its webhook secret, which is shown in this answer only."""
    check_action(session, data.action, guard.url_policy)
    compile_trigger(session, 0, data.name, data.trigger, data.action)
    secret = None
    if isinstance(data.action, WebhookAction):
        secret = data.action.secret or new_secret()
    chat_url = _chat_url(data.action, None)
    kept = secret or chat_url  # a chat URL is as secret as a signing secret
    notification = Notification(
        name=data.name,
        trigger=stored_trigger(data.trigger),
        action=stored_action(data.action, host=_host(chat_url)),
        webhook_secret_encrypted=None if kept is None else guard.keys().encrypt(kept),
        active=data.active,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    session.add(notification)
    session.flush()
    bump_generation(session)
    record_event(
        session,
        actor,
        "notification.create",
        "notification",
        notification.id,
        at=now,
        details={"name": notification.name, "active": notification.active},
    )
    return notification, secret


def update_notification(
    session: Session,
    notification_id: int,
    data: NotificationUpdate,
    *,
    actor: Principal,
    now: datetime,
    guard: WebhookGuard,
) -> tuple[Notification, str | None]:
    """Returns the notification and its webhook secret if this change set a new one."""
    notification = get_notification(session, notification_id)
    trigger = data.trigger or TRIGGER_ADAPTER.validate_python(notification.trigger, context=STORED)
    action = data.action or ACTION_ADAPTER.validate_python(notification.action, context=STORED)
    name = data.name or notification.name
    if data.action is not None:
        check_action(session, data.action, guard.url_policy)
    if data.trigger is not None or data.active:
        compile_trigger(session, notification.id, name, trigger, action)
    shown = None
    host = None
    was = str(notification.action.get("type"))
    if isinstance(data.action, WebhookAction):
        if data.action.secret is not None:
            shown = data.action.secret
        elif notification.webhook_secret_encrypted is None or was in CHAT_NAMES:
            shown = new_secret()
        if shown is not None:
            notification.webhook_secret_encrypted = guard.keys().encrypt(shown)
    elif data.action is not None:
        chat_url = _chat_url(data.action, was)
        host = _host(chat_url)
        # Nothing is cleared: deliveries still waiting are sent with what is stored.
        if chat_url is not None:
            notification.webhook_secret_encrypted = guard.keys().encrypt(chat_url)
        elif isinstance(data.action, SlackAction | TeamsAction):
            host = notification.action.get("host")
    changed = sorted(data.model_dump(exclude_unset=True, exclude_none=True))
    notification.name = name
    notification.trigger = stored_trigger(trigger)
    notification.action = stored_action(action, host=host)
    if data.active is not None:
        notification.active = data.active
    notification.updated_at = now
    bump_generation(session)
    record_event(
        session,
        actor,
        "notification.update",
        "notification",
        notification.id,
        at=now,
        details={"changed": changed},
    )
    session.flush()
    return notification, shown


CHAT_NAMES = {"slack": "Slack incoming webhook", "teams": "Microsoft Teams webhook"}


def _chat_url(action: AnyAction, was: str | None) -> str | None:
    """A Slack or Teams URL to encrypt: the one sent; None to keep the stored one (an edit of
    the same channel that does not send it); 422 when there is none to keep."""
    if not isinstance(action, SlackAction | TeamsAction):
        return None
    if action.url is None and was != action.type:
        raise invalid_fields(
            [FieldError(("action", "url"), f"the {CHAT_NAMES[action.type]} URL is required")]
        )
    return action.url


def _host(url: str | None) -> str | None:
    return None if url is None else split_url(url)[1]


def set_active(
    session: Session, notification_id: int, active: bool, *, actor: Principal, now: datetime
) -> Notification:
    notification = get_notification(session, notification_id)
    if active:
        compile_notification(session, notification)  # its sources must still fit
    if notification.active != active:
        notification.active = active
        notification.updated_at = now
        bump_generation(session)
        record_event(
            session,
            actor,
            "notification.activate" if active else "notification.deactivate",
            "notification",
            notification.id,
            at=now,
        )
        session.flush()
    return notification


def delete_notification(
    session: Session, notification_id: int, *, actor: Principal, now: datetime
) -> None:
    """Deleted notifications stop firing; their firings, awards and deliveries stay, and
    deliveries already enqueued are still sent."""
    notification = get_notification(session, notification_id)
    notification.deleted_at = now
    notification.active = False
    bump_generation(session)
    record_event(session, actor, "notification.delete", "notification", notification.id, at=now)
    session.flush()


def dry_run_notification(
    session: Session,
    notification_id: int,
    request: DryRunRequest,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> DryRunRead:
    notification = get_notification(session, notification_id)
    compiled = compile_notification(session, notification)
    return dry_run(
        session,
        compiled,
        saved=True,
        active=notification.active,
        member_id=request.member_id,
        at=request.at,
        now=now,
        zone=zone,
        record=request.record,
    )


def dry_run_unsaved(
    session: Session,
    request: UnsavedDryRunRequest,
    *,
    now: datetime,
    zone: ZoneInfo,
    url_policy: UrlPolicy,
    editing: int | None = None,
) -> DryRunRead:
    """Test a definition that is not saved. `editing`: the saved notification it would
    replace, whose firings (at most once per member and period) then count."""
    check_action(session, request.action, url_policy)
    current = None if editing is None else get_notification(session, editing)
    compiled: CompiledNotification = compile_trigger(
        session, editing or 0, request.name, request.trigger, request.action
    )
    return dry_run(
        session,
        compiled,
        saved=current is not None,
        active=False if current is None else current.active,
        member_id=request.member_id,
        at=request.at,
        now=now,
        zone=zone,
        record=request.record,
    )


def list_firings(
    session: Session, notification_id: int, *, member_id: int | None, limit: int, offset: int
) -> Sequence[NotificationFiring]:
    query = select(NotificationFiring).where(NotificationFiring.notification_id == notification_id)
    if member_id is not None:
        query = query.where(NotificationFiring.member_id == member_id)
    return session.scalars(
        query.order_by(NotificationFiring.id.desc()).limit(limit).offset(offset)
    ).all()


def reencrypt_webhook_secrets(session: Session, keys: Keyring) -> int:
    """Every stored webhook secret (deleted notifications' too: their queued deliveries are
    still signed) encrypted again under the first key, so the others can be retired. All or
    nothing: KeyUnavailable if a secret opens with none of the keys. Returns how many."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.webhook_secret_encrypted.is_not(None))
        .order_by(Notification.id)
        .with_for_update()
    ).all()
    for notification in rows:
        assert notification.webhook_secret_encrypted is not None
        notification.webhook_secret_encrypted = keys.rotate(notification.webhook_secret_encrypted)
    session.flush()
    return len(rows)
