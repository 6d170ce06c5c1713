"""install_web(app, settings): the pages, their static files, error pages and session cookie.

The session cookie is signed with `app.state.secret` (create_app: PLAUDIT_SECRET_KEY, or a
random key for the process when it is left at its published default)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from plaudit.config import Settings
from plaudit.identity.sessions import SESSION_LIFETIME
from plaudit.web.errors import install_error_pages
from plaudit.web.headers import PageHeadersMiddleware
from plaudit.web.org import Org
from plaudit.web.pages import STATIC_DIR, STATIC_PREFIX, build_environment
from plaudit.web.routes import ROUTERS
from plaudit.web.throttle import SignInThrottle

SESSION_COOKIE = "plaudit_session"
SESSION_MAX_AGE = int(SESSION_LIFETIME.total_seconds())


def install_web(app: FastAPI, settings: Settings) -> None:
    """Call after the API's problem handlers are installed: page errors wrap them."""
    app.state.web_templates = build_environment()
    app.state.web_org = Org.from_settings(settings)
    app.state.sign_in_throttle = SignInThrottle.from_settings(settings)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app)
    app.add_middleware(PageHeadersMiddleware, embed_origins=settings.embed_origins)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
