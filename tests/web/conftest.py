"""Fixtures for the web pages: a SQLite database (the pages add no SQL of their own, so the
API tests cover PostgreSQL), an in-process client, and for browser tests the real app on
127.0.0.1 driven by Debian's chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, _truncate_all
from tests.one_hop_client import TestClient
from tests.snapshot import WorldCache, restore, take_snapshot
from tests.web.helpers import PASSWORD, Site, csrf_of, seed
from tests.web.seeded_logins import SeededLogin, arm, disarm, record_login, resume

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = Path(os.environ.get("PLAUDIT_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'plaudit.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def web_engine(web_database_url: str) -> Iterator[Engine]:
    engine = build_engine(web_database_url)
    yield engine
    engine.dispose()


SEEDED_AT = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
"""The page tests' fixed clock (a Wednesday)."""

SITES: WorldCache[tuple[Site, dict[str, SeededLogin]]] = WorldCache()


def _build_site(engine: Engine, url: str) -> tuple[Site, dict[str, SeededLogin]]:
    """Seed, then sign each role in once through the login form to learn a session cookie
    (tests/web/seeded_logins.py); the sign-ins' rows are taken away again."""
    _truncate_all(engine)
    site = seed(engine)
    seeded = take_snapshot(engine)
    logins: dict[str, SeededLogin] = {}
    app = app_for(web_settings(url), clock=FixedClock(SEEDED_AT))
    with TestClient(app, follow_redirects=False) as client:
        for username in ("admin", "manager", "ingest", "member"):
            client.cookies.clear()
            sign_in_with_form(client, username, PASSWORD)
            logins[username] = record_login(client, engine, username)
    restore(engine, seeded)
    return site, logins


@pytest.fixture
def site(web_engine: Engine, web_database_url: str) -> Iterator[Site]:
    """Users of every role, members, sources and one record, and nothing else: seeded once
    per worker and put back from its snapshot before each test. `sign_in` may then resume a
    seeded role's session instead of posting the form (tests/web/seeded_logins.py)."""
    site, logins = SITES.get(web_engine, lambda: _build_site(web_engine, web_database_url))
    arm(logins)
    yield site
    disarm()


def web_settings(url: str, **overrides: object) -> Settings:
    """Settings of the pages' application. No period closer, as in the API tests: the live
    server runs on the real clock, where it would archive the month that has just ended over
    the seasons a test made (the seasons page would show it first, empty)."""
    values: dict[str, object] = {
        "database_url": url,
        "admin_token": ADMIN_TOKEN,
        "secret_key": "test-secret-key-for-web-sessions",
        "period_closer": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def web(site: Site, web_database_url: str) -> Iterator[TestClient]:
    """A browser-like client (cookies kept, redirects not followed) on the fixed clock."""
    app = app_for(
        web_settings(web_database_url),
        clock=FixedClock(datetime(2026, 11, 18, 13, 0, tzinfo=UTC)),
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in as `username`: through the login form, or, for a seeded role's first sign-in
    in a test on the untouched seeded accounts, by resuming its recorded session (the same
    rows and cookie the form would leave)."""
    if password == PASSWORD and resume(client, username):
        return
    sign_in_with_form(client, username, password)


def sign_in_with_form(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def admin_web(web: TestClient) -> TestClient:
    sign_in(web, "admin")
    return web


# ---- browser tests -------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless chromium from Debian. Missing: the browser tests FAIL, never skip."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Run scripts/setup --browser (as root) to install it, or set "
            "PLAUDIT_TEST_CHROMIUM to a Chromium binary."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a broken environment must fail loudly
        pytest.fail("playwright is not installed: run scripts/setup (it is a dev dependency).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_url(web_database_url: str) -> Iterator[str]:
    from tests.live_server import live_server

    with live_server(web_settings(web_database_url)) as url:
        yield url


def screenshot(target: Page | Locator, name: str) -> None:
    """Save docs/screenshots/<name>.png of a page's viewport or of one element, only when
    PLAUDIT_SCREENSHOTS=1 (so normal runs leave the tree clean)."""
    if os.environ.get("PLAUDIT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
