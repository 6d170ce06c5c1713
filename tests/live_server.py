"""The real service over real sockets: uvicorn in a background thread, on loopback only.

Concurrency tests need requests that truly run at the same time in separate server threads
and database connections, which an in-process TestClient does not give.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from plaudit.app import create_app
from plaudit.config import Settings

HOST = "127.0.0.1"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0


@contextmanager
def live_server(settings: Settings, app: FastAPI | None = None) -> Iterator[str]:
    """Serve `app`, by default `create_app(settings)`, on 127.0.0.1 at a free port; yield the
    base URL."""
    config = uvicorn.Config(
        app or create_app(settings),
        host=HOST,
        port=0,
        lifespan="on",
        log_level="warning",
        access_log=False,
        ws="none",
        proxy_headers=False,  # as `plaudit serve`: the app trusts PLAUDIT_TRUSTED_PROXIES only
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run()
        except BaseException as exc:  # reported by the waiting test, not lost in the thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="plaudit-live-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(f"the live server did not start: {failure!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the live server did not start in time")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError("the live server did not stop in time")
    if failure:
        raise RuntimeError(f"the live server failed: {failure!r}")
