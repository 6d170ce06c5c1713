"""Writing and reading audit events. Events are written in the transaction of the action."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from plaudit.kit.roles import Principal
from plaudit.models import AuditEvent


def record_event(
    session: Session,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    at: datetime,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=at,
        actor=actor.name,
        actor_role=actor.role.value,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    action: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
    actor: str | None = None,
    member_id: int | None = None,
    achievement_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Sequence[AuditEvent]:
    """Newest first. `member_id` and `achievement_id` match the events about that member or
    achievement and those that name it in their details (an award's give and revoke);
    `since` and `until` bound `occurred_at` as the half-open window [since, until)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if member_id is not None:
        query = query.where(_about(member_id, "member"))
    if achievement_id is not None:
        query = query.where(_about(achievement_id, "achievement"))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return session.scalars(query).all()


def _about(entity_id: int, entity_type: str) -> ColumnElement[bool]:
    return or_(
        and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id),
        AuditEvent.details[f"{entity_type}_id"].as_integer() == entity_id,
    )


def list_actions(session: Session) -> list[str]:
    """Every action the log holds, for a filter's choices."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def list_actors(session: Session) -> list[str]:
    """Everyone who has an event in the log, for a filter's choices."""
    return list(session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))
