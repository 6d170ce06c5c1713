"""What a webhook says when a notification fires: the same JSON for a real firing and a dry run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plaudit.models import Member
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.schemas import FormulaTrigger
from plaudit.notification.webhook import EVENT
from plaudit.periods import PeriodWindow


@dataclass(frozen=True)
class RecordSeen:
    """The record that made the notification fire (for a formula: the last one that arrived)."""

    source: str
    occurred_at: datetime
    data: Mapping[str, Any]
    event: str | None = None
    external_id: str | None = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def build_payload(
    compiled: CompiledNotification,
    member: Member,
    *,
    fired_at: datetime,
    record: RecordSeen | None,
    value: float | None = None,
    window: PeriodWindow | None = None,
) -> dict[str, Any]:
    trigger: dict[str, Any] = {"type": compiled.trigger.type}
    if isinstance(compiled.trigger, FormulaTrigger):
        trigger |= {
            "formula": compiled.trigger.formula,
            "operator": compiled.trigger.operator.value,
            "threshold": compiled.trigger.threshold,
            "value": value,
            "period": compiled.trigger.period.value,
            "period_key": window.key if window else None,
            "period_start": _iso(window.start) if window else None,
            "period_end": _iso(window.end) if window else None,
        }
    else:
        trigger |= {"source": compiled.trigger.source, "event": record.event if record else None}
    return {
        "event": EVENT,
        "notification": {"id": compiled.id or None, "name": compiled.name},
        "member": {
            "id": member.id,
            "name": member.name,
            "external_id": member.external_id,
            "team_id": member.team_id,
        },
        "trigger": trigger,
        "record": None
        if record is None
        else {
            "source": record.source,
            "external_id": record.external_id,
            "occurred_at": record.occurred_at.isoformat(),
            "data": dict(record.data),
        },
        "fired_at": fired_at.isoformat(),
    }
