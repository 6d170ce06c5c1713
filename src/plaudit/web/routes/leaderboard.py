"""The leaderboard page: members ranked by points, a saved board or (admins and managers) a
source's measure, per period and team. Members are offered points and the published boards
only; any other measure is refused for them by the same service as the API's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.board.service import get_board, list_boards, show_leaderboard
from plaudit.leaderboard.schemas import Leaderboard, LeaderboardRow
from plaudit.models import Achievement
from plaudit.source.service import list_sources
from plaudit.team.service import get_team, list_teams
from plaudit.web.access import require
from plaudit.web.forms.leaderboard import (
    CURRENT_TOKENS,
    PERIOD_LABELS,
    POINTS,
    Choice,
    ChoiceError,
    board_options,
    column_label,
    measure_label,
    measure_options,
    parse_choice,
)
from plaudit.web.numbers import format_number
from plaudit.web.pages import page_router, render
from plaudit.web.routes.badges import BadgeLink, badge_url
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]


@dataclass(frozen=True)
class Icon:
    """An award shown next to a name: the badge image if there is one, else the icon."""

    name: str
    icon: str | None
    image: str | None


@dataclass(frozen=True)
class Row:
    rank: int
    name: str
    member_id: int
    value: str
    icons: list[Icon]
    level: str = ""


@dataclass(frozen=True)
class Board:
    title: str
    measure: str
    period: str
    rows: list[Row]
    spec: str


def _icons(session: Session, row: LeaderboardRow, badge_link: BadgeLink) -> list[Icon]:
    icons: list[Icon] = []
    for badge in row.badges:
        image = None
        if badge.badge_url is not None:
            achievement = session.get(Achievement, badge.achievement_id)
            if achievement is not None:
                image = badge_link(achievement.id, achievement.version)
        icons.append(Icon(name=badge.name, icon=badge.icon, image=image))
    return icons


def viewer_measures(session: Session, viewer: Principal) -> list[tuple[str, str]]:
    """The measures `viewer` may choose: points and the boards they see; for admins and
    managers also every measure of every source."""
    boards = board_options(list_boards(session, viewer))
    if not viewer.is_staff:
        return [(POINTS, "Points"), *boards]
    points, *sources = measure_options(list_sources(session))
    return [points, *boards, *sources]


def _status(exc: PlauditError) -> int:
    """403 for a measure the viewer may not choose, 404 for an unknown board, else 400."""
    if exc.status == 403 or exc.code == "board_not_found":
        return exc.status
    return 400


def build_board(
    session: Session,
    choice: Choice,
    *,
    viewer: Principal,
    now: datetime,
    zone: ZoneInfo,
    badge_link: BadgeLink = badge_url,
) -> Board:
    """The ranked rows and a title, if `viewer` may see them; a bad or refused choice raises
    ChoiceError (with the field, and 403 for a measure the viewer may not choose)."""
    try:
        team = get_team(session, choice.team_id).name if choice.team_id is not None else None
    except PlauditError as exc:
        raise ChoiceError("team", exc.detail or "No such team.") from exc
    sources = list_sources(session) if choice.source is not None else []
    defaults: list[dict[str, Any]] = []
    if choice.with_defaults:
        defaults = next((s.default_where for s in sources if s.key == choice.source), [])
    try:
        query = choice.query(defaults, at=choice.at(now, zone))
        result = show_leaderboard(session, query, viewer=viewer, now=now, zone=zone)
    except PlauditError as exc:
        raise ChoiceError(
            "measure", exc.detail or "This measure cannot be used.", _status(exc)
        ) from exc
    if result.board is not None:
        saved = get_board(session, result.board.id)
        named = result.board.name  # the title names the board; the column, what it counts
        measure = column_label(saved.source, saved.aggregate, saved.field)
        if not choice.team and saved.team_id is not None:  # the board's own team
            team = get_team(session, saved.team_id).name
    elif choice.source is None:
        named = measure = "Points"
    else:
        named = measure = measure_label(choice.measure, measure_options(sources), sources)
    period = PERIOD_LABELS[choice.period or CURRENT_TOKENS[result.period]]
    title = f"{named} · {period}" + (f" · {team}" if team else "")
    rows = ranked_rows(session, result, badge_link)
    return Board(title=title, measure=measure, period=period, rows=rows, spec=choice.spec)


def ranked_rows(session: Session, result: Leaderboard, badge_link: BadgeLink) -> list[Row]:
    return [
        Row(
            rank=r.rank,
            name=r.member.name,
            member_id=r.member.id,
            value=format_number(r.score),
            icons=_icons(session, r, badge_link),
            level=r.level.name if r.level else "",
        )
        for r in result.rows
    ]


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
    status = 200
    selected = {"measure": measure or POINTS, "period": period or "month", "team": team}
    try:
        choice = parse_choice(measure, period, team)
        selected = {"measure": choice.measure, "period": choice.period, "team": choice.team}
        board = build_board(session, choice, viewer=user.principal, now=now, zone=settings.zone)
    except ChoiceError as exc:
        errors[exc.field] = exc.message
        status = exc.status
    periods = list(PERIOD_LABELS.items())
    if selected["measure"].startswith("board-"):
        periods = [("", "The board's period"), *periods]
    return render(
        request,
        "leaderboard/page.html",
        title="Leaderboard",
        status_code=status,
        board=board,
        errors=errors,
        selected=selected,
        measures=viewer_measures(session, user.principal),
        periods=periods,
        teams=list_teams(session),
        is_board=selected["measure"].startswith("board-"),
        is_staff=user.principal.is_staff,
    )
