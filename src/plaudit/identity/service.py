"""Issuing and revoking tokens; creating users and checking their passwords."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.errors import Conflict, not_found
from plaudit.identity.schemas import TokenCreate, UserCreate
from plaudit.kit.security import hash_password, hash_token, new_token, verify_password
from plaudit.member.service import get_member
from plaudit.models import ApiToken, User


def issue_token(session: Session, data: TokenCreate) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its hash is kept."""
    if data.member_id is not None:
        get_member(session, data.member_id)
    secret = new_token()
    row = ApiToken(
        name=data.name,
        role=data.role.value,
        member_id=data.member_id,
        token_hash=hash_token(secret),
    )
    session.add(row)
    session.flush()
    return row, secret


def list_tokens(session: Session) -> Sequence[ApiToken]:
    return session.scalars(select(ApiToken).order_by(ApiToken.id)).all()


def revoke_token(session: Session, token_id: int, *, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise not_found("token", token_id)
    if row.revoked_at is None:
        row.revoked_at = now
    session.flush()
    return row


def create_user(session: Session, data: UserCreate) -> User:
    if data.member_id is not None:
        get_member(session, data.member_id)
    if session.scalars(select(User.id).where(User.username == data.username)).first():
        raise Conflict(
            detail=f"A user named {data.username!r} already exists.",
            field="username",
            code="duplicate_username",
        )
    user = User(
        username=data.username,
        password_hash=hash_password(data.password),
        role=data.role.value,
        member_id=data.member_id,
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.id)).all()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None. An unknown name costs a hash
    check too, so the answer's timing does not tell which user names exist."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    return hash_password(new_token())


def get_active_user(session: Session, user_id: int) -> User | None:
    """The user with this id while they may still sign in, else None."""
    user = session.get(User, user_id)
    return user if user is not None and user.active else None
