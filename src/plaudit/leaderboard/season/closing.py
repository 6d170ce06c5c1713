"""Archiving seasons as their periods end: the period closer's second kind of closing work.

For every seasonal board, `close_seasons` archives each period that ended since the board's
`seasons_closed_through` (the board row is locked first, so a second closer running at the
same time waits, then finds nothing left), then moves that mark to `now`: each season is
archived once, however many processes close periods, and a period that ended while no process
ran is archived the next time one does.

The standings are those of the period's window [start, end) in event time: records that
occurred after the end never count. A record that arrives late, after the season was archived,
for a time inside it, does not change the archive: the archive is the standings at closing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.award.service import give_award
from plaudit.domain.origins import AwardOrigin
from plaudit.errors import PlauditError
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.board.service import board_filters, board_query
from plaudit.leaderboard.measure import measure_name
from plaudit.leaderboard.schemas import LeaderboardQuery
from plaudit.leaderboard.service import member_scores
from plaudit.models import Board, Member, Season, SeasonStanding, SeasonWinner
from plaudit.periods import Period, PeriodWindow, period_containing

logger = logging.getLogger(__name__)

Standing = tuple[int, int, str, float]
"""(rank, member id, member name, score)."""


def ended_windows(
    period: Period, since: datetime, now: datetime, zone: ZoneInfo
) -> list[PeriodWindow]:
    """The windows of kind `period` whose end lies in (since, now], oldest first."""
    windows: list[PeriodWindow] = []
    window = period_containing(since, period, zone)
    while window.end is not None and window.end <= now:
        windows.append(window)
        window = period_containing(window.end, period, zone)
    return windows


def rank(scores: dict[int, float], names: dict[int, str]) -> list[Standing]:
    """Highest score first; equal scores share a rank (1, 1, 3) and are listed by name."""
    ordered = sorted(scores, key=lambda m: (-scores[m], names[m].casefold(), m))
    out: list[Standing] = []
    previous: float | None = None
    place = 0
    for position, member_id in enumerate(ordered, start=1):
        if scores[member_id] != previous:
            place, previous = position, scores[member_id]
        out.append((place, member_id, names[member_id], scores[member_id]))
    return out


def final_standings(session: Session, board: Board, window: PeriodWindow) -> list[Standing]:
    """The board's standings for the window: the active members of its team (every team when
    it has none) who have a score, ranked."""
    query = board_query(board, LeaderboardQuery())
    members = select(Member.id, Member.name).where(Member.active.is_(True))
    if board.team_id is not None:
        members = members.where(Member.team_id == board.team_id)
    names: dict[int, str] = {m: n for m, n in session.execute(members)}
    scores = member_scores(session, query, window, list(names))
    return rank({m: s for m, s in scores.items() if m in names}, names)


def close_seasons(session: Session, *, now: datetime, zone: ZoneInfo) -> list[int]:
    """Archive the seasons that ended since the last run and give their awards; return the
    new seasons' ids."""
    board_ids = session.scalars(
        select(Board.id).where(Board.seasonal.is_(True)).order_by(Board.id)
    ).all()
    season_ids: list[int] = []
    for board_id in board_ids:
        try:
            with session.begin_nested():
                season_ids += _close_board(session, board_id, now=now, zone=zone)
        except PlauditError as exc:  # its source deleted, say: the others are still archived
            logger.warning("seasons of board %s not archived: %s", board_id, exc.detail)
    return season_ids


def _close_board(session: Session, board_id: int, *, now: datetime, zone: ZoneInfo) -> list[int]:
    board = session.scalars(
        select(Board)
        .where(Board.id == board_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if board is None or not board.seasonal:
        return []
    since = board.seasons_closed_through
    if since is None:  # seasonal before the mark existed: from now on
        board.seasons_closed_through = now
        return []
    if since >= now:
        return []
    ids = [
        archive_season(session, board, window, now=now, zone=zone)
        for window in ended_windows(Period(board.period), since, now, zone)
    ]
    board.seasons_closed_through = now
    session.flush()
    return ids


def archive_season(
    session: Session, board: Board, window: PeriodWindow, *, now: datetime, zone: ZoneInfo
) -> int:
    """Store the window's final standings and give its season awards; the new season's id."""
    assert window.start is not None and window.end is not None
    standings = final_standings(session, board, window)
    season = Season(
        board_id=board.id,
        period=board.period,
        period_key=window.key,
        period_start=window.start,
        period_end=window.end,
        measure=measure_name(board.source, board.aggregate, board.field, board_filters(board)),
        team_id=board.team_id,
        closed_at=now,
    )
    session.add(season)
    session.flush()
    session.add_all(
        SeasonStanding(season_id=season.id, rank=place, member_id=member_id, score=score)
        for place, member_id, _, score in standings
    )
    _give_season_awards(session, board, season, standings, window, now=now, zone=zone)
    session.flush()
    return season.id


def _give_season_awards(
    session: Session,
    board: Board,
    season: Season,
    standings: list[Standing],
    window: PeriodWindow,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Each season award to every member ranked `top` or better, in the standings' order,
    through the award service: what its category (or audience, or window) refuses is kept
    with the reason, and the season is archived all the same."""
    assert window.end is not None
    actor = Principal(name=f"season:{board.id}", role=Role.admin)
    last_instant = window.end - timedelta(microseconds=1)
    entries = sorted(board.season_awards or [], key=lambda e: (e["top"], e["achievement_id"]))
    for entry in entries:
        for place, member_id, _, _ in standings:
            if place > entry["top"]:
                break
            winner = SeasonWinner(
                season_id=season.id,
                top=entry["top"],
                achievement_id=entry["achievement_id"],
                member_id=member_id,
            )
            try:
                with session.begin_nested():
                    award = give_award(
                        session,
                        member_id,
                        entry["achievement_id"],
                        at=last_instant,
                        actor=actor,
                        now=now,
                        zone=zone,
                        reason=f"{board.name}: rank {place} in the {board.period} starting "
                        f"{window.key} (top {entry['top']})",
                        origin=AwardOrigin.season,
                    )
                winner.award_id = award.id
            except PlauditError as exc:
                winner.refused = exc.detail
            session.add(winner)
