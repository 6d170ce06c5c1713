"""Saving TV playlists and their TV links (admins and managers), and checking a link.

A TV link is `/tv/playlists/ID?key=SECRET`: a random secret of 256 bits, stored only as its
SHA-256 (as API tokens are), replaced by a new one or revoked at any time. It shows the
playlist's boards and nothing else, published or not: putting an unpublished board on a
playlist is how an admin or manager shows it on a screen, and the playlist says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.errors import Conflict, InvalidInput, NotFound, not_found
from plaudit.kit.roles import Principal
from plaudit.kit.security import hash_token, tokens_equal
from plaudit.leaderboard.playlist.schemas import (
    PlaylistCreate,
    PlaylistItem,
    PlaylistItemRead,
    PlaylistLink,
    PlaylistRead,
    PlaylistUpdate,
)
from plaudit.models import Board, TvPlaylist, TvPlaylistItem

TV_PATH = "/tv/playlists/{id}"


def tv_path(playlist_id: int) -> str:
    return TV_PATH.format(id=playlist_id)


def get_playlist(session: Session, playlist_id: int) -> TvPlaylist:
    playlist = session.get(TvPlaylist, playlist_id)
    if playlist is None:
        raise not_found("playlist", playlist_id)
    return playlist


def list_playlists(session: Session) -> Sequence[TvPlaylist]:
    return session.scalars(select(TvPlaylist).order_by(TvPlaylist.name, TvPlaylist.id)).all()


def playlist_boards(session: Session, playlist: TvPlaylist) -> list[tuple[TvPlaylistItem, Board]]:
    """The playlist's items with their boards, in order."""
    ids = {item.board_id for item in playlist.items}
    boards = {b.id: b for b in session.scalars(select(Board).where(Board.id.in_(ids)))}
    return [(item, boards[item.board_id]) for item in playlist.items if item.board_id in boards]


def read_playlist(session: Session, playlist: TvPlaylist) -> PlaylistRead:
    return PlaylistRead(
        id=playlist.id,
        name=playlist.name,
        items=[
            PlaylistItemRead(
                board_id=board.id,
                board_name=board.name,
                published=board.published,
                seconds=item.seconds,
            )
            for item, board in playlist_boards(session, playlist)
        ],
        tv_path=tv_path(playlist.id),
        has_link=playlist.link_hash is not None,
        created_by=playlist.created_by,
        created_at=playlist.created_at,
        updated_at=playlist.updated_at,
    )


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    taken = session.scalar(select(TvPlaylist.id).where(TvPlaylist.name == name))
    if taken is not None and taken != own_id:
        raise Conflict(
            detail=f"A playlist named {name!r} exists already (playlist {taken}).",
            code="playlist_name_taken",
            field="body.name",
        )


def _set_items(session: Session, playlist: TvPlaylist, items: Sequence[PlaylistItem]) -> None:
    """Replace the items, after checking that every board exists."""
    wanted = {i.board_id for i in items}
    known = set(session.scalars(select(Board.id).where(Board.id.in_(wanted)))) if wanted else set()
    for index, item in enumerate(items):
        if item.board_id not in known:
            raise InvalidInput(
                detail=f"No board {item.board_id}: choose one of GET /leaderboard/boards.",
                field=f"body.items.{index}.board_id",
            )
    playlist.items.clear()
    session.flush()  # the old positions go before the new ones are written
    playlist.items.extend(
        TvPlaylistItem(position=index, board_id=item.board_id, seconds=item.seconds)
        for index, item in enumerate(items)
    )


def create_playlist(
    session: Session, data: PlaylistCreate, *, actor: Principal, now: datetime
) -> TvPlaylist:
    _check_name_free(session, data.name, None)
    playlist = TvPlaylist(name=data.name, created_by=actor.name, created_at=now, updated_at=now)
    session.add(playlist)
    _set_items(session, playlist, data.items)
    session.flush()
    record_event(
        session,
        actor,
        "playlist.create",
        "playlist",
        playlist.id,
        at=now,
        details={"name": playlist.name, "boards": [i.board_id for i in data.items]},
    )
    return playlist


def update_playlist(
    session: Session, playlist_id: int, data: PlaylistUpdate, *, actor: Principal, now: datetime
) -> TvPlaylist:
    playlist = get_playlist(session, playlist_id)
    if data.name is not None:
        _check_name_free(session, data.name, playlist.id)
        playlist.name = data.name
    if data.items is not None:
        _set_items(session, playlist, data.items)
    playlist.updated_at = now
    session.flush()
    record_event(
        session,
        actor,
        "playlist.update",
        "playlist",
        playlist.id,
        at=now,
        details={"changed": sorted(data.model_fields_set)},
    )
    return playlist


def delete_playlist(session: Session, playlist_id: int, *, actor: Principal, now: datetime) -> None:
    playlist = get_playlist(session, playlist_id)
    record_event(
        session,
        actor,
        "playlist.delete",
        "playlist",
        playlist.id,
        at=now,
        details={"name": playlist.name},
    )
    session.delete(playlist)
    session.flush()


def new_link(
    session: Session, playlist_id: int, *, actor: Principal, now: datetime
) -> PlaylistLink:
    """A new TV link; the one before, if any, stops working."""
    playlist = get_playlist(session, playlist_id)
    key = secrets.token_urlsafe(32)
    playlist.link_hash = hash_token(key)
    playlist.updated_at = now
    session.flush()
    record_event(session, actor, "playlist.link", "playlist", playlist.id, at=now, details={})
    return PlaylistLink(tv_path=f"{tv_path(playlist.id)}?key={key}", key=key)


def revoke_link(session: Session, playlist_id: int, *, actor: Principal, now: datetime) -> None:
    playlist = get_playlist(session, playlist_id)
    playlist.link_hash = None
    playlist.updated_at = now
    session.flush()
    record_event(
        session, actor, "playlist.link_revoke", "playlist", playlist.id, at=now, details={}
    )


def link_opens(playlist: TvPlaylist, key: str) -> bool:
    """Whether `key` is the playlist's current TV link."""
    return playlist.link_hash is not None and tokens_equal(hash_token(key), playlist.link_hash)


def playlist_by_link(session: Session, playlist_id: int, key: str) -> TvPlaylist:
    """The playlist, if `key` is its current TV link; else the same 404 as for no playlist, so
    that a wrong key tells nothing."""
    playlist = session.get(TvPlaylist, playlist_id)
    if playlist is None or not link_opens(playlist, key):
        raise NotFound(
            detail="This TV link does not exist or was revoked: ask an admin for a new one.",
            code="tv_link_invalid",
        )
    return playlist
