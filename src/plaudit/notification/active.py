"""The active notifications, compiled and indexed by the sources they read, cached per process.

The cache is keyed by the engine generation, which every change to a notification renews (as do
changes to sources' fields): with no active notification, ingestion pays one primary-key read
and a dictionary look-up.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.generation import cached_per_generation
from plaudit.errors import PlauditError
from plaudit.models import Notification
from plaudit.notification.definition import (
    ACTION_ADAPTER,
    TRIGGER_ADAPTER,
    CompiledNotification,
    compile_trigger,
)
from plaudit.notification.schemas import AwardTrigger, LevelTrigger
from plaudit.rules.model import STORED

logger = logging.getLogger(__name__)
EVENTS = "<events>"


def notifications_reading(session: Session, source_key: str) -> list[CompiledNotification]:
    """The active notifications whose trigger reads `source_key`."""
    by_source = cached_per_generation(session, "notifications", lambda: _load(session))
    return by_source.get(source_key, [])


def listening_to_events(session: Session) -> list[CompiledNotification]:
    """The active notifications with an award or level trigger."""
    by_source = cached_per_generation(session, "notifications", lambda: _load(session))
    return by_source.get(EVENTS, [])


def compile_notification(session: Session, row: Notification) -> CompiledNotification:
    trigger = TRIGGER_ADAPTER.validate_python(row.trigger, context=STORED)
    action = ACTION_ADAPTER.validate_python(row.action, context=STORED)
    if isinstance(trigger, AwardTrigger | LevelTrigger):
        # Its ids were checked when saved; one deleted since then simply matches nothing.
        return CompiledNotification(row.id, row.name, trigger, action, {})
    return compile_trigger(session, row.id, row.name, trigger, action)


def _load(session: Session) -> dict[str, list[CompiledNotification]]:
    """The active notifications by the source they read; those with an award or level trigger
    under `EVENTS` (not a source key: keys are identifiers)."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.active.is_(True), Notification.deleted_at.is_(None))
        .order_by(Notification.id)
    )
    by_source: dict[str, list[CompiledNotification]] = {}
    for row in rows:
        try:
            compiled = compile_notification(session, row)
        except (PlauditError, ValueError) as exc:
            # Checked when saved; a definition that no longer fits its sources is skipped
            # rather than failing every ingestion of them.
            logger.warning("notification %s cannot run and is skipped: %s", row.id, exc)
            continue
        if compiled.listens_to_events:
            by_source.setdefault(EVENTS, []).append(compiled)
        for key in sorted(compiled.sources):
            by_source.setdefault(key, []).append(compiled)
    return by_source
