"""The audit log page: who did what, when and why, filtered by action, actor, member,
achievement and dates, newest first, 50 events a page. Admins only, as `GET /audit`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import list_actions, list_actors, list_events
from plaudit.http.deps import SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.models import Achievement, Member
from plaudit.web.access import require
from plaudit.web.audit_words import action_label, actor_words, describe, load_names
from plaudit.web.forms.people import parse_id
from plaudit.web.pages import page_router, render
from plaudit.web.user import WebUser

router = page_router()
BASE = "/admin/audit"
PER_PAGE = 50
AuditReader = Annotated[WebUser, Depends(require(Role.admin))]


@dataclass(frozen=True)
class AuditQuery:
    """The filters as typed (shown back in the form) and as understood."""

    action: str = ""
    actor: str = ""
    member: str = ""
    achievement: str = ""
    start: str = ""
    end: str = ""

    def as_params(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("action", self.action),
                ("actor", self.actor),
                ("member", self.member),
                ("achievement", self.achievement),
                ("from", self.start),
                ("to", self.end),
            )
            if v
        }


def _day(raw: str, label: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"The {label} date “{raw}” is not a date: use the form 2026-11-18.")
        return None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    members = session.execute(select(Member.id, Member.name).order_by(Member.name, Member.id))
    achievements = session.execute(
        select(Achievement.id, Achievement.name).order_by(Achievement.name, Achievement.id)
    )
    return {
        "actions": [(a, action_label(a)) for a in list_actions(session)],
        "actors": [(a, actor_words(a)) for a in list_actors(session)],
        "members": [(str(i), n) for i, n in members],
        "achievements": [(str(i), n) for i, n in achievements],
    }


@router.get(BASE)
def audit_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AuditReader,
    action: str = "",
    actor: str = "",
    member: str = "",
    achievement: str = "",
    before: str = "",
) -> Response:
    params = request.query_params
    query = AuditQuery(
        action=action.strip()[:50],
        actor=actor.strip()[:200],
        member=member.strip()[:20],
        achievement=achievement.strip()[:20],
        start=(params.get("from") or "").strip()[:20],
        end=(params.get("to") or "").strip()[:20],
    )
    problems: list[str] = []
    member_id = parse_id(query.member)
    if query.member and member_id is None:
        problems.append("Choose the member from the list.")
    achievement_id = parse_id(query.achievement)
    if query.achievement and achievement_id is None:
        problems.append("Choose the achievement from the list.")
    first = _day(query.start, "“from”", problems)
    last = _day(query.end, "“to”", problems)
    if first and last and first > last:
        problems.append(
            f"The “from” date ({first.isoformat()}) is after the “to” date "
            f"({last.isoformat()}): nothing can be in between."
        )
    before_id = parse_id(before)
    events = []
    if not problems:
        events = list(
            list_events(
                session,
                action=query.action or None,
                actor=query.actor or None,
                member_id=member_id,
                achievement_id=achievement_id,
                since=_midnight(first, settings.zone) if first else None,
                until=_midnight(last + timedelta(days=1), settings.zone) if last else None,
                before_id=before_id,
                limit=PER_PAGE + 1,
            )
        )
    shown = events[:PER_PAGE]
    names = load_names(session, shown)
    return render(
        request,
        "admin/audit/list.html",
        title="Audit log",
        query=query,
        params=query.as_params(),
        problems=problems,
        views=[describe(e, names) for e in shown],
        action_label=action_label,
        actor_words=actor_words,
        zone=settings.zone,
        older=shown[-1].id if len(events) > PER_PAGE else None,
        paged=before_id is not None,
        status_code=400 if problems else 200,
        choices=_choices(session),
    )
