"""Fire the notifications that records trigger, inside the transaction that ingests them.

Record triggers fire for each created or updated record that passes their filters. Formula
triggers are edge-triggered: for each member and period the changed records touch, the result
is taken before and after the change, and the notification fires when it did not meet the
threshold before and does now, at most once per member per period (a unique constraint).

The decision (:func:`plan_firings`) is separate from its effect (:func:`fire`), so that the
dry run predicts what a record would fire with this very code, for a record not written yet.

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
from plaudit.notification.announce import ChannelBatch
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.firing import fire
from plaudit.notification.formula import crosses, evaluate, meets
from plaudit.notification.payload import RecordSeen
from plaudit.notification.schemas import FormulaTrigger, RecordEvent, RecordTrigger
from plaudit.periods import PeriodWindow, period_containing
from plaudit.rules.model import FieldType
from plaudit.rules.values import matches


@dataclass(frozen=True)
class PlannedFiring:
    """A firing decided on: `fire` runs it for real, the dry run tries its action."""

    notification: CompiledNotification
    member_id: int
    record: RecordSeen
    at: datetime
    window: PeriodWindow | None = None
    value: float | None = None
    before: float | None = None
    """A formula's result before the change (`value` is after it)."""


@dataclass(frozen=True)
class FormulaDecision:
    """What a formula notification made of one member's change in one period.

    `before` and `after` are the results without and with the change; they are None when not
    worked out (already fired; or, for changes already written, a result after that does not
    meet the threshold, which ends the check early)."""

    notification: CompiledNotification
    member_id: int
    window: PeriodWindow
    already_fired: bool
    before: float | None = None
    after: float | None = None
    fires: bool = False


@dataclass
class Plan:
    firings: list[PlannedFiring] = field(default_factory=list)
    decisions: list[FormulaDecision] = field(default_factory=list)


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
    channels = ChannelBatch()
    for planned in plan_firings(
        session, notifications, source_key, changes, zone=zone, written=True
    ).firings:
        award_id = fire(
            session,
            planned.notification,
            planned.member_id,
            record=planned.record,
            at=planned.at,
            now=now,
            zone=zone,
            window=planned.window,
            value=planned.value,
            channels=channels,
        )
        if award_id is not None:
            award_ids.append(award_id)
    channels.flush(session, now=now)
    return award_ids


def plan_firings(
    session: Session,
    notifications: Sequence[CompiledNotification],
    source_key: str,
    changes: Sequence[Change],
    *,
    zone: ZoneInfo,
    written: bool,
) -> Plan:
    """What `changes` of `source_key` fire, decided without firing: the one decision that
    ingestion (`written`: the changes are in the database already) and the dry run (not
    written: a record that might arrive) both take. Reads only; ingestion also takes the
    decisions' locks."""
    plan = Plan()
    for compiled in notifications:
        if isinstance(compiled.trigger, RecordTrigger):
            plan.firings += _record_trigger(compiled, compiled.trigger, changes)
    formulas = [n for n in notifications if isinstance(n.trigger, FormulaTrigger)]
    if formulas:
        _formula_triggers(session, formulas, source_key, changes, zone, written, plan)
    return plan


def record_event(
    trigger: RecordTrigger,
    fields: Mapping[str, FieldType],
    before: RecordFacts | None,
    after: RecordFacts | None,
) -> RecordEvent | None:
    """The event a change is for a record trigger, or None when it does not fire it."""
    if after is None:
        return None
    event = RecordEvent.created if before is None else RecordEvent.updated
    if event not in trigger.events or not passes_filters(trigger, fields, after.data):
        return None
    return event


def passes_filters(
    trigger: RecordTrigger, fields: Mapping[str, FieldType], data: Mapping[str, Any]
) -> bool:
    return all(matches(f, fields.get(f.field), data) for f in trigger.where)


def _record_trigger(
    compiled: CompiledNotification, trigger: RecordTrigger, changes: Sequence[Change]
) -> list[PlannedFiring]:
    fields = compiled.fields.get(trigger.source, {})
    planned: list[PlannedFiring] = []
    for before, after in changes:
        event = record_event(trigger, fields, before, after)
        if event is None or after is None:
            continue
        seen = RecordSeen(trigger.source, after.occurred_at, after.data, event=event.value)
        planned.append(PlannedFiring(compiled, after.member_id, seen, after.occurred_at))
    return planned


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
    zone: ZoneInfo,
    written: bool,
    plan: Plan,
) -> None:
    units = [(n, key, unit) for n in formulas for key, unit in _touched(n, changes, zone).items()]
    if written:
        # Serialise the decisions (PostgreSQL), always in one order so two requests never wait
        # on each other crosswise: a concurrent request's records are then seen before deciding.
        for n, (member_id, period_key), _ in sorted(units, key=lambda u: (u[0].id, u[1])):
            lock_decision(session, "notification", n.id, member_id, period_key)
    for compiled in formulas:
        mine = [(key, unit) for n, key, unit in units if n is compiled]
        fired = _already_fired(session, compiled.id, [key for key, _ in mine])
        by_period: dict[str, list[tuple[int, _Touched]]] = {}
        for (member_id, period_key), unit in mine:
            if (member_id, period_key) in fired:
                plan.decisions.append(FormulaDecision(compiled, member_id, unit.window, True))
            else:
                by_period.setdefault(period_key, []).append((member_id, unit))
        for members in by_period.values():
            _check_period(session, compiled, source_key, members, written, plan)


def _check_period(
    session: Session,
    compiled: CompiledNotification,
    source_key: str,
    members: list[tuple[int, _Touched]],
    written: bool,
    plan: Plan,
) -> None:
    """For written changes, the members' results after the change first, all at once (one SQL
    aggregate per call): the crossing is examined only for those whose result meets the
    threshold. Unwritten changes (a dry run) are examined in full."""
    trigger = compiled.trigger
    assert isinstance(trigger, FormulaTrigger) and compiled.expr is not None
    window = members[0][1].window
    values = values_by_member(session, compiled, window, [m for m, _ in members]) if written else {}
    for member_id, unit in members:
        if written:
            after = evaluate(compiled.expr, values.get(member_id) or empty_values(compiled))
            if not meets(trigger.operator, after, trigger.threshold):
                plan.decisions.append(
                    FormulaDecision(compiled, member_id, window, False, after=after)
                )
                continue
        _check_crossing(session, compiled, source_key, member_id, unit, written, plan)


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
    written: bool,
    plan: Plan,
) -> None:
    """Fire if the result did not meet the threshold before the change and does after it,
    both computed from the member's records of the period: for a written change, the records
    with the change undone are before; for an unwritten one, with the change made are after."""
    trigger = compiled.trigger
    assert isinstance(trigger, FormulaTrigger) and compiled.expr is not None
    datas = member_datas(session, compiled, member_id, unit.window)
    stored = datas.get(source_key, [])
    other = dict(datas)
    if written:
        other[source_key] = _replace(stored, take_out=unit.added, put_in=unit.removed)
        before_datas, after_datas = other, datas
    else:
        other[source_key] = _replace(stored, take_out=unit.removed, put_in=unit.added)
        before_datas, after_datas = datas, other
    before = evaluate(
        compiled.expr, values_from_datas(compiled.terms, compiled.fields, before_datas)
    )
    after = evaluate(compiled.expr, values_from_datas(compiled.terms, compiled.fields, after_datas))
    fires = crosses(trigger.operator, before, after, trigger.threshold)
    plan.decisions.append(
        FormulaDecision(compiled, member_id, unit.window, False, before, after, fires)
    )
    if not fires:
        return
    latest = unit.latest()
    seen = RecordSeen(source_key, latest.occurred_at, latest.data)
    plan.firings.append(
        PlannedFiring(compiled, member_id, seen, latest.occurred_at, unit.window, after, before)
    )


def _replace(
    datas: list[Mapping[str, Any]],
    *,
    take_out: Sequence[RecordFacts],
    put_in: Sequence[RecordFacts],
) -> list[Mapping[str, Any]]:
    """The records' data with a change undone (take out what it added, put back what it
    removed) or made (the other way round): one stored record per record taken out, equal data
    counting the same."""
    to_remove = Counter(_identity(f.data) for f in take_out)
    kept: list[Mapping[str, Any]] = []
    for data in datas:
        identity = _identity(data)
        if to_remove[identity] > 0:
            to_remove[identity] -= 1
            continue
        kept.append(data)
    return kept + [f.data for f in put_in]


def _identity(data: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted(
            (k, float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for k, v in data.items()
        )
    )
