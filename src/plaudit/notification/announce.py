"""Firings of Slack, Teams and email actions become outbox rows: one message per firing, or,
when one batch of records fires a notification for more than `SUMMARY_THRESHOLD` people with
the same recipients, one summary message for all of them.

The batch is one call of the ingestion hook (one request's records of a source, one chunk of an
import): its firings are collected while they are made, and enqueued together at its end, in
the same transaction. The outbox row keeps what the message says (who, why, the page paths);
the worker renders it into Slack's, Teams' or an email's format when it sends it, with the
public URL of its settings (`channels.py`). Webhooks are not summarised: every firing is one
delivery (their contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.models import Member, NotificationFiring
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.outbox import enqueue
from plaudit.notification.payload import AwardSeen, EventSeen, LevelSeen, RecordSeen
from plaudit.notification.schemas import (
    EmailAction,
    EmailRecipients,
    FiringOutcome,
    FormulaTrigger,
    RecordTrigger,
    SlackAction,
    TeamsAction,
)
from plaudit.periods import ALL_KEY, PeriodWindow

SUMMARY_THRESHOLD = 5
"""More firings than this, of one notification to the same recipients in one batch: a summary."""
MANAGER_ROLE = "manager"
MEMBER_PAGE = "/admin/members/{id}"
NOTIFICATION_PAGE = "/admin/notifications/{id}"
NO_RECIPIENTS = "no_recipients"


def detail(
    compiled: CompiledNotification,
    record: RecordSeen | None,
    *,
    value: float | None,
    window: PeriodWindow | None,
    seen: EventSeen | None = None,
) -> str:
    """Why it fired, in words, for the message's context line."""
    trigger = compiled.trigger
    if isinstance(seen, AwardSeen):
        points = "1 point" if seen.points == 1 else f"{seen.points:,} points"
        period = "" if seen.period_key == ALL_KEY else f", {seen.period_key}"
        return f"Was awarded {seen.achievement_name} ({points}{period})."
    if isinstance(seen, LevelSeen):
        year = f" in {seen.scope_key}" if seen.scope == "year" else ""
        return f"Reached the level {seen.name} ({seen.threshold:,} points{year})."
    if not isinstance(trigger, RecordTrigger | FormulaTrigger):
        return f"A {trigger.type} event."
    if isinstance(trigger, FormulaTrigger):
        shown = "no value" if value is None else f"{value:,.6g}"
        threshold = f"{trigger.threshold:,.6g}"
        when = f" in the {trigger.period.value} from {window.key}" if window and window.key else ""
        return f"{trigger.formula} = {shown} ({trigger.operator.value} {threshold}){when}"
    if record is None:
        return f"A {trigger.source} record arrived."
    event = record.event or "created"
    return f"A {record.source} record was {event} ({record.occurred_at.date().isoformat()})."


def recipients(session: Session, action: EmailAction, member: Member) -> list[str]:
    """The addresses an email goes to: the member's, their team's managers' (members of the
    same team whose role is `manager`, any case, with an email), or the fixed ones."""
    if action.to is EmailRecipients.addresses:
        return list(action.addresses)
    if action.to is EmailRecipients.member:
        return [member.email] if member.email else []
    if member.team_id is None:
        return []
    found = session.scalars(
        select(Member.email)
        .where(
            Member.team_id == member.team_id,
            func.lower(Member.role) == MANAGER_ROLE,
            Member.active.is_(True),
            Member.email.is_not(None),
        )
        .order_by(Member.id)
    ).all()
    return [email for email in found if email]


@dataclass
class _Fired:
    firing: NotificationFiring
    member: Member
    detail: str


@dataclass
class ChannelBatch:
    """The channel firings of one batch, enqueued by `flush` (summaries where many)."""

    fired: dict[int, tuple[CompiledNotification, list[_Fired]]] = field(default_factory=dict)
    context: str | None = None
    """What made them all fire at once, for a summary's context line (default: a batch of
    records)."""

    def add(
        self,
        compiled: CompiledNotification,
        firing: NotificationFiring,
        member: Member,
        why: str,
    ) -> None:
        self.fired.setdefault(compiled.id, (compiled, []))[1].append(_Fired(firing, member, why))

    def flush(self, session: Session, *, now: datetime) -> None:
        for compiled, fired in self.fired.values():
            action = compiled.action
            groups: dict[tuple[str, ...], list[_Fired]] = {}
            for one in fired:
                to: tuple[str, ...] = ()
                if isinstance(action, EmailAction):
                    to = tuple(recipients(session, action, one.member))
                    if not to:
                        one.firing.outcome = FiringOutcome.refused.value
                        one.firing.code = NO_RECIPIENTS
                        one.firing.detail = nobody(action, one.member)
                        continue
                groups.setdefault(to, []).append(one)
            for to, group in groups.items():
                if len(group) > SUMMARY_THRESHOLD:
                    _enqueue(
                        session, compiled, group, list(to), now=now, summary=self.context or ""
                    )
                else:
                    for one in group:
                        _enqueue(session, compiled, [one], list(to), now=now, summary=None)
        self.fired.clear()


def nobody(action: EmailAction, member: Member) -> str:
    if action.to is EmailRecipients.member:
        return f"Member {member.id} has no email address."
    if member.team_id is None:
        return f"Member {member.id} is in no team, so has no team managers to email."
    return f"Team {member.team_id} has no member with role 'manager' and an email address."


def _channel(compiled: CompiledNotification) -> str:
    return compiled.action.type


def _enqueue(
    session: Session,
    compiled: CompiledNotification,
    group: list[_Fired],
    to: list[str],
    *,
    now: datetime,
    summary: str | None,
) -> None:
    """`summary`: None for one message per firing, else the summary's context line ("" for
    the default)."""
    is_summary = summary is not None
    payload = channel_payload(
        compiled,
        [(one.member, one.detail) for one in group],
        to,
        summary=is_summary,
        context=summary or None,
    )
    single = None if is_summary else group[0]
    delivery = enqueue(
        session,
        notification_id=compiled.id,
        firing_id=single.firing.id if single else None,
        member_id=single.member.id if single else None,
        url=where(compiled, to),
        payload=payload,
        now=now,
        channel=_channel(compiled),
        summary_of=len(group) if is_summary else None,
    )
    for one in group:
        one.firing.outcome = FiringOutcome.enqueued.value
        one.firing.delivery_id = delivery.id


def where(compiled: CompiledNotification, to: list[str]) -> str:
    """What the delivery log shows as the destination: never a chat URL (a secret)."""
    action = compiled.action
    if isinstance(action, SlackAction | TeamsAction):
        return f"{action.type}: {action.host or 'incoming webhook'}"
    return ("mailto:" + ",".join(to))[:2000]


def channel_payload(
    compiled: CompiledNotification,
    mentions: list[tuple[Member, str]],
    to: list[str],
    *,
    summary: bool,
    context: str | None = None,
) -> dict[str, Any]:
    """What the outbox keeps for a chat or email message (rendered when sent)."""
    payload: dict[str, Any] = {
        "channel": _channel(compiled),
        "notification": {"id": compiled.id or None, "name": compiled.name},
        "summary": summary,
        "summary_path": NOTIFICATION_PAGE.format(id=compiled.id) if compiled.id else None,
        "mentions": [
            {
                "member_id": member.id,
                "name": member.name,
                "detail": why,
                "path": MEMBER_PAGE.format(id=member.id),
            }
            for member, why in mentions
        ],
    }
    if context:
        payload["context"] = context
    if isinstance(compiled.action, EmailAction):
        payload["to"] = to
    return payload
