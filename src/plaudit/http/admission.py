"""The admission limit: at most N requests are served at once; the rest wait in the event loop.

A request served by a sync endpoint holds a worker thread and a database connection, and its
commit needs a worker thread again. Without a limit, 41 requests waiting on one lock (or, on
SQLite, on the connection pool) took all 40 threads while the request holding the lock waited
for a thread to commit: the whole process stood still until the pool's 30 s timeout. With
this limit below the number of threads and of connections (`plaudit.http.capacity`), every
admitted request always gets both, and a request beyond it waits here, costing a few
kilobytes, in arrival order, for at most `timeout` seconds; then, or at once when `max_queued`
requests are waiting already, it is answered 503 with `Retry-After`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from plaudit.http.problems import PROBLEM_JSON

RETRY_AFTER_SECONDS = 1


class AdmissionGate:
    """A first-come, first-served counting gate with a bounded queue, for one event loop.

    A leaving request hands its place straight to the first waiter, so a newcomer never
    overtakes the queue."""

    def __init__(self, capacity: int, max_queued: int) -> None:
        self.capacity = capacity
        self.max_queued = max_queued
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return len(self._waiters)

    async def enter(self, timeout: float) -> bool:
        """Take a place, waiting at most `timeout` seconds; False when refused."""
        if self.active < self.capacity and not self._waiters:
            self.active += 1
            return True
        if len(self._waiters) >= self.max_queued:
            return False
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(place)
        try:
            async with asyncio.timeout(timeout):
                await place
        except TimeoutError:
            self._give_up(place)
            return False
        except BaseException:  # cancelled: the client went away, or the server is stopping
            self._give_up(place)
            raise
        return True

    def leave(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place passes on: `active` stays the same
                return
        self.active -= 1

    def _give_up(self, place: asyncio.Future[None]) -> None:
        if place.done() and not place.cancelled():
            self.leave()  # the place was handed over just as the wait ended: pass it on
            return
        place.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(place)


class AdmissionMiddleware:
    """Pure ASGI middleware around the whole application; `bypass(path)` requests (health,
    static files) never wait, since they use neither the database nor a thread for long."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        capacity: int,
        max_queued: int,
        timeout: float,
        bypass: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.capacity = capacity
        self.max_queued = max_queued
        self.timeout = timeout
        self.bypass = bypass
        self._gate: AdmissionGate | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def gate(self) -> AdmissionGate:
        """The gate of the running event loop (a test client may run the app on several)."""
        loop = asyncio.get_running_loop()
        if self._gate is None or self._loop is not loop:
            self._gate = AdmissionGate(self.capacity, self.max_queued)
            self._loop = loop
        return self._gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.bypass(scope["path"]):
            await self.app(scope, receive, send)
            return
        gate = self.gate()
        if not await gate.enter(self.timeout):
            await _send_503(send, self.timeout)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.leave()


def _detail(timeout: float) -> str:
    return (
        f"The server is busy: the request could not be started within {timeout:g} s. Nothing "
        f"was changed; try again after {RETRY_AFTER_SECONDS} s."
    )


async def _send_503(send: Send, timeout: float) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "status": 503,
            "title": "Service unavailable",
            "detail": _detail(timeout),
            "code": "overloaded",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
