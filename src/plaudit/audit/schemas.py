"""Audit event as the API shows it."""

from __future__ import annotations

from typing import Any

from plaudit.kit.schemas import OutputSchema, Timestamp


class AuditEventRead(OutputSchema):
    id: int
    occurred_at: Timestamp
    actor: str
    actor_role: str
    action: str
    entity_type: str
    entity_id: int | None
    reason: str | None
    details: dict[str, Any]
