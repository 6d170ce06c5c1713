"""Who may open a page: sign-in required, then a role check. `next` kept for after sign-in.

Use the annotated dependencies on page functions: `StaffUser` (admin, manager) for admin
pages, `SignedIn` for any signed-in user, or `Depends(require(...roles))` for another set.
Not signed in: redirect to /login?next=<this page>. Wrong role: a friendly 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends
from starlette.requests import Request

from plaudit.http.deps import SessionDep
from plaudit.kit.roles import STAFF, Role
from plaudit.web.user import WebUser, load_user

LOGIN_PATH = "/login"
MAX_NEXT_LENGTH = 2000


class LoginRequired(Exception):
    """No one is signed in: answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    """Signed in, but the role may not open this page: answered with a 403 page."""

    def __init__(self, user: WebUser) -> None:
        super().__init__(user.role)
        self.user = user


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` if it is a path on this site, else `default`: no open redirects.

    Accepted: an absolute path (`/admin/x?y=1`). Refused: full or scheme-relative URLs
    (`https://evil`, `//evil`), backslashes (`/\\evil`, which browsers read as `//evil`),
    control characters and anything overly long.
    """
    if not value or len(value) > MAX_NEXT_LENGTH:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_url(next_path: str) -> str:
    target = safe_next(next_path)
    return LOGIN_PATH if target == "/" else f"{LOGIN_PATH}?{urlencode({'next': target})}"


def current_user(request: Request, session: SessionDep) -> WebUser | None:
    """The signed-in user (or None), also kept on `request.state` for templates."""
    if hasattr(request.state, "web_user"):
        cached: WebUser | None = request.state.web_user
        return cached
    user = load_user(request, session, now=request.app.state.clock())
    request.state.web_user = user
    if user is not None:
        request.state.principal = user.principal
    return user


MaybeUser = Annotated[WebUser | None, Depends(current_user)]


def require(*roles: Role) -> Callable[[Request, WebUser | None], WebUser]:
    """A dependency admitting signed-in users whose role is one of `roles`."""
    allowed = frozenset(roles)

    def dependency(request: Request, user: MaybeUser) -> WebUser:
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target if request.method == "GET" else request.url.path)
        if user.role not in allowed:
            raise PageForbidden(user)
        return user

    dependency.roles = allowed  # type: ignore[attr-defined]  # read by the access tests
    return dependency


SignedIn = Annotated[WebUser, Depends(require(*Role))]
StaffUser = Annotated[WebUser, Depends(require(*STAFF))]
