"""What a webhook says when a notification fires: the same JSON for a real firing and a dry run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plaudit.models import Member
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.schemas import AwardTrigger, FormulaTrigger, LevelTrigger
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


@dataclass(frozen=True)
class AwardSeen:
    """The award that fired an award trigger."""

    award_id: int
    achievement_id: int
    achievement_name: str
    category: str
    points: int
    period_key: str
    period_start: datetime | None
    period_end: datetime | None
    origin: str
    awarded_at: datetime

    event = "award.given"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.award_id,
            "achievement_id": self.achievement_id,
            "achievement_name": self.achievement_name,
            "category": self.category,
            "points": self.points,
            "period_key": self.period_key,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "origin": self.origin,
            "awarded_at": self.awarded_at.isoformat(),
        }


@dataclass(frozen=True)
class LevelSeen:
    """The level reached (one `level_reached` row) that fired a level trigger."""

    level_reached_id: int
    level_id: int
    name: str
    threshold: int
    scope: str
    scope_key: str
    points: int
    """The member's points when they reached it."""
    reached_at: datetime

    event = "level.reached"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.level_id,
            "name": self.name,
            "threshold": self.threshold,
            "scope": self.scope,
            "scope_key": self.scope_key,
            "points": self.points,
            "reached_id": self.level_reached_id,
            "reached_at": self.reached_at.isoformat(),
        }


EventSeen = AwardSeen | LevelSeen


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
    seen: EventSeen | None = None,
) -> dict[str, Any]:
    """The top-level `event` is the delivery's kind (always ``notification.fired``, as the
    `X-Plaudit-Event` header); `trigger.event` names what happened: ``created`` or
    ``updated`` for a record, ``award.given`` or ``level.reached`` (with an `award` or `level`
    object beside `record`)."""
    trigger: dict[str, Any] = {"type": compiled.trigger.type}
    extra: dict[str, Any] = {}
    if isinstance(compiled.trigger, AwardTrigger | LevelTrigger):
        trigger |= compiled.trigger.model_dump(mode="json", exclude={"type"})
        trigger["event"] = seen.event if seen else None
        if isinstance(seen, AwardSeen):
            extra["award"] = seen.as_dict()
        elif isinstance(seen, LevelSeen):
            extra["level"] = seen.as_dict()
    elif isinstance(compiled.trigger, FormulaTrigger):
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
    } | extra
