"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.http.deps import NowDep, SessionDep
from plaudit.identity.service import authenticate
from plaudit.web.access import MaybeUser, safe_next
from plaudit.web.forms.common import form_data, text
from plaudit.web.pages import flash, page_router, render
from plaudit.web.throttle import Attempt, SignInThrottle
from plaudit.web.user import sign_in, sign_out

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
MAX_USERNAME = 150
MAX_PASSWORD = 1000


def _login_page(
    request: Request, next_path: str, *, username: str = "", error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "pages/login.html",
        title="Sign in",
        status_code=status,
        next_path=next_path,
        username=username,
        error=error,
    )


@router.get("/login")
def login_form(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    target = safe_next(next)
    if user is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, target)


@router.post("/login")
def login(request: Request, session: SessionDep, form: Form, now: NowDep) -> Response:
    username = text(form, "username")[:MAX_USERNAME]
    password = text(form, "password", strip=False)[:MAX_PASSWORD]
    target = safe_next(text(form, "next"))
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    # The socket's peer, or the client a trusted proxy names (PLAUDIT_TRUSTED_PROXIES).
    attempt = Attempt(address=request.client.host if request.client else "", username=username)
    admission = throttle.begin(session, attempt, now=now)
    if admission.retry_after:
        return _throttled_page(request, target, username, admission.retry_after)
    user = authenticate(session, username, password) if username and password else None
    if user is None:
        return _login_page(
            request, target, username=username, error="Wrong user name or password.", status=400
        )
    throttle.succeeded(session, attempt, admission)
    sign_in(request, session, user, now=now)
    return RedirectResponse(target, status_code=303)


def _throttled_page(request: Request, target: str, username: str, wait: int) -> Response:
    """429 with Retry-After. The same words whether or not the account exists, and the
    password is not checked: the right one is refused too until the wait is over."""
    minutes = -(-wait // 60)
    response = _login_page(
        request,
        target,
        username=username,
        error="Too many failed sign-in attempts for this account name or from this address. "
        f"Sign-in is paused: try again in {minutes} minute{'s' if minutes != 1 else ''} "
        "(until then even the right password is refused).",
        status=429,
    )
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    sign_out(request, session)
    flash(request, "You are signed out.", "info")
    return RedirectResponse("/login", status_code=303)
