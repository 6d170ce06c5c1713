"""How many worker threads and database connections a serving process has, from one number.

An admitted request (`plaudit.http.admission`) holds at most one worker thread at a time
(its dependencies, its endpoint and its commit are consecutive hops) and one database
connection, two at most (an export's snapshot). So with `max_concurrent_requests` = N:

- worker threads: N + THREAD_HEADROOM. Every admitted request gets one at once; the headroom
  serves the work outside admission (static files, error pages' sign-in lookup).
- connections: a pool of N + BACKGROUND_CONNECTIONS (the webhook worker, the period closer and
  the SQLite checkpointer have their own threads and connections), overflowing by N.

Neither can run out under any number of concurrent requests, so no request waits for a thread
or a connection that only a waiting request could free.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread

THREAD_HEADROOM = 8
BACKGROUND_CONNECTIONS = 4


@dataclass(frozen=True)
class Capacity:
    requests: int

    @property
    def threads(self) -> int:
        return self.requests + THREAD_HEADROOM

    @property
    def pool_size(self) -> int:
        return self.requests + BACKGROUND_CONNECTIONS

    @property
    def pool_overflow(self) -> int:
        return self.requests


def set_worker_threads(capacity: Capacity) -> None:
    """Size AnyIO's default thread limiter (Starlette's `run_in_threadpool`, FastAPI's sync
    endpoints and dependencies) for the running event loop. Call it in the lifespan."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = capacity.threads
