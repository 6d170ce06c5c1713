"""Token and user endpoints (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from plaudit.http.deps import NowDep, SessionDep, allow
from plaudit.identity import service
from plaudit.identity.schemas import TokenCreate, TokenCreated, TokenRead, UserCreate, UserRead
from plaudit.kit.roles import Role
from plaudit.kit.schemas import TextInt

router = APIRouter(tags=["identity"], dependencies=[allow(Role.admin)])


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
def revoke_token(token_id: TextInt, session: SessionDep, now: NowDep) -> TokenRead:
    return TokenRead.model_validate(service.revoke_token(session, token_id, now=now))


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.create_user(session, body))


@router.get("/users")
def list_users(session: SessionDep) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in service.list_users(session)]
