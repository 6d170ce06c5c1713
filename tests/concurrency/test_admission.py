"""The admission limit's refusals, and error answers that keep the connection, over real sockets.

With room for one request, a queue of one and a short wait: a request held on a database lock
keeps its place, one more waits and is refused when the wait ends, the rest are refused at
once; all with 503, `Retry-After` and a problem body, while health answers. When the lock
goes, the held request completes and the next ones are served again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.pool import QueuePool

from plaudit.app import create_app
from plaudit.config import Settings
from tests.concurrency.live_api import Live, polling_health
from tests.live_server import live_server
from tests.loopback_http import loopback_client, loopback_request

ADMISSION_TIMEOUT = 1.0
EXCESS = 5


@contextmanager
def write_lock(engine: Engine) -> Iterator[None]:
    """Hold what a change of a member must wait for: SQLite's writer lock (BEGIN IMMEDIATE,
    see plaudit.db.engine), or on PostgreSQL a lock on the members table that refuses writes."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE members IN EXCLUSIVE MODE"))
        else:
            connection.execute(text("SELECT 1"))
        yield


def timed(http: httpx.Client, method: str, path: str, **kw: Any) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    response = http.request(method, path, **kw)
    return response, time.perf_counter() - start


def test_beyond_capacity_requests_get_a_fast_503_and_health_still_answers(
    clean_db: Engine, settings: Settings
) -> None:
    tiny = settings.model_copy(
        update={
            "max_concurrent_requests": 1,
            "max_queued_requests": 1,
            "admission_timeout": ADMISSION_TIMEOUT,
        }
    )
    assert tiny.admin_token is not None
    with live_server(tiny) as url:
        live = Live(url, tiny.admin_token.get_secret_value())
        ann = live.member("Ann")
        client = lambda: loopback_client(base_url=live.api, headers=live.auth, timeout=60)  # noqa: E731
        with (
            polling_health(live) as health,
            ThreadPoolExecutor(max_workers=EXCESS + 1) as pool,
            client() as held_http,
        ):
            with write_lock(clean_db):
                held = pool.submit(
                    timed, held_http, "PATCH", f"/members/{ann}", json={"name": "Ann B."}
                )
                time.sleep(0.5)  # admitted, and waiting for the lock
                assert not held.done()

                def excess(_: int) -> tuple[httpx.Response, float]:
                    with client() as http:
                        return timed(http, "GET", f"/members/{ann}")

                refusals = list(pool.map(excess, range(EXCESS)))
                assert not held.done()
            response, _ = held.result(timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Ann B."

        for refusal, seconds in refusals:
            assert refusal.status_code == 503, refusal.text
            assert refusal.headers["content-type"].startswith("application/problem+json")
            assert refusal.headers["retry-after"] == "1"
            problem = refusal.json()
            assert (problem["status"], problem["code"]) == (503, "overloaded")
            assert "busy" in problem["detail"]
            assert seconds < ADMISSION_TIMEOUT + 2.0
        waits = sorted(seconds for _, seconds in refusals)
        # One waited in the queue for the admission timeout; the others found it full.
        assert waits[-1] >= ADMISSION_TIMEOUT, waits
        assert all(s < ADMISSION_TIMEOUT for s in waits[:-1]), waits

        assert health and {status for status, _ in health} == {200}
        assert max(seconds for _, seconds in health) < 1.0

        # Every place was given back: requests are served again, one after another.
        for _ in range(3):
            assert live.ok("GET", f"/members/{ann}")["name"] == "Ann B."
        live.admin.close()


def _exchange(sock: socket.socket, path: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on an open socket; the response read to its Content-Length."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection before answering {path}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection in the middle of an answer"
        body += chunk
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/broken", "application/problem+json"), ("/broken-page", "text/html")],
)
def test_an_unexpected_error_is_a_complete_answer_on_a_kept_connection(
    clean_db: Engine, settings: Settings, path: str, content_type: str
) -> None:
    app = create_app(settings)

    @app.get(path)
    def broken() -> None:
        raise RuntimeError("a bug")

    with live_server(settings, app) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            status, headers, body = _exchange(sock, path)
            assert status == 500
            assert headers["content-type"].startswith(content_type)
            assert headers.get("connection", "").lower() != "close"
            if content_type == "application/problem+json":
                assert b'"code":"internal"' in body
            # The same connection serves the next request.
            status, _, body = _exchange(sock, "/api/v1/health")
            assert status == 200
            assert b'"status":"ok"' in body


def test_an_admitted_request_always_gets_its_thread_and_connection(
    clean_db: Engine, settings: Settings
) -> None:
    """The sizes the server sets up from the admission limit (plaudit.http.capacity)."""
    sized = settings.model_copy(update={"max_concurrent_requests": 3})
    app = create_app(sized)
    seen: dict[str, int] = {}

    @app.get("/api/v1/sizes")
    async def sizes() -> dict[str, int]:
        pool = app.state.engine.pool
        assert isinstance(pool, QueuePool)
        seen["threads"] = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
        seen["pool"] = pool.size()
        return seen

    with live_server(sized, app) as url:
        assert loopback_request("GET", f"{url}/api/v1/sizes", timeout=10).status_code == 200
    # One admitted request per thread and per connection, with room beyond them.
    assert seen["threads"] > 3
    assert seen["pool"] > 3
