"""The seasons page: the past seasons of a seasonal board, one season's final standings and
who got which season award. Members see the published boards only (the API's service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response

from plaudit.errors import InvalidInput
from plaudit.http.deps import SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.leaderboard.board.service import board_filters, list_boards, visible_board
from plaudit.leaderboard.measure import measure_name
from plaudit.leaderboard.season.schemas import SeasonQuery, SeasonRead
from plaudit.leaderboard.season.service import get_season, list_seasons
from plaudit.web.access import require
from plaudit.web.forms.leaderboard import column_label
from plaudit.web.numbers import format_number
from plaudit.web.pages import page_router, render
from plaudit.web.routes.leaderboard import Board, Row
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]

SEASONS_SHOWN = 24
ROWS_SHOWN = 500


@dataclass(frozen=True)
class SeasonLink:
    id: int
    label: str
    current: bool


@dataclass(frozen=True)
class Winner:
    top: int
    achievement: str
    member: str
    given: bool
    refused: str | None


def season_label(period: str, key: str) -> str:
    """ "Week of 23 March 2026", "November 2026", "Q4 2026", "2026"."""
    first = date.fromisoformat(key)
    if period == "week":
        return f"Week of {first.day} {first:%B %Y}"
    if period == "month":
        return f"{first:%B %Y}"
    if period == "quarter":
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    return str(first.year)


def _whole_number(value: str, field: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or not 0 < int(value) < 2**31:
        raise InvalidInput(detail=f"'{field}' must be a whole number such as 3.", field=field)
    return int(value)


def _when(season: SeasonRead, zone: ZoneInfo) -> dict[str, str]:
    """The season's bounds and closing time in the organisation's zone, as words."""

    def local(instant: datetime) -> str:
        return instant.astimezone(zone).strftime("%d %b %Y, %H:%M")

    return {
        "start": local(season.period_start),
        "end": local(season.period_end),
        "closed": local(season.closed_at),
        "zone": zone.key,
    }


@router.get("/leaderboard/seasons")
def seasons_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Viewer,
    board: str = "",
    season: str = "",
) -> Response:
    viewer = user.principal
    seasonal = [b for b in list_boards(session, viewer) if b.seasonal]
    board_id = _whole_number(board, "board")
    season_id = _whole_number(season, "season")
    shown: SeasonRead | None = None
    if season_id is not None:
        shown = get_season(session, season_id, viewer=viewer, rows=ROWS_SHOWN)
        board_id = shown.board.id
    if board_id is None and seasonal:
        board_id = seasonal[0].id
    chosen = visible_board(session, board_id, viewer) if board_id is not None else None
    links: list[SeasonLink] = []
    if chosen is not None:
        page = list_seasons(
            session, SeasonQuery(board=chosen.id, limit=SEASONS_SHOWN, rows=1), viewer=viewer
        )
        if shown is None and page.seasons:
            shown = get_season(session, page.seasons[0].id, viewer=viewer, rows=ROWS_SHOWN)
        links = [
            SeasonLink(
                s.id, season_label(s.period, s.period_key), shown is not None and s.id == shown.id
            )
            for s in page.seasons
        ]
    table = None
    winners: list[Winner] = []
    if shown is not None and chosen is not None:
        current = measure_name(chosen.source, chosen.aggregate, chosen.field, board_filters(chosen))
        measure = (
            column_label(chosen.source, chosen.aggregate, chosen.field)
            if current == shown.measure
            else shown.measure
        )
        table = Board(
            title=f"{shown.board.name} · {season_label(shown.period, shown.period_key)}",
            measure=measure,
            period=shown.period,
            rows=[
                Row(
                    rank=r.rank,
                    name=r.member.name,
                    member_id=r.member.id,
                    value=format_number(r.score),
                    icons=[],
                )
                for r in shown.standings
            ],
            spec="",
        )
        winners = [
            Winner(w.top, w.achievement_name, w.member_name, w.award_id is not None, w.refused)
            for w in shown.awards
        ]
    return render(
        request,
        "leaderboard/seasons.html",
        title="Seasons",
        boards=[(str(b.id), b.name) for b in seasonal],
        chosen=chosen,
        season=shown,
        season_name=season_label(shown.period, shown.period_key) if shown else "",
        when=_when(shown, settings.zone) if shown else None,
        links=links,
        board=table,
        winners=winners,
    )
