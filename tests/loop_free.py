"""asyncio.run in a test's main thread, whatever ran before the test in its worker.

Playwright's synchronous API, which the browser tests use, keeps its event loop registered as
the running loop of the worker's main thread from the first browser test to the end of the
session. A later test of the same worker that calls `asyncio.run` there (publishing to NATS,
running `plaudit consume` in-process) then fails with "asyncio.run() cannot be called from a
running event loop": whether it does depends on which tests xdist gave the worker before.
`loop_free` unregisters that loop for the duration and registers it again afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


@contextmanager
def loop_free() -> Iterator[None]:
    """No running event loop in this thread inside the block."""
    registered = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(registered)


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)`, also after a browser test of the same worker."""
    with loop_free():
        return asyncio.run(coroutine)
