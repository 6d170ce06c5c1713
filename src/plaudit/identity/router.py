"""Token and user endpoints (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from plaudit.http.deps import Allow, NowDep, SessionDep, allow
from plaudit.http.path_params import PathId
from plaudit.identity import service
from plaudit.identity.schemas import (
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from plaudit.kit.roles import Principal, Role

router = APIRouter(tags=["identity"], dependencies=[allow(Role.admin)])
Admin = Annotated[Principal, Depends(Allow(Role.admin))]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, session: SessionDep) -> TokenCreated:
    row, secret = service.issue_token(session, body)
    return TokenCreated(
        id=row.id, name=row.name, role=Role(row.role), member_id=row.member_id, token=secret
    )


@router.get("/tokens")
def list_tokens(session: SessionDep) -> list[TokenRead]:
    return [TokenRead.model_validate(t) for t in service.list_tokens(session)]


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: PathId, session: SessionDep, now: NowDep) -> TokenRead:
    return TokenRead.model_validate(service.revoke_token(session, token_id, now=now))


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.create_user(session, body))


@router.get("/users")
def list_users(session: SessionDep) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in service.list_users(session)]


@router.get("/users/{user_id}")
def get_user(user_id: PathId, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.get_user(session, user_id))


@router.patch("/users/{user_id}")
def update_user(
    user_id: PathId, body: UserUpdate, session: SessionDep, actor: Admin, now: NowDep
) -> UserRead:
    """Change a user's role, member, password or active state (`active: false` ends their
    sessions and refuses sign-in; a new password ends their other sessions)."""
    return UserRead.model_validate(
        service.update_user(session, user_id, body, actor=actor, now=now)
    )
