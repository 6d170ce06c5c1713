"""Who is signed in to the web pages: the session the cookie names, checked against the
database on every request (`plaudit.identity.sessions`).

The signed cookie holds only the session id once someone signs in (and, for a moment, the
flash messages of the next page). Before sign-in it holds the login form's CSRF token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from starlette.requests import Request

from plaudit.identity.sessions import end_session, find_session, start_session
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.models import User

SESSION_ID = "sid"
SESSION_CSRF = "csrf"
"""The anonymous visitor's CSRF token (the login form's); a signed-in session's is on the server."""
SESSION_FLASH = "flash"


@dataclass(frozen=True)
class WebUser:
    id: int
    username: str
    role: Role
    member_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def principal(self) -> Principal:
        """The principal services and the audit log see: `user:<name>`."""
        return Principal(
            name=f"user:{self.username}", role=self.role, member_id=self.member_id, user_id=self.id
        )


def sign_in(request: Request, session: Session, user: User, *, now: datetime) -> None:
    """Start a fresh session for `user`: nothing from before sign-in survives, CSRF included."""
    request.session.clear()
    request.session[SESSION_ID] = start_session(session, user, now=now)


def sign_out(request: Request, session: Session) -> None:
    """End the session on the server, so a saved copy of the cookie is refused too."""
    token = request.session.get(SESSION_ID)
    if isinstance(token, str):
        end_session(session, token)
    request.session.clear()


def load_user(request: Request, session: Session, *, now: datetime) -> WebUser | None:
    """The signed-in user, or None: an ended or expired session, or a deactivated user, is
    nobody (and the cookie is emptied). Keeps the session's CSRF token on `request.state`."""
    token = request.session.get(SESSION_ID)
    if not isinstance(token, str):
        return None
    found = find_session(session, token, now=now)
    if found is None:
        request.session.clear()
        return None
    request.state.session_csrf = found.csrf_token
    user = found.user
    return WebUser(
        id=user.id, username=user.username, role=Role(user.role), member_id=user.member_id
    )


def anonymous_csrf(request: Request) -> str:
    """The visitor's CSRF token before sign-in, made on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token
