"""Sign-in throttling: after repeated failures, refuse for a while before checking a password.

Counted per (client address, user name) and per client address, in this process's memory:
enough to make guessing slow; a deployment with several processes multiplies the allowance.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(
        self,
        *,
        per_name: int = MAX_FAILURES_PER_NAME,
        per_client: int = MAX_FAILURES_PER_CLIENT,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name = per_name
        self.per_client = per_client
        self.window = window
        self.clock = clock
        self._keep = max(per_name, per_client)
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(client: str, username: str) -> list[tuple[tuple[str, str], str]]:
        return [((client, username.casefold()), "name"), ((client, ""), "client")]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, client: str, username: str) -> int:
        """Seconds until this client may try this name again; 0 when it may try now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, kind in self._keys(client, username):
                stamps = self._recent(key, now)
                limit = self.per_name if kind == "name" else self.per_client
                if len(stamps) >= limit:
                    wait = max(wait, stamps[-limit] + self.window - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, client: str, username: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > MAX_KEYS:
                for key in list(self._failures):
                    self._recent(key, now)
            for key, _kind in self._keys(client, username):
                self._failures.setdefault(key, deque(maxlen=self._keep)).append(now)

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop((client, username.casefold()), None)
