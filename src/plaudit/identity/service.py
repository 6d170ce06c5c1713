"""Issuing and revoking tokens; creating, changing and deactivating users and checking their
passwords."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.errors import Conflict, FieldError, invalid_fields, not_found
from plaudit.identity.schemas import (
    TokenCreate,
    UserCreate,
    UserUpdate,
    member_binding_problem,
)
from plaudit.identity.sessions import end_user_sessions
from plaudit.kit.roles import Principal, Role
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


ENDS_SESSIONS = frozenset({"role", "active", "password"})
"""Changes to a user that end their web sessions: they sign in again under the new terms."""


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


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def get_user_named(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise not_found("user", username)
    return user


def update_user(
    session: Session, user_id: int, data: UserUpdate, *, actor: Principal, now: datetime
) -> User:
    """Change a user's role, bound member, password or active state, and log who did it (never
    the password). A user leaving role `member` leaves its member too. A new role, password
    or active state ends the user's web sessions. The last active admin user cannot be
    demoted or deactivated: nobody could sign in to the pages as admin."""
    user = get_user(session, user_id)
    given = data.model_fields_set
    role = data.role.value if data.role is not None else user.role
    if "member_id" in given:
        member_id = data.member_id
    else:
        member_id = user.member_id if role == Role.member.value else None
    if problem := member_binding_problem(Role(role), member_id):
        raise invalid_fields([FieldError(("body", "member_id"), problem)])
    if member_id is not None and member_id != user.member_id:
        get_member(session, member_id)
    active = data.active if data.active is not None else user.active
    if user.active and user.role == Role.admin.value and (role != Role.admin.value or not active):
        _keep_an_admin(session, user)
    changed = [
        name
        for name, before, after in (
            ("role", user.role, role),
            ("member_id", user.member_id, member_id),
            ("active", user.active, active),
        )
        if before != after
    ]
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        changed.append("password")
    user.role, user.member_id, user.active = role, member_id, active
    session.flush()
    if ENDS_SESSIONS.intersection(changed):
        end_user_sessions(session, user.id)
    if changed:
        details = {"changed": changed, "role": role, "member_id": member_id, "active": active}
        record_event(session, actor, "user.update", "user", user.id, at=now, details=details)
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = select(User.id).where(
        User.id != leaving.id, User.role == Role.admin.value, User.active.is_(True)
    )
    if session.scalars(others.limit(1)).first() is None:
        raise Conflict(
            detail=(
                f"{leaving.username!r} is the only active admin user: make another user admin "
                "first, or nobody could sign in to the pages as admin."
            ),
            code="last_admin",
        )


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
