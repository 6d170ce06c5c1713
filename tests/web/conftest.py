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
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, _truncate_all
from tests.web.helpers import PASSWORD, Site, csrf_of, seed

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


@pytest.fixture
def site(web_engine: Engine) -> Site:
    """Empty tables, then users of every role, members, sources and one record."""
    _truncate_all(web_engine)
    return seed(web_engine)


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
