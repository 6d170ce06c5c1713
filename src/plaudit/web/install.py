"""install_web(app, settings): the pages, their static files, error pages and session cookie."""

from __future__ import annotations

import logging
import secrets

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

logger = logging.getLogger(__name__)

SESSION_COOKIE = "plaudit_session"
SESSION_MAX_AGE = int(SESSION_LIFETIME.total_seconds())
PLACEHOLDER_SECRET = "change-me-in-production"  # noqa: S105 (the default we refuse to trust)


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies. The published default would let anyone forge a
    session, so it is replaced by a random key for this process."""
    secret = settings.secret_key.get_secret_value()
    if secret and secret != PLACEHOLDER_SECRET:
        return secret
    logger.warning(
        "PLAUDIT_SECRET_KEY is not set: web sign-ins use a random key and end when the "
        "process restarts (set it when running several processes)."
    )
    return secrets.token_urlsafe(32)


def install_web(app: FastAPI, settings: Settings) -> None:
    """Call after the API's problem handlers are installed: page errors wrap them."""
    app.state.web_templates = build_environment()
    app.state.web_org = Org.from_settings(settings)
    app.state.sign_in_throttle = SignInThrottle.from_settings(settings)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app)
    app.add_middleware(PageHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
