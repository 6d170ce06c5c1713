"""The background job loop shared by the period closer and the WAL checkpointer."""

from __future__ import annotations

import logging
import threading

import pytest

from plaudit.kit.periodic import PeriodicJob

logger = logging.getLogger("tests.periodic")


class Flaky(PeriodicJob):
    """Fails the same way three times, then succeeds."""

    label = "flaky job"

    def __init__(self) -> None:
        super().__init__(0.01, logger=logger, first_delay=0.0)
        self.calls = 0
        self.results: list[object] = []
        self.done = threading.Event()

    def run_once(self) -> int:
        self.calls += 1
        if self.calls <= 3:
            raise ConnectionError("database away")
        return self.calls

    def ran(self, result: object) -> None:
        self.results.append(result)
        if len(self.results) >= 2:
            self.done.set()


def test_a_failing_job_is_retried_and_its_problem_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = Flaky()
    with caplog.at_level(logging.WARNING, logger="tests.periodic"):
        job.start()
        assert job.running
        assert job.done.wait(5), "the job never recovered"
        job.stop()
    assert not job.running
    assert job.results[:2] == [4, 5]
    warnings = [r.getMessage() for r in caplog.records if r.name == "tests.periodic"]
    assert warnings == ["flaky job: ConnectionError: database away (retrying every 0.01s)"]


def test_a_stopped_job_runs_no_more() -> None:
    job = Flaky()
    job.start()
    assert job.done.wait(5)
    job.stop()
    calls = job.calls
    threading.Event().wait(0.05)
    assert job.calls == calls
