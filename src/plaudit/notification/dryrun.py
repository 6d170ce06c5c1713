"""Test a notification on current data: who would get what, writing nothing.

Two questions, both answered with the code that fires for real (``hook.plan_firings`` and the
helpers it uses), never with a second implementation:

- *What would this record fire?* (``record`` given): the record is not written; the change it
  would make (a creation, or an update of the stored record with its external_id) goes through
  the very decision ingestion takes, only with the change made on top of the stored records
  instead of undone from them.
- *Where does each member stand?* (no ``record``): a record trigger tries each member's most
  recent matching record as if it had just arrived, and says which recent records of the source
  would have fired it. A formula trigger is edge-triggered, so nobody fires on the current data
  alone: each member's result in the period containing `at` says whether the next records can
  make it cross (``not_met``, ``no_value``), or cannot because it already meets the threshold
  (``already_met``: it must fall below first) or the notification already fired in the period
  (``already_fired``).

For each firing the action is tried without effect: the award the category rules would give or
refuse, or the webhook body that would be sent (unsigned: the signature is made when sent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.award.service import check_give
from plaudit.engine.deltas import RecordFacts
from plaudit.engine.sources import field_types_by_source
from plaudit.errors import FieldError, PlauditError, invalid_fields, not_found
from plaudit.member.service import get_member
from plaudit.models import Member, NotificationFiring, Record, Source
from plaudit.notification.aggregates import empty_values, values_by_member
from plaudit.notification.announce import (
    NO_RECIPIENTS,
    channel_payload,
    detail,
    nobody,
    recipients,
    where,
)
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.dryrun_events import describe, examples, what_fires
from plaudit.notification.formula import evaluate, meets
from plaudit.notification.hook import (
    FormulaDecision,
    PlannedFiring,
    passes_filters,
    plan_firings,
    record_event,
)
from plaudit.notification.payload import EventSeen, RecordSeen, build_payload
from plaudit.notification.schemas import (
    AwardTrigger,
    DryRunAction,
    DryRunOutcome,
    DryRunPeriod,
    DryRunRead,
    DryRunRecentRecord,
    DryRunRecord,
    DryRunResult,
    EmailAction,
    FormulaTrigger,
    GiveAchievementAction,
    LevelTrigger,
    NextRecord,
    RecordEvent,
    RecordTrigger,
    SlackAction,
    TeamsAction,
)
from plaudit.notification.webhook import request_headers
from plaudit.periods import Period, PeriodWindow, period_containing
from plaudit.rules.canonical import checked_canonical_data
from plaudit.rules.model import FieldType
from plaudit.rules.sql import filter_clause
from plaudit.rules.values import matches

SIGNATURE_PLACEHOLDER = "sha256=<computed when sent, over the raw body>"
RECENT_RECORDS = 20
"""How many of a record trigger's recent source records a dry run shows."""


def dry_run(
    session: Session,
    compiled: CompiledNotification,
    *,
    saved: bool,
    active: bool,
    member_id: int | None,
    at: datetime | None,
    now: datetime,
    zone: ZoneInfo,
    record: NextRecord | None = None,
) -> DryRunRead:
    if member_id is not None:
        get_member(session, member_id)
    instant = at or now
    if record is not None:
        return _next_record(
            session, compiled, record, saved=saved, active=active, at=instant, now=now, zone=zone
        )
    members = _members(session, member_id)
    period = None
    recent = None
    if isinstance(compiled.trigger, AwardTrigger | LevelTrigger):
        results = _event_results(session, compiled, members, now=now, zone=zone)
        counts = Counter(r.outcome.value for r in results)
        counts[DryRunOutcome.not_matching.value] = len(members) - len(results)
    elif isinstance(compiled.trigger, RecordTrigger):
        results = _record_results(
            session, compiled, compiled.trigger, members, member_id, now=now, zone=zone
        )
        counts = Counter(r.outcome.value for r in results)
        counts[DryRunOutcome.no_matching_record.value] = (
            len(members) - len(results) + counts.get(DryRunOutcome.no_matching_record.value, 0)
        )
        recent = _recent_records(session, compiled, compiled.trigger, member_id)
    else:
        window = period_containing(instant, compiled.trigger.period, zone)
        results, counts = _formula_results(
            session,
            compiled,
            compiled.trigger,
            members,
            member_id,
            window,
            saved=saved,
            at=instant,
            now=now,
            zone=zone,
        )
        period = _period(window)
    return DryRunRead(
        notification_id=compiled.id if saved else None,
        active=active,
        trigger=compiled.trigger.type,
        period=period,
        members_checked=len(members),
        would_fire=sum(r.outcome is DryRunOutcome.would_fire for r in results),
        counts={k: v for k, v in sorted(counts.items()) if v},
        summary=_summary(compiled, counts, active=active, next_record=False),
        results=results,
        recent=recent,
    )


def _period(window: PeriodWindow) -> DryRunPeriod:
    return DryRunPeriod(period=window.period, key=window.key, start=window.start, end=window.end)


def _members(session: Session, member_id: int | None) -> list[Member]:
    query = select(Member).order_by(Member.id)
    if member_id is not None:
        query = query.where(Member.id == member_id)
    return list(session.scalars(query))


# --- a record that might arrive -------------------------------------------------------------


def _next_record(
    session: Session,
    compiled: CompiledNotification,
    record: NextRecord,
    *,
    saved: bool,
    active: bool,
    at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> DryRunRead:
    """What ingesting `record` now would fire: the change it makes, decided by ingestion's own
    :func:`plan_firings` over the stored records with the change made on top."""
    member = get_member(session, record.member_id)
    before, after = _change_of(session, record, at=record.occurred_at or at)
    trigger = compiled.trigger
    window = (
        period_containing(after.occurred_at, trigger.period, zone)
        if isinstance(trigger, FormulaTrigger)
        else None
    )
    results: list[DryRunResult] = []
    if isinstance(trigger, AwardTrigger | LevelTrigger):
        results.append(
            _result(
                member.id,
                DryRunOutcome.no_change,
                "A record fires this notification only through the award it makes (or the "
                "level that award makes the member reach): "
                + what_fires(trigger)[0].lower()
                + what_fires(trigger)[1:]
                + ".",
            )
        )
    elif before == after:
        results.append(
            _result(
                member.id,
                DryRunOutcome.no_change,
                "The record is stored already with this very data: sending it again is no "
                "event, and fires nothing.",
            )
        )
    elif record.source not in compiled.sources:
        results.append(
            _result(
                member.id,
                DryRunOutcome.no_change,
                f"The notification does not read source {record.source!r}: "
                "records of it fire nothing.",
            )
        )
    else:
        plan = plan_firings(
            session, [compiled], record.source, [(before, after)], zone=zone, written=False
        )
        fired_members: set[int] = set()
        for planned in plan.firings:
            fired_members.add(planned.member_id)
            results.append(_planned_result(session, compiled, planned, now=now, zone=zone))
        if isinstance(trigger, FormulaTrigger):
            results += [_decision_result(trigger, d) for d in plan.decisions if not d.fires]
        elif isinstance(trigger, RecordTrigger) and not plan.firings:
            results.append(_record_miss(compiled, trigger, member.id, before, after))
    counts = Counter(r.outcome.value for r in results)
    return DryRunRead(
        notification_id=compiled.id if saved else None,
        active=active,
        trigger=trigger.type,
        period=None if window is None else _period(window),
        members_checked=len({r.member_id for r in results}),
        would_fire=counts.get(DryRunOutcome.would_fire.value, 0),
        counts=dict(sorted(counts.items())),
        summary=_summary(compiled, counts, active=active, next_record=True),
        results=results,
    )


def _change_of(
    session: Session, record: NextRecord, *, at: datetime
) -> tuple[RecordFacts | None, RecordFacts]:
    """The change ingesting `record` would make: its data checked and made canonical as
    ingestion does, and the stored record with its external_id as what it replaces."""
    fields = field_types_by_source(session, {record.source}).get(record.source)
    if fields is None:
        raise not_found("source", record.source)
    data, problems = checked_canonical_data(fields, record.data)
    if problems:
        raise invalid_fields([FieldError(("record", "data", *p.loc), p.message) for p in problems])
    before = None
    if record.external_id is not None:
        stored = session.scalar(
            select(Record)
            .join(Source, Source.id == Record.source_id)
            .where(Source.key == record.source, Record.external_id == record.external_id)
        )
        if stored is not None:
            before = RecordFacts(stored.member_id, stored.occurred_at, stored.data)
    return before, RecordFacts(record.member_id, at, data)


def _planned_result(
    session: Session,
    compiled: CompiledNotification,
    planned: PlannedFiring,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> DryRunResult:
    member = get_member(session, planned.member_id)
    if planned.window is None:
        words = "This record fires it: it is a matching event of the trigger."
    else:
        words = (
            "This record makes the result cross the threshold in "
            f"{_period_words(planned.window)} (from {_number(planned.before)} to "
            f"{_number(planned.value)}): it fires."
        )
    return DryRunResult(
        member_id=planned.member_id,
        outcome=DryRunOutcome.would_fire,
        value=planned.value,
        value_before=planned.before,
        explanation=words,
        action=_try_action(
            session,
            compiled,
            member,
            planned.record,
            at=planned.at,
            now=now,
            zone=zone,
            window=planned.window,
            value=planned.value,
        ),
    )


def _decision_result(trigger: FormulaTrigger, decision: FormulaDecision) -> DryRunResult:
    """Why a formula does not fire for a member's change, in words."""
    period = _period_words(decision.window)
    target = _target(trigger)
    before, after = decision.before, decision.after
    if decision.already_fired:
        outcome = DryRunOutcome.already_fired
        words = f"It fired for this member in {period} already: at most once per period."
    elif meets(trigger.operator, before, trigger.threshold) and meets(
        trigger.operator, after, trigger.threshold
    ):
        outcome = DryRunOutcome.already_met
        words = (
            f"The result meets {target} already ({_number(before)}, then {_number(after)}): "
            "it does not cross, so it does not fire. It fires only when the result first falls "
            f"short of {target} and then crosses it again."
        )
    elif after is None:
        outcome = DryRunOutcome.no_value
        words = "The result has no value after this record (e.g. division by zero)."
    else:
        outcome = DryRunOutcome.not_met
        words = f"The result would be {_number(after)}, which does not meet {target}."
    return DryRunResult(
        member_id=decision.member_id,
        outcome=outcome,
        value=after,
        value_before=before,
        explanation=words,
    )


def _record_miss(
    compiled: CompiledNotification,
    trigger: RecordTrigger,
    member_id: int,
    before: RecordFacts | None,
    after: RecordFacts,
) -> DryRunResult:
    fields = compiled.fields.get(trigger.source, {})
    event = RecordEvent.created if before is None else RecordEvent.updated
    if event not in trigger.events:
        words = f"It would be {event.value}, and the trigger listens only to " + " and ".join(
            e.value for e in trigger.events
        )
    else:
        words = _filter_miss(trigger, fields, after.data)
    return _result(member_id, DryRunOutcome.not_matching, words + ".")


# --- where each member stands ---------------------------------------------------------------


def _record_results(
    session: Session,
    compiled: CompiledNotification,
    trigger: RecordTrigger,
    members: Sequence[Member],
    member_id: int | None,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[DryRunResult]:
    """Each member's most recent record that passes the filters (found in SQL, confirmed by
    the hook's own predicate), tried as if it had just been created."""
    fields = compiled.fields.get(trigger.source, {})
    latest = (
        select(func.max(Record.id))
        .join(Source, Source.id == Record.source_id)
        .where(
            Source.key == trigger.source,
            *(filter_clause(f, fields.get(f.field), Record.data) for f in trigger.where),
        )
        .group_by(Record.member_id)
    )
    if member_id is not None:
        latest = latest.where(Record.member_id == member_id)
    records = {r.member_id: r for r in session.scalars(select(Record).where(Record.id.in_(latest)))}
    results: list[DryRunResult] = []
    for member in members:
        record = records.get(member.id)
        if record is None or not passes_filters(trigger, fields, record.data):
            if member_id is not None:
                results.append(
                    _result(
                        member.id,
                        DryRunOutcome.no_matching_record,
                        "No record of this member passes the trigger's filters.",
                    )
                )
            continue
        event = trigger.events[0]
        seen = RecordSeen(
            trigger.source,
            record.occurred_at,
            record.data,
            event=event.value,
            external_id=record.external_id,
        )
        results.append(
            DryRunResult(
                member_id=member.id,
                outcome=DryRunOutcome.would_fire,
                explanation=(
                    f"Their latest matching record, {event.value} again, would fire it; so "
                    "does every such record from now on."
                ),
                record=_record(trigger.source, record),
                action=_try_action(
                    session, compiled, member, seen, at=record.occurred_at, now=now, zone=zone
                ),
            )
        )
    return results


def _recent_records(
    session: Session,
    compiled: CompiledNotification,
    trigger: RecordTrigger,
    member_id: int | None,
) -> list[DryRunRecentRecord]:
    """The source's most recent records and whether each, arriving, fires the trigger: the
    hook's own :func:`record_event` on its creation."""
    fields = compiled.fields.get(trigger.source, {})
    query = (
        select(Record)
        .join(Source, Source.id == Record.source_id)
        .where(Source.key == trigger.source)
        .order_by(Record.occurred_at.desc(), Record.id.desc())
        .limit(RECENT_RECORDS)
    )
    if member_id is not None:
        query = query.where(Record.member_id == member_id)
    out: list[DryRunRecentRecord] = []
    for row in session.scalars(query):
        facts = RecordFacts(row.member_id, row.occurred_at, row.data)
        fires = record_event(trigger, fields, None, facts) is not None
        if fires:
            words = "Passes every filter: arriving, it fires the notification."
        elif RecordEvent.created not in trigger.events and passes_filters(
            trigger, fields, row.data
        ):
            words = (
                "Passes every filter, but the trigger listens only to updates: it fires when "
                "it is sent again changed."
            )
        else:
            words = _filter_miss(trigger, fields, row.data) + "."
        out.append(
            DryRunRecentRecord(
                record=_record(trigger.source, row), would_have_fired=fires, explanation=words
            )
        )
    return out


def _filter_miss(
    trigger: RecordTrigger, fields: Mapping[str, FieldType], data: Mapping[str, Any]
) -> str:
    """The first filter a record's data does not pass, in words."""
    for f in trigger.where:
        if not matches(f, fields.get(f.field), data):
            shown = repr(data[f.field]) if data.get(f.field) is not None else "absent"
            return f"Does not pass the filter {f.field} {f.op.value} {f.value!r} (it is {shown})"
    return "Does not pass the trigger's filters"


def _formula_results(
    session: Session,
    compiled: CompiledNotification,
    trigger: FormulaTrigger,
    members: Sequence[Member],
    member_id: int | None,
    window: PeriodWindow,
    *,
    saved: bool,
    at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[list[DryRunResult], Counter[str]]:
    """Where each member stands; without `member_id`, the members that records will NOT fire
    for are listed (already met, already fired) and the others counted."""
    assert compiled.expr is not None
    values = values_by_member(session, compiled, window, None if member_id is None else [member_id])
    fired: set[int] = set()
    if saved:
        fired = set(
            session.scalars(
                select(NotificationFiring.member_id).where(
                    NotificationFiring.notification_id == compiled.id,
                    NotificationFiring.period_key == window.key,
                )
            )
        )
    period = _period_words(window)
    target = _target(trigger)
    results: list[DryRunResult] = []
    counts: Counter[str] = Counter()
    for member in members:
        value = evaluate(compiled.expr, values.get(member.id) or empty_values(compiled))
        if member.id in fired:
            outcome = DryRunOutcome.already_fired
            words = (
                f"Fired for this member in {period} already: no more in this period, "
                "whatever the result does."
            )
        elif value is None:
            outcome = DryRunOutcome.no_value
            words = (
                "The result has no value now (e.g. division by zero): the record that makes it "
                f"a number that meets {target} fires it."
            )
        elif meets(trigger.operator, value, trigger.threshold):
            outcome = DryRunOutcome.already_met
            words = (
                f"The result is {_number(value)}, which meets {target} already, so it will NOT "
                "fire for this member on the next records: it fires only on a crossing, when "
                "the result "
                f"first falls short of {target} and then meets it again in {period}, or "
                "crosses in a later period."
            )
        else:
            outcome = DryRunOutcome.not_met
            words = (
                f"The result is {_number(value)}, short of {target}: it fires on the record "
                "that brings the result to meet it."
            )
        counts[outcome.value] += 1
        listed = outcome in (DryRunOutcome.already_met, DryRunOutcome.already_fired)
        if not listed and member_id is None:
            continue
        action = None
        if outcome in (DryRunOutcome.not_met, DryRunOutcome.no_value):
            # what the crossing would do, were it to happen at `at`
            action = _try_action(
                session,
                compiled,
                member,
                None,
                at=at,
                now=now,
                zone=zone,
                window=window,
                value=value,
            )
        results.append(
            DryRunResult(
                member_id=member.id, outcome=outcome, value=value, explanation=words, action=action
            )
        )
    return results, counts


def _event_results(
    session: Session,
    compiled: CompiledNotification,
    members: Sequence[Member],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[DryRunResult]:
    """Award and level triggers: each member's latest match, and what it sends for one."""
    results: list[DryRunResult] = []
    for example in examples(session, compiled, members):
        action = _try_action(
            session, compiled, example.member, None, at=now, now=now, zone=zone, seen=example.seen
        )
        outcome = DryRunOutcome.already_fired if example.already_fired else DryRunOutcome.would_fire
        results.append(
            DryRunResult(
                member_id=example.member.id,
                outcome=outcome,
                explanation=describe(example),
                action=action,
            )
        )
    return results


# --- words and shapes -----------------------------------------------------------------------


def _summary(
    compiled: CompiledNotification, counts: Counter[str], *, active: bool, next_record: bool
) -> str:
    def n(outcome: DryRunOutcome) -> int:
        return counts.get(outcome.value, 0)

    def members(count: int, one: str, many: str) -> str:
        return f"{count} member {one}" if count == 1 else f"{count} members {many}"

    parts: list[str] = []
    if next_record:
        fires = n(DryRunOutcome.would_fire)
        parts.append(
            "This record would fire it" + ("" if fires else " for no one")
            if fires <= 1
            else f"This record would fire it {fires} times"
        )
    elif isinstance(compiled.trigger, AwardTrigger | LevelTrigger):
        parts.append(what_fires(compiled.trigger) + ", never on the current data alone")
        parts.append(
            members(
                n(DryRunOutcome.would_fire) + n(DryRunOutcome.already_fired),
                "has a matching one already: shown is what it sends for it",
                "have a matching one already: shown is what it sends for each member's latest",
            )
        )
    elif isinstance(compiled.trigger, RecordTrigger):
        parts.append(
            "It fires on every matching record; "
            + members(n(DryRunOutcome.would_fire), "has one already", "have one already")
        )
    else:
        parts.append("Nobody gets it from the current data alone: it fires on a crossing")
        waiting = n(DryRunOutcome.not_met) + n(DryRunOutcome.no_value)
        parts.append(
            members(waiting, "does", "do")
            + " not meet the threshold now: each gets it on the record that makes the result "
            "meet it"
        )
        if n(DryRunOutcome.already_met):
            parts.append(
                members(n(DryRunOutcome.already_met), "meets", "meet")
                + " it already and will NOT get it until their result falls short and crosses "
                "again"
            )
        if n(DryRunOutcome.already_fired):
            parts.append(
                members(n(DryRunOutcome.already_fired), "has", "have")
                + " got it in this period already"
            )
    if not active:
        parts.append("The notification is inactive: nothing fires until it is activated")
    return ". ".join(parts) + "."


def _period_words(window: PeriodWindow) -> str:
    if window.period is Period.none or window.start is None:
        return "all time (period: none)"
    return f"the {window.period.value} from {window.start:%Y-%m-%d}"


_SYMBOLS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "="}


def _target(trigger: FormulaTrigger) -> str:
    return f"{_SYMBOLS[trigger.operator.value]} {_number(trigger.threshold)}"


def _number(value: float | None) -> str:
    return "no value" if value is None else f"{value:g}"


def _result(member_id: int, outcome: DryRunOutcome, words: str) -> DryRunResult:
    return DryRunResult(member_id=member_id, outcome=outcome, explanation=words)


def _record(source: str, record: Record) -> DryRunRecord:
    return DryRunRecord(
        id=record.id,
        source=source,
        member_id=record.member_id,
        external_id=record.external_id,
        occurred_at=record.occurred_at,
        data=record.data,
    )


def _try_action(
    session: Session,
    compiled: CompiledNotification,
    member: Member,
    record: RecordSeen | None,
    *,
    at: datetime,
    now: datetime,
    zone: ZoneInfo,
    window: PeriodWindow | None = None,
    value: float | None = None,
    seen: EventSeen | None = None,
) -> DryRunAction:
    action = compiled.action
    if isinstance(action, GiveAchievementAction):
        try:
            achievement, award_window = check_give(
                session, member.id, action.achievement_id, at=at, zone=zone
            )
        except PlauditError as exc:
            return DryRunAction(
                type="give_achievement",
                outcome="would_refuse",
                achievement_id=action.achievement_id,
                code=exc.code,
                detail=exc.detail,
            )
        return DryRunAction(
            type="give_achievement",
            outcome="would_award",
            achievement_id=achievement.id,
            period=award_window.key,
            points=achievement.points,
        )
    if isinstance(action, SlackAction | TeamsAction | EmailAction):
        to = recipients(session, action, member) if isinstance(action, EmailAction) else []
        if isinstance(action, EmailAction) and not to:
            return DryRunAction(
                type=action.type,
                outcome="would_refuse",
                code=NO_RECIPIENTS,
                detail=nobody(action, member),
            )
        why = detail(compiled, record, value=value, window=window, seen=seen)
        return DryRunAction(
            type=action.type,
            outcome="would_send",
            url=where(compiled, to),
            payload=channel_payload(compiled, [(member, why)], to, summary=False),
        )
    payload = build_payload(
        compiled, member, fired_at=now, record=record, value=value, window=window, seen=seen
    )
    headers = request_headers(delivery_id=None, sent_at=now, signature=SIGNATURE_PLACEHOLDER)
    return DryRunAction(
        type="webhook", outcome="would_send", url=action.url, headers=headers, payload=payload
    )
