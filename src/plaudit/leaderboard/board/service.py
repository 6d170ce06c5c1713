"""Saving boards, and who may see which leaderboard.

Admins and managers rank by any measure and save boards; members see award points and the
boards published for them, never a measure or filter of their own choosing: a measure over
other members' records (`max(value)`, `where note contains ...`) would tell them what those
records hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.achievement.service import get_achievement, secrets_held
from plaudit.audit.service import record_event
from plaudit.errors import Conflict, Forbidden, InvalidInput, NotFound, not_found
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.board.schemas import (
    SEASON_PERIODS,
    BoardCreate,
    BoardMeasure,
    BoardMeasureRead,
    BoardRead,
    BoardUpdate,
    SeasonAward,
    SeasonAwardRead,
)
from plaudit.leaderboard.measure import check_measure, measure_name
from plaudit.leaderboard.schemas import BoardShown, Leaderboard, LeaderboardQuery
from plaudit.leaderboard.service import hide_secret_badges, leaderboard
from plaudit.models import Board
from plaudit.periods import Period
from plaudit.rules.model import Aggregate, Filter
from plaudit.team.service import get_team

MEASURE_PARAMETERS = ("source", "aggregate", "field", "where")
MEMBERS_MAY = (
    "members may see award points (no measure) or a published board (`board`, one of "
    "GET /leaderboard/boards), choosing `period`, `at`, `team_id` and `limit`"
)


def get_board(session: Session, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None:
        raise not_found("board", board_id)
    return board


def visible_board(session: Session, board_id: int, viewer: Principal) -> Board:
    """The board, if `viewer` may see it: staff see every board, members published ones."""
    board = get_board(session, board_id)
    if not viewer.is_staff and not board.published:
        raise Forbidden(
            detail=f"Board {board_id} is not published; {MEMBERS_MAY}.", code="board_unpublished"
        )
    return board


def list_boards(session: Session, viewer: Principal) -> Sequence[Board]:
    """Every board for staff, the published ones for members; by name."""
    query = select(Board).order_by(Board.name, Board.id)
    if not viewer.is_staff:
        query = query.where(Board.published.is_(True))
    return session.scalars(query).all()


def board_filters(board: Board) -> list[Filter]:
    return [Filter.model_validate(f) for f in board.where or []]


def read_board(board: Board) -> BoardRead:
    filters = board_filters(board)
    measure = None
    if board.source is not None:
        measure = BoardMeasureRead(
            source=board.source,
            aggregate=Aggregate(board.aggregate or Aggregate.COUNT),
            field=board.field,
            where=filters,
        )
    return BoardRead(
        id=board.id,
        name=board.name,
        measure=measure,
        measure_name=measure_name(board.source, board.aggregate, board.field, filters),
        period=Period(board.period),
        team_id=board.team_id,
        published=board.published,
        seasonal=board.seasonal,
        season_awards=[SeasonAwardRead.model_validate(a) for a in board.season_awards or []],
        created_by=board.created_by,
        created_at=board.created_at,
        updated_at=board.updated_at,
    )


def _check_measure(session: Session, measure: BoardMeasure) -> None:
    """As GET /leaderboard checks its measure, naming `body.measure.<field>`; an unknown
    source is bad input here (a 422), not an unknown path."""
    assert measure.aggregate is not None  # BoardMeasure counts by default
    try:
        check_measure(
            session,
            measure.source,
            measure.aggregate,
            measure.field,
            measure.where,
            at=("body", "measure"),
        )
    except NotFound as exc:
        raise InvalidInput(
            detail=f"No source {measure.source!r}: {exc.detail}.", field="body.measure.source"
        ) from exc


def _check_team(session: Session, team_id: int | None) -> None:
    if team_id is None:
        return
    try:
        get_team(session, team_id)
    except NotFound as exc:
        raise InvalidInput(detail=exc.detail, field="body.team_id") from exc


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    taken = session.scalar(select(Board.id).where(Board.name == name))
    if taken is not None and taken != own_id:
        raise Conflict(
            detail=f"A board named {name!r} exists already (board {taken}).",
            code="board_name_taken",
            field="body.name",
        )


def _set_measure(board: Board, measure: BoardMeasure | None) -> None:
    board.source = measure.source if measure else None
    board.aggregate = measure.aggregate.value if measure and measure.aggregate else None
    board.field = measure.field if measure else None
    board.where = [f.model_dump(mode="json") for f in measure.where] if measure else []


def _check_season(session: Session, board: Board, *, awards_given: bool) -> None:
    """A seasonal board counts weeks, months, quarters or years; season awards sent name
    achievements that exist, for a seasonal board (a board turned off keeps its awards,
    unused). Checked on the board as it will be saved."""
    if board.seasonal and Period(board.period) not in SEASON_PERIODS:
        raise InvalidInput(
            detail=f"A seasonal board needs a period of week, month, quarter or year, not "
            f"{board.period!r}: a season is one such period.",
            field="body.period",
        )
    if awards_given and board.season_awards and not board.seasonal:
        raise InvalidInput(
            detail="'season_awards' are given when a season ends: set 'seasonal': true too.",
            field="body.season_awards",
        )
    for i, entry in enumerate(board.season_awards or []):
        try:
            get_achievement(session, int(entry["achievement_id"]))
        except NotFound as exc:
            raise InvalidInput(
                detail=exc.detail, field=f"body.season_awards.{i}.achievement_id"
            ) from exc


def _set_season(
    board: Board, seasonal: bool | None, awards: list[SeasonAward] | None, now: datetime
) -> None:
    """Seasons are archived for the periods that end after the board became seasonal."""
    if seasonal is not None:
        if seasonal and not board.seasonal:
            board.seasons_closed_through = now
        board.seasonal = seasonal
    if awards is not None:
        board.season_awards = [a.model_dump() for a in awards]


def create_board(session: Session, data: BoardCreate, *, actor: Principal, now: datetime) -> Board:
    _check_name_free(session, data.name, None)
    if data.measure is not None:
        _check_measure(session, data.measure)
    _check_team(session, data.team_id)
    board = Board(
        name=data.name,
        period=data.period.value,
        team_id=data.team_id,
        published=data.published,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    _set_measure(board, data.measure)
    _set_season(board, data.seasonal, data.season_awards, now)
    _check_season(session, board, awards_given=True)
    session.add(board)
    session.flush()
    record_event(
        session,
        actor,
        "board.create",
        "board",
        board.id,
        at=now,
        details={"name": board.name, "published": board.published},
    )
    return board


def update_board(
    session: Session, board_id: int, data: BoardUpdate, *, actor: Principal, now: datetime
) -> Board:
    board = get_board(session, board_id)
    changed = sorted(data.model_fields_set)
    if data.name is not None:
        _check_name_free(session, data.name, board.id)
        board.name = data.name
    if "measure" in data.model_fields_set:
        if data.measure is not None:
            _check_measure(session, data.measure)
        _set_measure(board, data.measure)
    if "team_id" in data.model_fields_set:
        _check_team(session, data.team_id)
        board.team_id = data.team_id
    if data.period is not None:
        board.period = data.period.value
    if data.published is not None:
        board.published = data.published
    _set_season(board, data.seasonal, data.season_awards, now)
    _check_season(session, board, awards_given=data.season_awards is not None)
    board.updated_at = now
    session.flush()
    record_event(
        session, actor, "board.update", "board", board.id, at=now, details={"changed": changed}
    )
    return board


def delete_board(session: Session, board_id: int, *, actor: Principal, now: datetime) -> None:
    board = get_board(session, board_id)
    record_event(
        session, actor, "board.delete", "board", board.id, at=now, details={"name": board.name}
    )
    session.delete(board)
    session.flush()


def refuse_member_measure(viewer: Principal, given: Iterable[str]) -> None:
    """A member who names a measure of their own (any of `source`, `aggregate`, `field`,
    `where`) is refused, whatever the values: those are for admins and managers."""
    if viewer.is_staff:
        return
    named = [p for p in MEASURE_PARAMETERS if p in set(given)]
    if named:
        raise Forbidden(
            detail=f"Members may not choose a measure ({', '.join(named)}); {MEMBERS_MAY}.",
            code="measure_not_allowed",
        )


def board_query(board: Board, q: LeaderboardQuery) -> LeaderboardQuery:
    """The query that shows `board`: its measure, and its period and team unless `q` chose
    them."""
    values: dict[str, object] = {
        "period": q.period if "period" in q.model_fields_set else board.period,
        "team_id": q.team_id if "team_id" in q.model_fields_set else board.team_id,
        "at": q.at,
        "limit": q.limit,
        "source": board.source,
        "aggregate": board.aggregate,
        "field": board.field,
        "where": json.dumps(board.where) if board.where else None,
    }
    try:
        return LeaderboardQuery.model_validate(values)
    except ValidationError as exc:  # only if a saved board no longer fits the query's checks
        raise InvalidInput(
            detail=f"Board {board.id}'s measure cannot be shown: {exc.errors()[0]['msg']}",
            field="query.board",
        ) from exc


def show_leaderboard(
    session: Session, q: LeaderboardQuery, *, viewer: Principal, now: datetime, zone: ZoneInfo
) -> Leaderboard:
    """The leaderboard `q` asks for, if `viewer` may see it (see the module's docstring)."""
    given = {
        name for name in MEASURE_PARAMETERS if getattr(q, name) is not None
    } & q.model_fields_set
    refuse_member_measure(viewer, given)
    if q.board is None:
        shown = leaderboard(session, q, now=now, zone=zone)
    else:
        board = visible_board(session, q.board, viewer)
        shown = leaderboard(session, board_query(board, q), now=now, zone=zone)
        shown = shown.model_copy(update={"board": BoardShown(id=board.id, name=board.name)})
    if viewer.role == Role.member:  # secret badges: only those the member holds
        held = secrets_held(session, viewer.member_id) if viewer.member_id else set()
        shown = hide_secret_badges(shown, held)
    return shown
