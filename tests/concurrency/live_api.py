"""A live Plaudit server driven over real sockets, for the concurrency tests: set-up calls
on an admin connection, and races of requests started at the same instant."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.loopback_http import loopback_client

N = 12
"""Requests per race: more than the server's cores, fewer than the PostgreSQL pool."""

BARRIER_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0
HEALTH_POLL_SECONDS = 0.05

DEALS = {
    "key": "deals",
    "name": "Deals",
    "fields": [{"name": "value", "type": "number"}, {"name": "stage", "type": "string"}],
}
ONE_DEAL = {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}


class Live:
    """The live server's base URL and an admin connection for set-up and checks."""

    def __init__(self, base_url: str, token: str) -> None:
        self.api = f"{base_url}/api/v1"
        self.auth = {"Authorization": f"Bearer {token}"}
        self.admin = loopback_client(base_url=self.api, headers=self.auth, timeout=REQUEST_TIMEOUT)

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = self.admin.request(method, path, **kw)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def member(self, name: str) -> int:
        member_id: int = self.ok("POST", "/members", 201, json={"name": name})["id"]
        return member_id

    def achievement(
        self,
        key: str,
        category: str,
        period: str,
        requirements: list[list[dict[str, Any]]] | None = None,
    ) -> int:
        body = {
            "key": key,
            "name": key.title(),
            "category": category,
            "period": period,
            "points": 5,
            "requirements": requirements or [],
        }
        achievement_id: int = self.ok("POST", "/achievements", 201, json=body)["id"]
        if requirements:
            self.ok("POST", f"/achievements/{achievement_id}/activate")
        return achievement_id

    def awards(self, achievement_id: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.ok("GET", f"/awards?achievement_id={achievement_id}")
        return found

    def race(self, calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
        """Run the calls at the same instant, each on its own connection; answers in order."""
        barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)

        def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
            with loopback_client(
                base_url=self.api, headers=self.auth, timeout=REQUEST_TIMEOUT
            ) as http:
                # Open the connection first, so that the race is between requests, not
                # between TCP handshakes.
                assert http.get("/sources").status_code == 200
                barrier.wait()
                return call(http)

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            futures = [pool.submit(run, call) for call in calls]
            return [f.result() for f in futures]


@dataclass
class HealthPoller:
    """Polls health on its own connection, in its own thread, until stopped."""

    url: str
    answers: list[tuple[int, float]]
    stop: threading.Event

    def run(self) -> None:
        with loopback_client(timeout=REQUEST_TIMEOUT) as http:
            while not self.stop.is_set():
                start = time.perf_counter()
                status = http.get(self.url).status_code
                self.answers.append((status, time.perf_counter() - start))
                self.stop.wait(HEALTH_POLL_SECONDS)


@contextmanager
def polling_health(live: Live) -> Iterator[list[tuple[int, float]]]:
    poller = HealthPoller(f"{live.api}/health", [], threading.Event())
    thread = threading.Thread(target=poller.run, name="health-poller", daemon=True)
    thread.start()
    try:
        yield poller.answers
    finally:
        poller.stop.set()
        thread.join(REQUEST_TIMEOUT)
