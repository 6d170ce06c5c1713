"""One application per worker and settings, instead of one per test.

`create_app` costs about 0.15 CPU seconds (FastAPI analyses every route's dependencies), and
about 2,000 tests made one. The application keeps no state of a test between requests
(sessions, throttle and data live in the database, which each test empties), so a test may
reuse the one an earlier test made with equal settings. What a test may change is reset here:
the clock and the settings in `app.state` (a few tests replace the settings in place). Each
test still enters its own `TestClient`, so the lifespan (engine, pool, background worker)
starts and stops per test as before.
"""

from __future__ import annotations

from fastapi import FastAPI

from plaudit.app import create_app
from plaudit.clock import Clock
from plaudit.config import Settings

_apps: list[tuple[Settings, FastAPI]] = []


def app_for(settings: Settings, clock: Clock) -> FastAPI:
    """The worker's application for these settings (equal by value), on this test's clock."""
    app = next((app for known, app in _apps if known == settings), None)
    if app is None:
        app = create_app(settings, clock=clock)
        _apps.append((settings, app))
    app.state.settings = settings
    app.state.clock = clock
    return app
