"""Errors on pages are pages: the API's handlers keep answering JSON under /api, and every
other path gets the same status as an HTML page with a way back."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from plaudit.web.access import LoginRequired, PageForbidden, login_url
from plaudit.web.csrf import CsrfFailed
from plaudit.web.pages import render
from plaudit.web.user import WebUser, load_user

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Any], Response | Awaitable[Response]]

API_PATHS = ("/api/", "/openapi.json", "/docs", "/redoc", "/metrics", "/ob/", "/.well-known/")

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported file",
    422: "Invalid input",
    429: "Too many attempts",
    503: "Service unavailable",
}


def is_page_path(path: str) -> bool:
    return path != "/api" and not path.startswith(API_PATHS)


def _load_user(request: Request) -> WebUser | None:
    try:
        with request.app.state.sessionmaker() as session:
            return load_user(request, session, now=request.app.state.clock())
    except Exception:  # the page explains the first error; this one must not mask it
        logger.debug("could not load the user for an error page", exc_info=True)
        return None


async def error_page(request: Request, status: int, detail: str, *, title: str = "") -> Response:
    if not hasattr(request.state, "web_user") and "session" in request.scope:
        request.state.web_user = await run_in_threadpool(_load_user, request)
    return render(
        request,
        "pages/error.html",
        title=title or TITLES.get(status, "Something went wrong"),
        status_code=status,
        status=status,
        detail=detail,
    )


def _detail_of(response: Response) -> str:
    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""


def _page_version(original: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        answer = original(request, exc)
        response = await answer if inspect.isawaitable(answer) else answer
        if not is_page_path(request.url.path):
            return response
        status = response.status_code
        if isinstance(exc, RequestValidationError) or (
            isinstance(exc, StarletteHTTPException) and status == 404
        ):
            return await error_page(request, 404, "There is no page at this address.")
        if status >= 500:
            detail = "Something went wrong on our side; nothing was changed. Please try again."
            return await error_page(request, status, detail, title="Something went wrong")
        return await error_page(request, status, _detail_of(response))

    return handler


async def _on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(login_url(exc.next_path), status_code=303)


async def _on_page_forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    return await error_page(
        request,
        403,
        f"You are signed in as {exc.user.username} ({exc.user.role.value}), and this page is "
        "for other roles. Ask an administrator if you need access.",
        title="This page is not for your role",
    )


async def _on_csrf_failed(request: Request, _exc: Exception) -> Response:
    return await error_page(
        request,
        403,
        "The form was not accepted: it has expired or it did not come from this site. "
        "Go back, reload the page and try again.",
        title="Form expired",
    )


def install_error_pages(app: FastAPI) -> None:
    """Wrap the handlers already installed (the API's) and add the pages' own."""
    for exc_class, original in list(app.exception_handlers.items()):
        if isinstance(exc_class, type):
            app.add_exception_handler(exc_class, _page_version(original))
    app.add_exception_handler(LoginRequired, _on_login_required)
    app.add_exception_handler(PageForbidden, _on_page_forbidden)
    app.add_exception_handler(CsrfFailed, _on_csrf_failed)
