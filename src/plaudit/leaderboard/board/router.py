"""Board endpoints: admins and managers define and publish boards; members list and read
the published ones (and show them with GET /leaderboard?board=ID)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from plaudit.http.deps import Allow, NowDep, SessionDep
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.kit.schemas import Id
from plaudit.leaderboard.board import service
from plaudit.leaderboard.board.schemas import BoardCreate, BoardRead, BoardUpdate

router = APIRouter(tags=["leaderboard"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]
Reader = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]
BoardId = Annotated[Id, Path()]


@router.get("/leaderboard/boards")
def list_boards(session: SessionDep, viewer: Reader) -> list[BoardRead]:
    """Every board for admins and managers; the published ones for members."""
    return [service.read_board(b) for b in service.list_boards(session, viewer)]


@router.post("/leaderboard/boards", status_code=status.HTTP_201_CREATED)
def create_board(body: BoardCreate, session: SessionDep, actor: Staff, now: NowDep) -> BoardRead:
    return service.read_board(service.create_board(session, body, actor=actor, now=now))


@router.get("/leaderboard/boards/{board_id}")
def get_board(board_id: BoardId, session: SessionDep, viewer: Reader) -> BoardRead:
    """One board; a member gets a 403 for a board that is not published."""
    return service.read_board(service.visible_board(session, board_id, viewer))


@router.patch("/leaderboard/boards/{board_id}")
def update_board(
    board_id: BoardId, body: BoardUpdate, session: SessionDep, actor: Staff, now: NowDep
) -> BoardRead:
    return service.read_board(service.update_board(session, board_id, body, actor=actor, now=now))


@router.delete("/leaderboard/boards/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_board(board_id: BoardId, session: SessionDep, actor: Staff, now: NowDep) -> Response:
    service.delete_board(session, board_id, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
