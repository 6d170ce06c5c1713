"""Web sessions on the server: started at sign-in, looked up on every page, ended at sign-out
or when the user's access changes.

The browser's cookie carries only a random session id; the database keeps its SHA-256, the
user, the CSRF token and the times. Ending a session deletes its row, so a copy of the cookie
taken before is refused from then on. Expired rows are deleted whenever someone signs in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from plaudit.kit.security import hash_token
from plaudit.models import User, WebSession

SESSION_LIFETIME = timedelta(hours=12)
"""A session ends this long after sign-in, however busy it is."""
TOUCH_INTERVAL = timedelta(minutes=1)
"""`last_seen_at` is written at most this often per session, not on every page."""
MAX_SESSIONS_PER_USER = 20
"""Signing in once more ends the oldest sessions beyond this many, so they stay bounded."""


@dataclass(frozen=True)
class OpenSession:
    """A live session and its active user."""

    user: User
    csrf_token: str
    expires_at: datetime


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """A new session for `user`; returns its id, which only the cookie will hold. Expired
    sessions of anyone, and this user's oldest beyond `MAX_SESSIONS_PER_USER`, are removed."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    oldest_kept = (
        select(WebSession.id)
        .where(WebSession.user_id == user.id)
        .order_by(WebSession.id.desc())
        .offset(MAX_SESSIONS_PER_USER - 1)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.id < oldest_kept)
    )
    return token


def find_session(session: Session, token: str, *, now: datetime) -> OpenSession | None:
    """The live session with this id and its user, or None when it was ended, has expired,
    or its user was deactivated. Notes that the session was seen (at most once a minute)."""
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at <= now or not user.active:
        return None  # an expired row is deleted at the next sign-in of anyone
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        session.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return OpenSession(user=user, csrf_token=row.csrf_token, expires_at=row.expires_at)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every session of a user (deactivated, or their role or password changed);
    returns how many there were."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)
