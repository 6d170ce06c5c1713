"""Fire the notifications that records trigger, inside the transaction that ingests them.

Record triggers fire for each created or updated record that passes their filters. Formula
triggers are edge-triggered: for each member and period the changed records touch, the result
is taken before and after the change, and the notification fires when it did not meet the
threshold before and does now, at most once per member per period (a unique constraint).

Cheap when nothing listens: the active notifications are cached per engine generation. For
formulas, a firing already made or a result that does not meet the threshold (one SQL
aggregate per call) ends the check; only a result that meets it loads the member's records of
the period to tell what it was before the change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.db.locking import lock_decision
from plaudit.engine.apply import Change
from plaudit.engine.deltas import RecordFacts
from plaudit.limits import chunks
from plaudit.models import NotificationFiring
from plaudit.notification.active import notifications_reading
from plaudit.notification.aggregates import (
    empty_values,
    member_datas,
    values_by_member,
    values_from_datas,
)
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.firing import fire
from plaudit.notification.formula import evaluate, meets
from plaudit.notification.payload import RecordSeen
from plaudit.notification.schemas import FormulaTrigger, RecordEvent, RecordTrigger
from plaudit.periods import PeriodWindow, period_containing
from plaudit.rules.values import matches


def notify_records(
    session: Session, source_key: str, changes: Sequence[Change], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Fire what these changes of `source_key` trigger; returns the ids of awards given."""
    if not changes:
        return []
    notifications = notifications_reading(session, source_key)
    if not notifications:
        return []
    award_ids: list[int] = []
    for compiled in notifications:
        if isinstance(compiled.trigger, RecordTrigger):
            award_ids += _record_trigger(session, compiled, compiled.trigger, changes, now, zone)
    formulas = [n for n in notifications if isinstance(n.trigger, FormulaTrigger)]
    if formulas:
        award_ids += _formula_triggers(session, formulas, source_key, changes, now, zone)
    return award_ids


def _record_trigger(
    session: Session,
    compiled: CompiledNotification,
    trigger: RecordTrigger,
    changes: Sequence[Change],
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    fields = compiled.fields.get(trigger.source, {})
    award_ids: list[int] = []
    for before, after in changes:
        if after is None:
            continue
        event = RecordEvent.created if before is None else RecordEvent.updated
        if event not in trigger.events:
            continue
        if not all(matches(f, fields.get(f.field), after.data) for f in trigger.where):
            continue
        seen = RecordSeen(trigger.source, after.occurred_at, after.data, event=event.value)
        award_id = fire(
            session,
            compiled,
            after.member_id,
            record=seen,
            at=after.occurred_at,
            now=now,
            zone=zone,
        )
        if award_id is not None:
            award_ids.append(award_id)
    return award_ids


@dataclass
class _Touched:
    """One member's changes inside one period of one formula notification."""

    window: PeriodWindow
    removed: list[RecordFacts] = field(default_factory=list)
    added: list[RecordFacts] = field(default_factory=list)

    def latest(self) -> RecordFacts:
        return max(self.added or self.removed, key=lambda f: f.occurred_at)


def _touched(
    compiled: CompiledNotification, changes: Sequence[Change], zone: ZoneInfo
) -> dict[tuple[int, str], _Touched]:
    assert isinstance(compiled.trigger, FormulaTrigger)
    period = compiled.trigger.period
    out: dict[tuple[int, str], _Touched] = {}
    for before, after in changes:
        for facts, is_after in ((before, False), (after, True)):
            if facts is None:
                continue
            window = period_containing(facts.occurred_at, period, zone)
            unit = out.setdefault((facts.member_id, window.key), _Touched(window))
            (unit.added if is_after else unit.removed).append(facts)
    return out


def _formula_triggers(
    session: Session,
    formulas: list[CompiledNotification],
    source_key: str,
    changes: Sequence[Change],
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    units = [(n, key, unit) for n in formulas for key, unit in _touched(n, changes, zone).items()]
    # Serialise the decisions (PostgreSQL), always in one order so two requests never wait on
    # each other crosswise: a concurrent request's records are then seen before deciding.
    for n, (member_id, period_key), _ in sorted(units, key=lambda u: (u[0].id, u[1])):
        lock_decision(session, "notification", n.id, member_id, period_key)
    award_ids: list[int] = []
    for compiled in formulas:
        mine = [(key, unit) for n, key, unit in units if n is compiled]
        fired = _already_fired(session, compiled.id, [key for key, _ in mine])
        by_period: dict[str, list[tuple[int, _Touched]]] = {}
        for (member_id, period_key), unit in mine:
            if (member_id, period_key) not in fired:
                by_period.setdefault(period_key, []).append((member_id, unit))
        for members in by_period.values():
            award_ids += _check_period(session, compiled, source_key, members, now, zone)
    return award_ids


def _check_period(
    session: Session,
    compiled: CompiledNotification,
    source_key: str,
    members: list[tuple[int, _Touched]],
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """The members' results after the change, all at once (one SQL aggregate per call); the
    crossing is examined only for those whose result meets the threshold."""
    trigger = compiled.trigger
    assert isinstance(trigger, FormulaTrigger) and compiled.expr is not None
    window = members[0][1].window
    values = values_by_member(session, compiled, window, [m for m, _ in members])
    award_ids: list[int] = []
    for member_id, unit in members:
        after = evaluate(compiled.expr, values.get(member_id) or empty_values(compiled))
        if not meets(trigger.operator, after, trigger.threshold):
            continue
        award_id = _check_crossing(session, compiled, source_key, member_id, unit, now, zone)
        if award_id is not None:
            award_ids.append(award_id)
    return award_ids


def _already_fired(
    session: Session, notification_id: int, keys: list[tuple[int, str]]
) -> set[tuple[int, str]]:
    if not keys:
        return set()
    members = sorted({m for m, _ in keys})
    periods = sorted({p for _, p in keys})
    fired: set[tuple[int, str]] = set()
    for some_members in chunks(members):
        for some_periods in chunks(periods):
            rows = session.execute(
                select(NotificationFiring.member_id, NotificationFiring.period_key).where(
                    NotificationFiring.notification_id == notification_id,
                    NotificationFiring.member_id.in_(some_members),
                    NotificationFiring.period_key.in_(some_periods),
                )
            )
            fired.update((m, p) for m, p in rows if p is not None)
    return fired


def _check_crossing(
    session: Session,
    compiled: CompiledNotification,
    source_key: str,
    member_id: int,
    unit: _Touched,
    now: datetime,
    zone: ZoneInfo,
) -> int | None:
    """Fire if the result did not meet the threshold before the change and does after it,
    both computed from the member's records of the period (the change undone for before)."""
    trigger = compiled.trigger
    assert isinstance(trigger, FormulaTrigger) and compiled.expr is not None
    datas = member_datas(session, compiled, member_id, unit.window)
    after_exact = evaluate(compiled.expr, values_from_datas(compiled.terms, compiled.fields, datas))
    before_datas = dict(datas)
    before_datas[source_key] = _undo(datas.get(source_key, []), unit)
    before = evaluate(
        compiled.expr, values_from_datas(compiled.terms, compiled.fields, before_datas)
    )
    if meets(trigger.operator, before, trigger.threshold) or not meets(
        trigger.operator, after_exact, trigger.threshold
    ):
        return None
    latest = unit.latest()
    seen = RecordSeen(source_key, latest.occurred_at, latest.data)
    return fire(
        session,
        compiled,
        member_id,
        record=seen,
        at=latest.occurred_at,
        now=now,
        zone=zone,
        window=unit.window,
        value=after_exact,
    )


def _undo(datas: list[Mapping[str, Any]], unit: _Touched) -> list[Mapping[str, Any]]:
    """The records' data as it was before the change: what the change added is taken out (one
    record per added record: equal data counts the same), what it removed is put back."""
    to_remove = Counter(_identity(f.data) for f in unit.added)
    kept: list[Mapping[str, Any]] = []
    for data in datas:
        identity = _identity(data)
        if to_remove[identity] > 0:
            to_remove[identity] -= 1
            continue
        kept.append(data)
    return kept + [f.data for f in unit.removed]


def _identity(data: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted(
            (k, float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in data.items()
        )
    )
