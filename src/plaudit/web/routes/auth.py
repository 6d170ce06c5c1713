"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.http.deps import SessionDep
from plaudit.identity.service import authenticate
from plaudit.web.access import MaybeUser, safe_next
from plaudit.web.forms.common import form_data, text
from plaudit.web.pages import flash, page_router, render
from plaudit.web.throttle import LoginThrottle
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
def login(request: Request, session: SessionDep, form: Form) -> Response:
    username = text(form, "username")[:MAX_USERNAME]
    password = text(form, "password", strip=False)[:MAX_PASSWORD]
    target = safe_next(text(form, "next"))
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(client, username)
    if wait:
        minutes = -(-wait // 60)
        return _login_page(
            request,
            target,
            username=username,
            error=f"Too many failed sign-in attempts. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
            status=429,
        )
    user = authenticate(session, username, password) if username and password else None
    if user is None:
        throttle.failed(client, username)
        return _login_page(
            request, target, username=username, error="Wrong user name or password.", status=400
        )
    throttle.succeeded(client, username)
    sign_in(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
    flash(request, "You are signed out.", "info")
    return RedirectResponse("/login", status_code=303)
