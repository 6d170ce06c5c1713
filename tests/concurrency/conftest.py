"""The `live` fixture: a real server on 127.0.0.1 over the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from plaudit.clock import system_clock
from plaudit.config import Settings
from tests.app_cache import app_for
from tests.concurrency.live_api import Live
from tests.live_server import live_server


@pytest.fixture
def live(clean_db: Engine, settings: Settings) -> Iterator[Live]:
    """The worker's application for these settings (`app_for`: building one and its routes
    costs about a CPU second), on the system clock, served for this test alone."""
    assert settings.admin_token is not None
    with live_server(settings, app_for(settings, system_clock)) as url:
        assert url.startswith("http://127.0.0.1:")
        server = Live(url, settings.admin_token.get_secret_value())
        try:
            yield server
        finally:
            server.admin.close()
