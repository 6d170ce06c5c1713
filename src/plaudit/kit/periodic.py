"""A background thread that does one job every few seconds until it is stopped.

The period closer and the WAL checkpointer are such jobs. A failure (the database away, say)
is logged once per distinct problem and the job is tried again at its next turn: the thread
outlives any trouble, and a log is not flooded with the same warning every second.
"""

from __future__ import annotations

import logging
import threading


class PeriodicJob:
    """Subclasses give `run_once` (and may log what it did in `ran`)."""

    label = "periodic job"
    """What the job is called in thread names and warnings."""

    def __init__(
        self,
        every_seconds: float,
        *,
        logger: logging.Logger,
        first_delay: float | None = None,
    ) -> None:
        self.every_seconds = every_seconds
        self.first_delay = every_seconds if first_delay is None else first_delay
        self.logger = logger
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_problem: str | None = None

    def run_once(self) -> object:
        raise NotImplementedError

    def ran(self, result: object) -> None:
        """Called with what each successful `run_once` returned."""

    def start(self) -> None:
        name = f"plaudit-{self.label.replace(' ', '-')}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the run in hand, if any."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        delay = self.first_delay
        while not self._stopping.wait(delay):
            delay = self.every_seconds
            try:
                result = self.run_once()
            except Exception as exc:  # the job outlives any database trouble
                problem = f"{type(exc).__name__}: {exc}"
                if problem != self._last_problem:
                    self.logger.warning(
                        "%s: %s (retrying every %ss)", self.label, problem, self.every_seconds
                    )
                    self._last_problem = problem
                continue
            self._last_problem = None
            self.ran(result)
