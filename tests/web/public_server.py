"""A live server whose PLAUDIT_PUBLIC_URL is its own address (known only once it listens on
its port 0), so the absolute URLs of published badges point back at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from plaudit.app import create_app
from plaudit.config import Settings
from tests.live_server import live_server


@contextmanager
def public_live_server(settings: Settings) -> Iterator[str]:
    app = create_app(settings)
    with live_server(settings, app) as url:
        # Requests read the settings from app.state; none has been served yet.
        app.state.settings = settings.model_copy(update={"public_url": url})
        yield url
