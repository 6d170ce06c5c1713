"""TV mode: a full-screen slideshow of leaderboards for a screen on the wall.

`/leaderboard/tv?board=points:month&board=board-2&seconds=20` (board syntax in
forms/leaderboard.py: `board-2` is saved board 2). Members may show points and published
boards only, as on the leaderboard page. static/js/tv.js fetches
`/leaderboard/tv/board?board=...` (one board as an HTML fragment) every `seconds` and swaps
it in; without JS a <noscript> meta refresh opens the page again at the next board
(`start`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from plaudit.errors import BadRequest, Forbidden, NotFound, PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.web.access import require
from plaudit.web.forms.leaderboard import ChoiceError, parse_board, parse_boards
from plaudit.web.pages import page_router, render
from plaudit.web.routes.leaderboard import build_board
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]
Boards = Annotated[list[str], Query()]
MIN_SECONDS = 2
MAX_SECONDS = 3600
DEFAULT_SECONDS = 20
TV_ROWS = 10


def refused(exc: ChoiceError) -> PlauditError:
    """A board that cannot be shown: 400, or 403/404 as the leaderboard answered."""
    if exc.status == 403:
        return Forbidden(detail=exc.message, field="board")
    if exc.status == 404:
        return NotFound(detail=exc.message, field="board")
    return BadRequest(detail=exc.message, field="board")


def _seconds(raw: str) -> int:
    value = raw.strip() or str(DEFAULT_SECONDS)
    if not value.isdigit() or not MIN_SECONDS <= int(value) <= MAX_SECONDS:
        raise BadRequest(
            detail=f"seconds must be a whole number from {MIN_SECONDS} to {MAX_SECONDS}, "
            f"not {raw!r}.",
            field="seconds",
        )
    return int(value)


def _index(raw: str, count: int) -> int:
    value = raw.strip() or "0"
    return int(value) % count if value.isdigit() and len(value) < 10 else 0


@router.get("/leaderboard/tv")
def tv_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    board: Boards = [],  # noqa: B006 - FastAPI reads a fresh list per request
    seconds: str = "",
    start: str = "",
) -> Response:
    wait = _seconds(seconds)
    try:
        choices = parse_boards(board)
        index = _index(start, len(choices))
        shown = build_board(
            session, choices[index], viewer=user.principal, now=now, zone=settings.zone
        )
    except ChoiceError as exc:
        raise refused(exc) from exc
    specs = [c.spec for c in choices]
    following = urlencode(
        [("board", s) for s in specs]
        + [("seconds", str(wait)), ("start", str((index + 1) % len(specs)))]
    )
    return render(
        request,
        "leaderboard/tv.html",
        title=f"TV · {shown.title}",
        board=shown,
        specs=specs,
        count=len(specs),
        index=index,
        seconds=wait,
        refresh_url=f"/leaderboard/tv?{following}",
        rows_shown=TV_ROWS,
        exit_url="/leaderboard",
        playlist_url="",
        playlist_name="",
    )


@router.get("/leaderboard/tv/board")
def tv_board(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    board: str = "",
) -> Response:
    """One board as an HTML fragment, for tv.js."""
    try:
        shown = build_board(
            session, parse_board(board), viewer=user.principal, now=now, zone=settings.zone
        )
    except ChoiceError as exc:
        raise refused(exc) from exc
    return render(
        request, "leaderboard/_tv_board.html", title=shown.title, board=shown, rows_shown=TV_ROWS
    )
