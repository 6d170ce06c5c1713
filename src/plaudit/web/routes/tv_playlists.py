"""A TV playlist on a screen: `/tv/playlists/ID`, its boards one after another, each for its
own seconds (static/js/tv.js fetches `/tv/playlists/ID/board?position=N`, one board as an HTML
fragment, and swaps it in; without JS a <noscript> meta refresh opens the next one).

Who may watch: signed-in admins and managers see every board of the playlist; signed-in
members its published boards only. With `?key=` (the playlist's TV link, made on the
playlist's page) a screen watches without signing in and sees every board of the playlist,
published or not: an admin or manager chose them, the playlist page marks the unpublished
ones, and the link shows nothing but those boards. A wrong or revoked key is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.leaderboard.playlist.service import (
    get_playlist,
    playlist_boards,
    playlist_by_link,
    tv_path,
)
from plaudit.models import Board, TvPlaylist
from plaudit.web.access import LoginRequired, MaybeUser, PageForbidden
from plaudit.web.forms.leaderboard import BOARD_PREFIX, ChoiceError, parse_board
from plaudit.web.pages import page_router, render
from plaudit.web.routes.leaderboard import Board as ShownBoard
from plaudit.web.routes.leaderboard import build_board
from plaudit.web.routes.leaderboard_tv import TV_ROWS, refused
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
Key = Annotated[str, Query(max_length=200)]
LINK_VIEWER = Principal(name="TV link", role=Role.manager)
"""Who a TV link reads the playlist's boards as: it may show unpublished boards, and the
route asks it for nothing but the playlist's own."""
VIEWERS = frozenset({Role.admin, Role.manager, Role.member})


def tv_viewer(request: Request, user: MaybeUser) -> WebUser | None:
    """The signed-in viewer; None for a request with a `key` (the route checks the key).
    Without a key, sign-in is required as on every page."""
    if request.query_params.get("key"):
        return None
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    if user.role not in VIEWERS:
        raise PageForbidden(user)
    return user


tv_viewer.roles = VIEWERS  # type: ignore[attr-defined]  # read by the access tests
Viewer = Annotated[WebUser | None, Depends(tv_viewer)]


@dataclass(frozen=True)
class Slide:
    board: Board
    seconds: int


@dataclass(frozen=True)
class Watch:
    """A playlist as one viewer may watch it: the slides they see, as whom."""

    playlist: TvPlaylist
    slides: list[Slide]
    viewer: Principal
    key: str
    signed_in: bool

    def url(self, path: str, **params: str) -> str:
        query = {**params, **({"key": self.key} if self.key else {})}
        return f"{path}?{urlencode(query)}" if query else path


def watch(session: Session, playlist_id: int, user: WebUser | None, key: str) -> Watch:
    if user is None:  # tv_viewer let the request through for its key
        playlist = playlist_by_link(session, playlist_id, key)
        slides = [Slide(b, i.seconds) for i, b in playlist_boards(session, playlist)]
        return Watch(playlist, slides, LINK_VIEWER, key, signed_in=False)
    playlist = get_playlist(session, playlist_id)
    slides = [
        Slide(b, i.seconds)
        for i, b in playlist_boards(session, playlist)
        if user.is_staff or b.published
    ]
    return Watch(playlist, slides, user.principal, "", signed_in=True)


def _position(raw: str, count: int) -> int:
    value = raw.strip() or "0"
    return int(value) % count if value.isdigit() and len(value) < 10 and count else 0


def _shown(session: Session, seen: Watch, index: int, now: datetime, zone: ZoneInfo) -> ShownBoard:
    try:
        choice = parse_board(f"{BOARD_PREFIX}{seen.slides[index].board.id}")
        return build_board(session, choice, viewer=seen.viewer, now=now, zone=zone)
    except ChoiceError as exc:
        raise refused(exc) from exc


@router.get("/tv/playlists/{playlist_id}")
def playlist_page(
    playlist_id: IdPath,
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    key: Key = "",
    start: str = "",
) -> Response:
    seen = watch(session, playlist_id, user, key)
    count = len(seen.slides)
    index = _position(start, count)
    board = _shown(session, seen, index, now, settings.zone) if count else None
    path = tv_path(playlist_id)
    return render(
        request,
        "leaderboard/tv.html",
        title=f"TV · {board.title if board else seen.playlist.name}",
        board=board,
        playlist_name=seen.playlist.name,
        playlist_url=seen.url(f"{path}/board"),
        count=count,
        index=index,
        seconds=seen.slides[index].seconds if count else 60,
        next_name=seen.slides[(index + 1) % count].board.name if count else "",
        refresh_url=seen.url(path, start=str((index + 1) % count if count else 0)),
        rows_shown=TV_ROWS,
        exit_url="/leaderboard" if seen.signed_in else None,
        empty_text="This playlist has no boards to show yet. The screen checks again every minute.",
    )


@router.get("/tv/playlists/{playlist_id}/board")
def playlist_board(
    playlist_id: IdPath,
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    key: Key = "",
    position: str = "",
) -> Response:
    """One board of the playlist as an HTML fragment, with #tv-meta for tv.js."""
    seen = watch(session, playlist_id, user, key)
    count = len(seen.slides)
    if not count:
        return render(request, "leaderboard/_tv_empty.html", title=seen.playlist.name, seen=seen)
    index = _position(position, count)
    board = _shown(session, seen, index, now, settings.zone)
    return render(
        request,
        "leaderboard/_tv_board.html",
        title=board.title,
        board=board,
        rows_shown=TV_ROWS,
        meta={
            "position": index,
            "count": count,
            "seconds": seen.slides[index].seconds,
            "next": seen.slides[(index + 1) % count].board.name,
        },
    )
