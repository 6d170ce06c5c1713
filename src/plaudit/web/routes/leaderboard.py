"""The leaderboard page: members ranked by points or a source's measure, per period and team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.leaderboard.schemas import LeaderboardRow
from plaudit.leaderboard.service import leaderboard
from plaudit.models import Achievement
from plaudit.source.service import list_sources
from plaudit.team.service import get_team, list_teams
from plaudit.web.access import require
from plaudit.web.forms.leaderboard import (
    PERIOD_LABELS,
    Choice,
    ChoiceError,
    measure_label,
    measure_options,
    parse_choice,
)
from plaudit.web.pages import page_router, render
from plaudit.web.routes.badges import badge_url
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]


@dataclass(frozen=True)
class Icon:
    """An award shown next to a name: the badge image if there is one, else the icon."""

    name: str
    icon: str
    image: str | None


@dataclass(frozen=True)
class Row:
    rank: int
    name: str
    member_id: int
    value: str
    icons: list[Icon]


@dataclass(frozen=True)
class Board:
    title: str
    measure: str
    period: str
    rows: list[Row]
    spec: str


def format_value(value: float) -> str:
    """12 -> "12", 1234.5 -> "1,234.50"."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}"


def _icons(session: Session, row: LeaderboardRow) -> list[Icon]:
    icons: list[Icon] = []
    for badge in row.badges:
        image = None
        if badge.badge_url is not None:
            achievement = session.get(Achievement, badge.achievement_id)
            if achievement is not None:
                image = badge_url(achievement.id, achievement.version)
        icons.append(Icon(name=badge.name, icon=badge.icon or "★", image=image))
    return icons


def build_board(session: Session, choice: Choice, *, now: datetime, zone: ZoneInfo) -> Board:
    """The ranked rows and a title; a bad choice raises ChoiceError (with the field)."""
    try:
        team = get_team(session, choice.team_id).name if choice.team_id is not None else None
    except PlauditError as exc:
        raise ChoiceError("team", exc.detail or "No such team.") from exc
    sources = list_sources(session)
    try:
        defaults = next(
            (s.default_where for s in sources if choice.with_defaults and s.key == choice.source),
            [],
        )
        query = choice.query(defaults, at=choice.at(now, zone))
        result = leaderboard(session, query, now=now, zone=zone)
    except PlauditError as exc:
        raise ChoiceError("measure", exc.detail or "This measure cannot be used.") from exc
    measure = measure_label(choice.measure, measure_options(sources))
    period = PERIOD_LABELS[choice.period]
    rows = [
        Row(
            rank=r.rank,
            name=r.member.name,
            member_id=r.member.id,
            value=format_value(r.score),
            icons=_icons(session, r),
        )
        for r in result.rows
    ]
    title = f"{measure} · {period}" + (f" · {team}" if team else "")
    return Board(title=title, measure=measure, period=period, rows=rows, spec=choice.spec)


@router.get("/leaderboard")
def leaderboard_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    measure: str = "",
    period: str = "",
    team: str = "",
) -> Response:
    errors: dict[str, str] = {}
    board: Board | None = None
    try:
        choice = parse_choice(measure, period, team)
        board = build_board(session, choice, now=now, zone=settings.zone)
    except ChoiceError as exc:
        errors[exc.field] = exc.message
    return render(
        request,
        "leaderboard/page.html",
        title="Leaderboard",
        status_code=400 if errors else 200,
        board=board,
        errors=errors,
        selected={"measure": measure or "points", "period": period or "month", "team": team},
        measures=measure_options(list_sources(session)),
        periods=list(PERIOD_LABELS.items()),
        teams=list_teams(session),
    )
