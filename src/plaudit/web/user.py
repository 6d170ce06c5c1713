"""Who is signed in to the web pages: the session's user, checked against the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request

from plaudit.identity.service import get_active_user
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.models import User

SESSION_USER = "uid"
SESSION_GUARD = "guard"
SESSION_CSRF = "csrf"
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


def _guard(user: User) -> str:
    # Changes with the password hash (salted), so a new password ends the other sessions.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for `user`: nothing from before sign-in survives, CSRF included."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_GUARD] = _guard(user)
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def load_user(request: Request, session: Session) -> WebUser | None:
    """The signed-in user, or None. A deactivated user or a changed password ends the session."""
    user_id = request.session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    user = get_active_user(session, user_id)
    guard = request.session.get(SESSION_GUARD)
    if (
        user is None
        or not isinstance(guard, str)
        or not secrets.compare_digest(guard, _guard(user))
    ):
        request.session.clear()
        return None
    return WebUser(
        id=user.id, username=user.username, role=Role(user.role), member_id=user.member_id
    )
