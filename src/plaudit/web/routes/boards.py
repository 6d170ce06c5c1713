"""Admin pages for leaderboard boards: the list with the create form, the edit form, publish
and unpublish, and delete with confirmation (admins and managers). The same services as
/api/v1/leaderboard/boards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement.service import list_achievements
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.leaderboard.board.schemas import BoardCreate, BoardUpdate
from plaudit.leaderboard.board.service import (
    create_board,
    delete_board,
    get_board,
    list_boards,
    read_board,
    update_board,
)
from plaudit.models import Board
from plaudit.source.service import list_sources
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.forms.board import (
    KEEP,
    PERIOD_CHOICES,
    BoardValues,
    parse_board,
    season_rows_of,
    service_errors,
    values_of,
)
from plaudit.web.forms.common import FieldErrors, checked, form_data, text
from plaudit.web.forms.leaderboard import board_measure_words, measure_options
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/boards"
LABELS = {
    "name": "Name",
    "measure": "Measure",
    "period": "Period",
    "team": "Team",
    "seasonal": "Seasonal",
    "season_awards": "Season awards",
}


def _values(form: FormData) -> BoardValues:
    return BoardValues(
        name=text(form, "name"),
        measure=text(form, "measure"),
        period=text(form, "period"),
        team=text(form, "team"),
        published=checked(form, "published"),
        seasonal=checked(form, "seasonal"),
        season_awards=season_rows_of(
            [v for v in form.getlist("season_top") if isinstance(v, str)],
            [v for v in form.getlist("season_achievement") if isinstance(v, str)],
        ),
    )


def _choices(session: Session, board: Board | None = None) -> dict[str, Any]:
    sources = list_sources(session)
    measures = measure_options(sources)
    if board is not None and values_of(board, sources).measure == KEEP:
        measures = [(KEEP, f"Keep: {board_measure_words(read_board(board), sources)}"), *measures]
    teams = [("", "All teams")] + [(str(t.id), t.name) for t in list_teams(session)]
    achievements = sorted(list_achievements(session), key=lambda a: a.name.casefold())
    return {
        "measures": measures,
        "periods": PERIOD_CHOICES,
        "teams": teams,
        "season_achievements": [("", "Choose an achievement")]
        + [(str(a.id), a.name) for a in achievements],
        "labels": LABELS,
    }


def _list(
    request: Request,
    session: Session,
    viewer: StaffUser,
    *,
    values: BoardValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    boards = [read_board(b) for b in list_boards(session, viewer.principal)]
    teams = {t.id: t.name for t in list_teams(session)}
    return render(
        request,
        "admin/boards/list.html",
        title="Leaderboard boards",
        boards=boards,
        measure_words={b.id: board_measure_words(b, list_sources(session)) for b in boards},
        team_names=teams,
        values=values,
        errors=errors,
        status_code=status_code,
        **_choices(session),
    )


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return _list(request, session, user, values=BoardValues(), errors={})


@router.post(BASE)
def create(
    request: Request, session: SessionDep, user: StaffUser, form: Form, now: NowDep
) -> Response:
    values = _values(form)
    data, errors = parse_board(BoardCreate, values, list_sources(session))
    status = 400
    if data is not None and not errors:
        try:
            made = create_board(session, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = service_errors(exc)
            status = 409 if exc.status == 409 else 400
        else:
            state = "published to members" if made.published else "not published"
            flash(request, f"Created board “{made.name}” ({state}).")
            return RedirectResponse(BASE, status_code=303)
    return _list(request, session, user, values=values, errors=errors, status_code=status)


def _edit(
    request: Request,
    session: Session,
    board: Board,
    *,
    values: BoardValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/boards/edit.html",
        title=f"Edit {board.name}",
        board=read_board(board),
        measure_now=board_measure_words(read_board(board), list_sources(session)),
        values=values,
        errors=errors,
        status_code=status_code,
        **_choices(session, board),
    )


@router.get(BASE + "/{board_id}")
def edit_page(board_id: IdPath, request: Request, session: SessionDep, user: StaffUser) -> Response:
    board = get_board(session, board_id)
    values = values_of(board, list_sources(session))
    return _edit(request, session, board, values=values, errors={})


@router.post(BASE + "/{board_id}")
def edit(
    board_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    form: Form,
    now: NowDep,
) -> Response:
    board = get_board(session, board_id)
    values = _values(form)
    data, errors = parse_board(BoardUpdate, values, list_sources(session))
    status = 400
    if data is not None and not errors:
        try:
            saved = update_board(session, board_id, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = service_errors(exc)
            status = 409 if exc.status == 409 else 400
        else:
            flash(request, f"Saved board “{saved.name}”.")
            return RedirectResponse(BASE, status_code=303)
        board = get_board(session, board_id)
    return _edit(request, session, board, values=values, errors=errors, status_code=status)


@router.post(BASE + "/{board_id}/publish")
def publish(
    board_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    form: Form,
    now: NowDep,
) -> Response:
    """Publish (`published=on`) or unpublish (anything else) a board."""
    shown = text(form, "published") == "on"
    board = update_board(
        session, board_id, BoardUpdate(published=shown), actor=user.principal, now=now
    )
    state = "Members now see" if shown else "Members no longer see"
    flash(request, f"{state} “{board.name}”.")
    return RedirectResponse(BASE, status_code=303)


@router.get(BASE + "/{board_id}/delete")
def delete_page(
    board_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    board = get_board(session, board_id)
    return render(request, "admin/boards/delete.html", title=f"Delete {board.name}?", board=board)


@router.post(BASE + "/{board_id}/delete")
def delete(
    board_id: IdPath, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    name = get_board(session, board_id).name
    delete_board(session, board_id, actor=user.principal, now=now)
    flash(request, f"Deleted board “{name}”.")
    return RedirectResponse(BASE, status_code=303)
