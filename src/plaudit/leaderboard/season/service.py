"""Reading the archive: ended seasons with their final standings and season awards.

Members see the seasons of published boards only, as they see the boards themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import Session

from plaudit.errors import not_found
from plaudit.kit.roles import Principal
from plaudit.leaderboard.board.service import visible_board
from plaudit.leaderboard.schemas import BoardShown, LeaderboardMember
from plaudit.leaderboard.season.schemas import (
    SeasonPage,
    SeasonQuery,
    SeasonRead,
    SeasonWinnerRead,
    StandingRead,
)
from plaudit.models import Achievement, Board, Member, Season, SeasonStanding, SeasonWinner
from plaudit.team.service import get_team


def _conditions(session: Session, q: SeasonQuery, viewer: Principal) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.board is not None:
        visible_board(session, q.board, viewer)  # 404 unknown, 403 unpublished for members
        where.append(Season.board_id == q.board)
    if q.period is not None:
        where.append(Season.period == q.period.value)
    if q.measure is not None:
        where.append(Season.measure == q.measure)
    if q.team_id is not None:
        get_team(session, q.team_id)
        where.append(Season.team_id == q.team_id)
    if not viewer.is_staff:
        where.append(Board.published.is_(True))
    return where


def list_seasons(session: Session, q: SeasonQuery, *, viewer: Principal) -> SeasonPage:
    """The seasons `q` asks for that `viewer` may see, newest first, each with its top
    `q.rows` standings and its season awards."""
    where = _conditions(session, q, viewer)
    base = select(Season, Board.name).join(Board, Board.id == Season.board_id).where(*where)
    total = session.scalar(
        select(func.count())
        .select_from(Season)
        .join(Board, Board.id == Season.board_id)
        .where(*where)
    )
    page = session.execute(
        base.order_by(Season.period_end.desc(), Season.board_id, Season.id)
        .limit(q.limit)
        .offset(q.offset)
    ).all()
    return SeasonPage(
        seasons=read_seasons(session, page, rows=q.rows),
        total=total or 0,
        limit=q.limit,
        offset=q.offset,
    )


def read_seasons(
    session: Session, seasons: Sequence[Row[Season, str]], *, rows: int
) -> list[SeasonRead]:
    ids = [s.id for s, _ in seasons]
    standings = _standings(session, ids, rows)
    winners = _winners(session, ids)
    return [
        SeasonRead(
            id=season.id,
            board=BoardShown(id=season.board_id, name=board_name),
            period=season.period,
            period_key=season.period_key,
            period_start=season.period_start,
            period_end=season.period_end,
            measure=season.measure,
            team_id=season.team_id,
            closed_at=season.closed_at,
            standings=standings.get(season.id, []),
            awards=winners.get(season.id, []),
        )
        for season, board_name in seasons
    ]


def _standings(session: Session, ids: list[int], rows: int) -> dict[int, list[StandingRead]]:
    if not ids:
        return {}
    numbered = (
        select(
            SeasonStanding.season_id,
            SeasonStanding.rank,
            SeasonStanding.score,
            Member.id,
            Member.name,
            Member.team_id,
            func.row_number()
            .over(
                partition_by=SeasonStanding.season_id,
                order_by=(SeasonStanding.rank, SeasonStanding.id),
            )
            .label("n"),
        )
        .join(Member, Member.id == SeasonStanding.member_id)
        .where(SeasonStanding.season_id.in_(ids))
        .subquery()
    )
    query = (
        select(numbered).where(numbered.c.n <= rows).order_by(numbered.c.season_id, numbered.c.n)
    )
    out: dict[int, list[StandingRead]] = defaultdict(list)
    for season_id, place, score, member_id, name, team_id, _ in session.execute(query):
        out[season_id].append(
            StandingRead(
                rank=place,
                member=LeaderboardMember(id=member_id, name=name, team_id=team_id),
                score=score,
            )
        )
    return out


def _winners(session: Session, ids: list[int]) -> dict[int, list[SeasonWinnerRead]]:
    if not ids:
        return {}
    query = (
        select(SeasonWinner, Achievement.name, Member.name)
        .join(Achievement, Achievement.id == SeasonWinner.achievement_id)
        .join(Member, Member.id == SeasonWinner.member_id)
        .where(SeasonWinner.season_id.in_(ids))
        .order_by(SeasonWinner.season_id, SeasonWinner.top, SeasonWinner.id)
    )
    out: dict[int, list[SeasonWinnerRead]] = defaultdict(list)
    for winner, achievement_name, member_name in session.execute(query):
        out[winner.season_id].append(
            SeasonWinnerRead(
                top=winner.top,
                achievement_id=winner.achievement_id,
                achievement_name=achievement_name,
                member_id=winner.member_id,
                member_name=member_name,
                award_id=winner.award_id,
                refused=winner.refused,
            )
        )
    return out


def get_season(session: Session, season_id: int, *, viewer: Principal, rows: int) -> SeasonRead:
    """One season with its top `rows` standings, if `viewer` may see its board."""
    found = session.execute(
        select(Season, Board.name)
        .join(Board, Board.id == Season.board_id)
        .where(Season.id == season_id)
    ).first()
    if found is None:
        raise not_found("season", season_id)
    visible_board(session, found[0].board_id, viewer)
    return read_seasons(session, [found], rows=rows)[0]
