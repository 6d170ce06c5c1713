"""CSRF protection: a synchronizer token kept in the session, checked on every unsafe request.

A signed-in session's token is kept with the session on the server (made at sign-in); before
sign-in, the visitor's token is kept in the signed cookie (the login form needs one).

Every page router is made by `plaudit.web.pages.page_router`, which runs `verify_csrf` for
all of its routes, so a new form is protected without anyone remembering to ask for it.
A form carries the token in the hidden field `csrf_token` (the `csrf_field()` template
helper writes it); a script may send it in the `X-CSRF-Token` header instead.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

from starlette.datastructures import FormData
from starlette.requests import Request

from plaudit.web.access import MaybeUser
from plaudit.web.user import SESSION_CSRF, anonymous_csrf

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Exception):
    """An unsafe request without the session's CSRF token: answered with a 403 page."""


def _session_token(request: Request) -> str | None:
    """The signed-in session's token; None before sign-in. Needs the page's user loaded
    (`current_user`), which reads the session from the database."""
    token = getattr(request.state, "session_csrf", None)
    signed_in = getattr(request.state, "web_user", None) is not None
    return token if signed_in and isinstance(token, str) else None


def csrf_token(request: Request) -> str:
    """The signed-in session's token, else the visitor's (made on first use, so anonymous
    forms such as login have one)."""
    return _session_token(request) or anonymous_csrf(request)


async def verify_csrf(request: Request, _user: MaybeUser) -> AsyncIterator[None]:
    """Refuse an unsafe request whose form field or header does not carry the session token.
    A form parsed here is the one the page reads too; it is closed (uploads removed) after
    the response. Loading the user first tells which session's token is expected."""
    if request.method in SAFE_METHODS:
        yield
        return
    form: FormData | None = None
    expected = _session_token(request) or request.session.get(SESSION_CSRF)
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
    try:
        if given is None and form is not None:
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        if (
            not isinstance(expected, str)
            or not expected
            or not given
            or not secrets.compare_digest(given.encode(), expected.encode())
        ):
            raise CsrfFailed
        yield
    finally:
        if form is not None:
            await form.close()
