"""The `live` fixture: a real server on 127.0.0.1 over the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from plaudit.config import Settings
from tests.concurrency.live_api import Live
from tests.live_server import live_server


@pytest.fixture
def live(clean_db: Engine, settings: Settings) -> Iterator[Live]:
    assert settings.admin_token is not None
    with live_server(settings) as url:
        assert url.startswith("http://127.0.0.1:")
        server = Live(url, settings.admin_token.get_secret_value())
        try:
            yield server
        finally:
            server.admin.close()
