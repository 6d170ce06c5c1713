"""The member portal: a member's own achievements as tiles, with progress, points and awards.

A member sees only their own portal; staff open any member's with `?member_id=N` (without
it they get a member picker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response

from plaudit.errors import BadRequest, Forbidden
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.kit.schemas import MAX_ID
from plaudit.member.service import get_member, list_members
from plaudit.periods import Period, period_containing
from plaudit.portal.schemas import PortalAchievement, RuleProgressRead
from plaudit.portal.service import portal_view
from plaudit.source.service import list_sources
from plaudit.web.access import require
from plaudit.web.numbers import format_number
from plaudit.web.pages import page_router, render
from plaudit.web.routes.badges import background_url, badge_url
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]
RECENT_AWARDS = 10
BAR_OPERATORS = ("at_least", "more_than", "exactly")
AGGREGATE_WORDS = {
    "count": "",
    "sum": "total",
    "avg": "average",
    "min": "smallest",
    "max": "largest",
    "count_distinct": "distinct",
}


@dataclass(frozen=True)
class RuleLine:
    text: str
    current: float
    target: float
    met: bool
    bar: bool


@dataclass(frozen=True)
class Item:
    achievement: Any
    complete: bool
    badge: str | None
    background: str | None
    state: str
    rules: list[RuleLine]
    facts: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RecentAward:
    name: str
    points: int
    iso: str
    when: str


def _day(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d")


def _moment(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _rule_line(rule: RuleProgressRead, spec: dict[str, Any], names: dict[str, str]) -> RuleLine:
    current = rule.current or 0.0
    source = names.get(rule.source, rule.source)
    words = AGGREGATE_WORDS.get(rule.aggregate, rule.aggregate)
    what = f"{source} records" if rule.aggregate == "count" else f"{words} {spec.get('field')}"
    if rule.aggregate != "count":
        what = f"{what} ({source})"
    bar = rule.operator in BAR_OPERATORS and rule.target > 0
    if bar:
        text = f"{format_number(current)} of {format_number(rule.target)} {what}"
    else:
        limit = rule.operator.replace("_", " ")
        text = f"{format_number(current)} {what} ({limit} {format_number(rule.target)})"
    return RuleLine(text=text, current=current, target=rule.target, met=rule.met, bar=bar)


def _facts(entry: PortalAchievement, now: datetime, zone: ZoneInfo) -> list[tuple[str, str]]:
    a = entry.achievement
    facts: list[tuple[str, str]] = []
    if a.period != Period.none:
        window = period_containing(now, a.period, zone)
        if window.start is not None and window.end is not None:
            last = _day(window.end - timedelta(seconds=1), zone)
            facts.append(
                ("Period", f"{a.period.value.capitalize()}: {_day(window.start, zone)} to {last}")
            )
    if a.effective.from_ is not None or a.effective.until is not None:
        start = _day(a.effective.from_, zone) if a.effective.from_ else "the start"
        end = _day(a.effective.until - timedelta(seconds=1), zone) if a.effective.until else "—"
        facts.append(("Effective", f"{start} to {end}"))
    if entry.decided_at is not None:
        facts.append(("Decided", f"when the period ends, {_moment(entry.decided_at, zone)}"))
    if entry.awards:
        facts.append(("Awarded", _moment(max(w.awarded_at for w in entry.awards), zone)))
    if a.repeatable:
        times = entry.completions
        facts.append(("Completions", f"{times} time{'s' if times != 1 else ''}"))
    return facts


def _item(entry: PortalAchievement, names: dict[str, str], now: datetime, zone: ZoneInfo) -> Item:
    a = entry.achievement
    rules = [
        _rule_line(rule, a.requirements[rule.group][rule.rule], names) for rule in entry.progress
    ]
    met = sum(1 for r in rules if r.met)
    state = f"{met} of {len(rules)} rules met" if rules else "Not yet complete"
    return Item(
        achievement=a,
        complete=entry.complete,
        badge=badge_url(a.id, a.version) if a.badge_url else None,
        background=background_url(a.id, a.version) if a.background_image_url else None,
        state=state,
        rules=rules,
        facts=_facts(entry, now, zone),
    )


def _member_id(user: WebUser, raw: str) -> int | None:
    """Whose portal to show: a member's own; for staff the one asked for (None: pick one)."""
    value = raw.strip()
    if value and (not value.isdigit() or not 1 <= int(value) <= MAX_ID):
        raise BadRequest(detail=f"member_id must be a member's number, not {raw!r}.")
    asked = int(value) if value else None
    if user.role != Role.member:
        return asked
    if user.member_id is None:
        raise Forbidden(detail="Your user is not linked to a member, so there is no portal.")
    if asked is not None and asked != user.member_id:
        raise Forbidden(detail="A member sees only their own achievements and progress.")
    return user.member_id


@router.get("/portal")
def portal_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    member_id: str = "",
) -> Response:
    chosen = _member_id(user, member_id)
    if chosen is None:
        members = list_members(session)
        return render(request, "portal/pick.html", title="Member portal", members=members)
    member = get_member(session, chosen)
    zone = settings.zone
    view = portal_view(session, chosen, now=now, zone=zone)
    names = {s.key: s.name for s in list_sources(session)}
    items = [_item(entry, names, now, zone) for entry in view.achievements]
    items.sort(key=lambda i: (not i.complete, i.achievement.name.casefold()))
    recent = sorted(
        ((w, entry.achievement.name) for entry in view.achievements for w in entry.awards),
        key=lambda pair: (pair[0].awarded_at, pair[0].id),
        reverse=True,
    )[:RECENT_AWARDS]
    awards = [
        RecentAward(
            name=name,
            points=w.points,
            iso=w.awarded_at.isoformat(),
            when=_moment(w.awarded_at, zone),
        )
        for w, name in recent
    ]
    own = user.role == Role.member
    return render(
        request,
        "portal/page.html",
        title="My achievements" if own else f"Achievements of {member.name}",
        member=member,
        points=view.points,
        items=items,
        awards=awards,
        own=own,
    )
