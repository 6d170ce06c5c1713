"""`pytest --durations-by-dir`: the time spent per test directory, summed over its tests.

Each test counts its setup, call and teardown (what `--durations` reports one by one). In a
parallel run (xdist) the controller receives every worker's reports, so the sums are the work
done per directory, whatever the number of workers; the wall time is pytest's own last line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest

OPTION = "--durations-by-dir"


@dataclass
class DirectoryTime:
    tests: int = 0
    seconds: float = 0.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("terminal reporting").addoption(
        OPTION,
        action="store_true",
        default=False,
        help="after the run, print the seconds spent per test directory (setup+call+teardown)",
    )


def directory_of(nodeid: str) -> str:
    """`tests/api/test_x.py::test_y[sqlite]` -> `tests/api`; top-level test files -> `tests`."""
    return str(PurePosixPath(nodeid.split("::", 1)[0]).parent)


class DirectoryDurations:
    def __init__(self) -> None:
        self.by_directory: dict[str, DirectoryTime] = defaultdict(DirectoryTime)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.by_directory[directory_of(report.nodeid)]
        entry.seconds += report.duration
        if report.when == "call" or (report.when == "setup" and not report.passed):
            entry.tests += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        rows = sorted(self.by_directory.items(), key=lambda kv: kv[1].seconds, reverse=True)
        total = sum(entry.seconds for _, entry in rows)
        terminalreporter.write_sep("=", "durations by directory (setup+call+teardown, summed)")
        terminalreporter.write_line(f"{'directory':<24} {'tests':>6} {'seconds':>9} {'share':>6}")
        for name, entry in rows:
            share = entry.seconds / total if total else 0.0
            terminalreporter.write_line(
                f"{name:<24} {entry.tests:>6} {entry.seconds:>9.1f} {share:>6.1%}"
            )
        count = sum(entry.tests for _, entry in rows)
        terminalreporter.write_line(f"{'total':<24} {count:>6} {total:>9.1f}")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption(OPTION) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(DirectoryDurations(), "durations-by-dir")
