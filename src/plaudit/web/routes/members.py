"""Admin pages for members: the searchable list and one member's page (details, awards, the
"Give achievement" form). Giving and revoking are in `member_awards.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Path, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import list_achievements
from plaudit.award.schemas import award_is_active
from plaudit.domain.categories import Category
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.schemas import MAX_ID, TextInt
from plaudit.member.service import get_member
from plaudit.models import Achievement, Award, Member, Team
from plaudit.periods import ALL_KEY, Period
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import FieldErrors
from plaudit.web.forms.people import (
    PERIOD_CHOICES,
    PERIOD_WORDS,
    GiveValues,
    parse_id,
    parse_page,
    period_examples,
)
from plaudit.web.member_progress import member_progress
from plaudit.web.pages import page_router, render
from plaudit.web.streak_tiles import streak_tiles

router = page_router()
BASE = "/admin/members"
PER_PAGE = 50
MAX_SEARCH = 200
IdPath = Annotated[TextInt, Path(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class MemberRow:
    member: Member
    team: str | None
    points: int
    awards: int


@dataclass(frozen=True)
class AwardRow:
    award: Award
    achievement: Achievement
    state: str  # active, expired, upcoming or revoked
    period: str


def _list_query(search: str, team_id: int | None) -> Select[Member, str, Any, Any]:
    totals = (
        select(
            Award.member_id,
            func.coalesce(func.sum(Award.points), 0).label("points"),
            func.count(Award.id).label("awards"),
        )
        .where(Award.revoked.is_(False))
        .group_by(Award.member_id)
        .subquery()
    )
    query = (
        select(
            Member,
            Team.name,
            func.coalesce(totals.c.points, 0),
            func.coalesce(totals.c.awards, 0),
        )
        .outerjoin(Team, Member.team_id == Team.id)
        .outerjoin(totals, totals.c.member_id == Member.id)
    )
    if search:
        needle = search.lower()
        query = query.where(
            or_(
                func.lower(Member.name).contains(needle, autoescape=True),
                func.lower(Member.email).contains(needle, autoescape=True),
                func.lower(Member.external_id).contains(needle, autoescape=True),
            )
        )
    if team_id is not None:
        query = query.where(Member.team_id == team_id)
    return query.order_by(func.lower(Member.name), Member.id)


@router.get(BASE)
def list_page(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    q: str = "",
    team: str = "",
    page: str = "",
) -> Response:
    search = q.strip()[:MAX_SEARCH]
    team_id = parse_id(team)
    number = parse_page(page)
    rows = session.execute(
        _list_query(search, team_id).limit(PER_PAGE + 1).offset((number - 1) * PER_PAGE)
    ).all()
    members = [
        MemberRow(member=m, team=t, points=int(p or 0), awards=int(a or 0))
        for m, t, p, a in rows[:PER_PAGE]
    ]
    return render(
        request,
        "admin/members/list.html",
        title="Members",
        rows=members,
        search=search,
        team_id=team_id,
        teams=list_teams(session),
        page=number,
        has_next=len(rows) > PER_PAGE,
    )


def _state(award: Award, now: datetime) -> str:
    if award.revoked:
        return "revoked"
    if award_is_active(award.revoked, award.period_start, award.period_end, now):
        return "active"
    if award.period_start is not None and award.period_start > now:
        return "upcoming"
    return "expired"


def _period(award: Award, achievement: Achievement) -> str:
    if award.period_key == ALL_KEY:
        return "—"
    kind = Period(achievement.period).value if achievement.period else ""
    return f"{kind} of {award.period_key}".strip() if kind != "none" else award.period_key


def member_awards(session: Session, member_id: int, now: datetime) -> list[AwardRow]:
    """The member's awards, newest first, with their state now."""
    rows = session.execute(
        select(Award, Achievement)
        .join(Achievement, Award.achievement_id == Achievement.id)
        .where(Award.member_id == member_id)
        .order_by(Award.awarded_at.desc(), Award.id.desc())
    ).all()
    return [
        AwardRow(award=a, achievement=ach, state=_state(a, now), period=_period(a, ach))
        for a, ach in rows
    ]


def achievement_choices(session: Session) -> list[tuple[str, list[tuple[str, str]]]]:
    """Active achievements grouped by category: [(category label, [(id, label)])]."""
    groups: dict[str, list[tuple[str, str]]] = {c.value: [] for c in Category}
    for a in list_achievements(session, active=True):
        word = PERIOD_WORDS.get(Period(a.period), "")
        extra = f", {word}" if word else ""
        groups.setdefault(a.category, []).append(
            (str(a.id), f"{a.name} ({a.points} points{extra})")
        )
    return [(c.capitalize(), options) for c, options in groups.items() if options]


def member_page(
    request: Request,
    session: Session,
    member_id: int,
    *,
    now: datetime,
    zone: ZoneInfo,
    values: GiveValues | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    """One member's page; the give form re-rendered with `values` and `errors` if given."""
    member = get_member(session, member_id)
    team = session.get(Team, member.team_id) if member.team_id is not None else None
    return render(
        request,
        "admin/members/detail.html",
        title=member.name,
        member=member,
        team=team,
        awards=member_awards(session, member.id, now),
        progress=member_progress(session, member.id, now=now, zone=zone),
        streaks=streak_tiles(session, member.id, now=now, zone=zone),
        choices=achievement_choices(session),
        period_choices=PERIOD_CHOICES,
        period_examples=period_examples(now, zone),
        values=values or GiveValues(),
        errors=errors or {},
        status_code=status_code,
    )


@router.get(BASE + "/{member_id}")
def detail_page(
    member_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return member_page(request, session, member_id, now=now, zone=settings.zone)
