"""Admin pages for TV playlists (admins and managers): the list with the create form, the
playlist form (boards in order, seconds each; add, remove, move up and down), the TV link
(make, replace, revoke) and delete with confirmation. The same services as
/api/v1/tv/playlists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.kit.roles import Principal
from plaudit.leaderboard.board.service import list_boards
from plaudit.leaderboard.playlist.schemas import (
    MAX_SECONDS,
    MIN_SECONDS,
    PlaylistCreate,
    PlaylistUpdate,
)
from plaudit.leaderboard.playlist.service import (
    create_playlist,
    delete_playlist,
    get_playlist,
    list_playlists,
    new_link,
    read_playlist,
    revoke_link,
    update_playlist,
)
from plaudit.models import TvPlaylist
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import FieldErrors, errors_from_exception, form_data, text
from plaudit.web.forms.people import parse_schema
from plaudit.web.forms.playlist import (
    SAVE,
    PlaylistValues,
    apply_action,
    playlist_body,
    read_form,
    values_of,
)
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/playlists"


def _strip_body(errors: FieldErrors) -> FieldErrors:
    """Service errors name `body.items.0.board_id`; the form names `items.0.board_id`."""
    return {k.removeprefix("body."): v for k, v in errors.items()}


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return _list(request, session, name="", errors={})


def _list(
    request: Request, session: Session, *, name: str, errors: FieldErrors, status_code: int = 200
) -> Response:
    playlists = [read_playlist(session, p) for p in list_playlists(session)]
    return render(
        request,
        "admin/playlists/list.html",
        title="TV playlists",
        playlists=playlists,
        name=name,
        errors=errors,
        status_code=status_code,
    )


@router.post(BASE)
def create(
    request: Request, session: SessionDep, user: StaffUser, form: Form, now: NowDep
) -> Response:
    name = text(form, "name")
    data, errors = parse_schema(PlaylistCreate, {"name": name}, model_field="name")
    if data is not None:
        try:
            made = create_playlist(session, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = _strip_body(errors_from_exception(exc))
        else:
            flash(request, f"Created playlist “{made.name}”: now add its boards.")
            return RedirectResponse(f"{BASE}/{made.id}", status_code=303)
    return _list(request, session, name=name, errors=errors, status_code=400)


def _board_choices(session: Session, viewer: Principal) -> list[tuple[str, str]]:
    return [
        (str(b.id), b.name if b.published else f"{b.name} (not published)")
        for b in list_boards(session, viewer)
    ]


def _edit(
    request: Request,
    session: Session,
    user: StaffUser,
    playlist: TvPlaylist,
    *,
    values: PlaylistValues,
    errors: FieldErrors,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    choices = _board_choices(session, user.principal)
    names = dict(choices)
    return render(
        request,
        "admin/playlists/edit.html",
        title=f"Playlist {playlist.name}",
        playlist=read_playlist(session, playlist),
        values=values,
        errors=errors,
        status_code=status_code,
        boards=choices,
        board_names=names,
        unpublished=[n for n in (names.get(r.board, "") for r in values.rows) if "(not" in n],
        min_seconds=MIN_SECONDS,
        max_seconds=MAX_SECONDS,
        **{"notice": "", "new_link": "", **extra},
    )


@router.get(BASE + "/{playlist_id}")
def edit_page(
    playlist_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    playlist = get_playlist(session, playlist_id)
    return _edit(request, session, user, playlist, values=values_of(playlist), errors={})


@router.post(BASE + "/{playlist_id}")
def edit(
    playlist_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    form: Form,
    now: NowDep,
) -> Response:
    """Save the playlist, or (any other button) change its rows and show the form again."""
    playlist = get_playlist(session, playlist_id)
    values = read_form(form)
    action = text(form, "action") or SAVE
    if action != SAVE:
        notice = apply_action(values, action, form)
        return _edit(request, session, user, playlist, values=values, errors={}, notice=notice)
    body, errors = playlist_body(values)
    data, schema_errors = parse_schema(PlaylistUpdate, body, model_field="name")
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            saved = update_playlist(session, playlist_id, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = _strip_body(errors_from_exception(exc))
        else:
            flash(request, f"Saved playlist “{saved.name}”.")
            return RedirectResponse(f"{BASE}/{playlist_id}", status_code=303)
        playlist = get_playlist(session, playlist_id)
    return _edit(request, session, user, playlist, values=values, errors=errors, status_code=400)


@router.post(BASE + "/{playlist_id}/link")
def make_link(
    playlist_id: IdPath, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    """A new TV link, shown once on the page that answers."""
    link = new_link(session, playlist_id, actor=user.principal, now=now)
    playlist = get_playlist(session, playlist_id)
    shown = str(request.base_url).rstrip("/") + link.tv_path
    return _edit(
        request, session, user, playlist, values=values_of(playlist), errors={}, new_link=shown
    )


@router.post(BASE + "/{playlist_id}/link/revoke")
def revoke(
    playlist_id: IdPath, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    revoke_link(session, playlist_id, actor=user.principal, now=now)
    flash(request, "TV link revoked: screens showing it stop at their next board.")
    return RedirectResponse(f"{BASE}/{playlist_id}", status_code=303)


@router.get(BASE + "/{playlist_id}/delete")
def delete_page(
    playlist_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    playlist = get_playlist(session, playlist_id)
    return render(
        request,
        "admin/playlists/delete.html",
        title=f"Delete {playlist.name}?",
        playlist=playlist,
    )


@router.post(BASE + "/{playlist_id}/delete")
def delete(
    playlist_id: IdPath, request: Request, session: SessionDep, user: StaffUser, now: NowDep
) -> Response:
    name = get_playlist(session, playlist_id).name
    delete_playlist(session, playlist_id, actor=user.principal, now=now)
    flash(request, f"Deleted playlist “{name}”.")
    return RedirectResponse(BASE, status_code=303)
