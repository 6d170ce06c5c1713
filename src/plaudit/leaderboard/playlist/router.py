"""TV playlist endpoints (admins and managers): save playlists of boards, and make or revoke
their TV links. Screens watch them at /tv/playlists/ID (the web pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from plaudit.http.deps import Allow, NowDep, SessionDep
from plaudit.kit.roles import STAFF, Principal
from plaudit.kit.schemas import Id
from plaudit.leaderboard.playlist import service
from plaudit.leaderboard.playlist.schemas import (
    PlaylistCreate,
    PlaylistLink,
    PlaylistRead,
    PlaylistUpdate,
)

router = APIRouter(tags=["tv"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
PlaylistId = Annotated[Id, Path()]


@router.get("/tv/playlists")
def list_playlists(session: SessionDep, viewer: Staff) -> list[PlaylistRead]:
    return [service.read_playlist(session, p) for p in service.list_playlists(session)]


@router.post("/tv/playlists", status_code=status.HTTP_201_CREATED)
def create_playlist(
    body: PlaylistCreate, session: SessionDep, actor: Staff, now: NowDep
) -> PlaylistRead:
    made = service.create_playlist(session, body, actor=actor, now=now)
    return service.read_playlist(session, made)


@router.get("/tv/playlists/{playlist_id}")
def get_playlist(playlist_id: PlaylistId, session: SessionDep, viewer: Staff) -> PlaylistRead:
    return service.read_playlist(session, service.get_playlist(session, playlist_id))


@router.patch("/tv/playlists/{playlist_id}")
def update_playlist(
    playlist_id: PlaylistId, body: PlaylistUpdate, session: SessionDep, actor: Staff, now: NowDep
) -> PlaylistRead:
    saved = service.update_playlist(session, playlist_id, body, actor=actor, now=now)
    return service.read_playlist(session, saved)


@router.delete("/tv/playlists/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_playlist(
    playlist_id: PlaylistId, session: SessionDep, actor: Staff, now: NowDep
) -> Response:
    service.delete_playlist(session, playlist_id, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/tv/playlists/{playlist_id}/link", status_code=status.HTTP_201_CREATED)
def new_link(
    playlist_id: PlaylistId, session: SessionDep, actor: Staff, now: NowDep
) -> PlaylistLink:
    """A new TV link for the playlist; the one before stops working."""
    return service.new_link(session, playlist_id, actor=actor, now=now)


@router.delete("/tv/playlists/{playlist_id}/link", status_code=status.HTTP_204_NO_CONTENT)
def revoke_link(
    playlist_id: PlaylistId, session: SessionDep, actor: Staff, now: NowDep
) -> Response:
    """Revoke the TV link: screens showing it stop at their next board."""
    service.revoke_link(session, playlist_id, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
