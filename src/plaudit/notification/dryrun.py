"""Test a notification on current data: who would get what, writing nothing.

Record triggers are tried with each member's most recent matching record, as if it had just
arrived. Formula triggers take each member's result in the period containing `at` (default
now): it would fire for a member whose result meets the threshold and who has no firing in
that period yet. For each firing the action is tried without effect: the award the category
rules would give or refuse, or the webhook body that would be sent (unsigned: the signature is
made when it is sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.award.service import check_give
from plaudit.errors import PlauditError
from plaudit.member.service import get_member
from plaudit.models import Member, NotificationFiring, Record, Source
from plaudit.notification.aggregates import empty_values, values_by_member
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.formula import evaluate, meets
from plaudit.notification.payload import RecordSeen, build_payload
from plaudit.notification.schemas import (
    DryRunAction,
    DryRunOutcome,
    DryRunPeriod,
    DryRunRead,
    DryRunRecord,
    DryRunResult,
    FormulaTrigger,
    GiveAchievementAction,
    RecordTrigger,
)
from plaudit.notification.webhook import request_headers
from plaudit.periods import PeriodWindow, period_containing
from plaudit.rules.sql import filter_clause

SIGNATURE_PLACEHOLDER = "sha256=<computed when sent, over the raw body>"


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
) -> DryRunRead:
    if member_id is not None:
        get_member(session, member_id)
    instant = at or now
    members = _members(session, member_id)
    if isinstance(compiled.trigger, RecordTrigger):
        results = _record_results(
            session, compiled, compiled.trigger, members, member_id, now=now, zone=zone
        )
        period = None
    else:
        window = period_containing(instant, compiled.trigger.period, zone)
        results = _formula_results(
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
        period = DryRunPeriod(
            period=window.period, key=window.key, start=window.start, end=window.end
        )
    return DryRunRead(
        notification_id=compiled.id if saved else None,
        active=active,
        trigger=compiled.trigger.type,
        period=period,
        members_checked=len(members),
        would_fire=sum(r.outcome is DryRunOutcome.would_fire for r in results),
        results=results,
    )


def _members(session: Session, member_id: int | None) -> list[Member]:
    query = select(Member).order_by(Member.id)
    if member_id is not None:
        query = query.where(Member.id == member_id)
    return list(session.scalars(query))


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
        if record is None:
            if member_id is not None:
                results.append(
                    DryRunResult(member_id=member.id, outcome=DryRunOutcome.no_matching_record)
                )
            continue
        seen = RecordSeen(
            trigger.source,
            record.occurred_at,
            record.data,
            event=trigger.events[0].value,
            external_id=record.external_id,
        )
        results.append(
            DryRunResult(
                member_id=member.id,
                outcome=DryRunOutcome.would_fire,
                record=DryRunRecord(
                    id=record.id,
                    source=trigger.source,
                    external_id=record.external_id,
                    occurred_at=record.occurred_at,
                    data=record.data,
                ),
                action=_try_action(
                    session, compiled, member, seen, at=record.occurred_at, now=now, zone=zone
                ),
            )
        )
    return results


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
) -> list[DryRunResult]:
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
    results: list[DryRunResult] = []
    for member in members:
        value = evaluate(compiled.expr, values.get(member.id) or empty_values(compiled))
        if member.id in fired:
            outcome = DryRunOutcome.already_fired
        elif value is None:
            outcome = DryRunOutcome.no_value
        elif not meets(trigger.operator, value, trigger.threshold):
            outcome = DryRunOutcome.not_met
        else:
            outcome = DryRunOutcome.would_fire
        listed = outcome in (DryRunOutcome.would_fire, DryRunOutcome.already_fired)
        if not listed and member_id is None:
            continue
        action = None
        if outcome is DryRunOutcome.would_fire:
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
            DryRunResult(member_id=member.id, outcome=outcome, value=value, action=action)
        )
    return results


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
    payload = build_payload(
        compiled, member, fired_at=now, record=record, value=value, window=window
    )
    headers = request_headers(delivery_id=None, sent_at=now, signature=SIGNATURE_PLACEHOLDER)
    return DryRunAction(
        type="webhook", outcome="would_send", url=action.url, headers=headers, payload=payload
    )
