"""`pytest --durations-by-dir`: the time spent per test directory, summed over its tests.

Each test counts its setup, call and teardown (what `--durations` reports one by one). In a
parallel run (xdist) the controller receives every worker's reports, so the sums are the work
done per directory, whatever the number of workers; the wall time is pytest's own last line.

`python -m tests.durations_by_dir report.xml` prints the same table from a JUnit XML report
(`pytest --junitxml=report.xml`), for runs of a version of the suite without this option.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest
from defusedxml import ElementTree

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


def write_table(by_directory: dict[str, DirectoryTime], write_line: Callable[[str], None]) -> None:
    rows = sorted(by_directory.items(), key=lambda kv: kv[1].seconds, reverse=True)
    total = sum(entry.seconds for _, entry in rows)
    write_line(f"{'directory':<24} {'tests':>6} {'seconds':>9} {'share':>6}")
    for name, entry in rows:
        share = entry.seconds / total if total else 0.0
        write_line(f"{name:<24} {entry.tests:>6} {entry.seconds:>9.1f} {share:>6.1%}")
    count = sum(entry.tests for _, entry in rows)
    write_line(f"{'total':<24} {count:>6} {total:>9.1f}")


class DirectoryDurations:
    def __init__(self) -> None:
        self.by_directory: dict[str, DirectoryTime] = defaultdict(DirectoryTime)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.by_directory[directory_of(report.nodeid)]
        entry.seconds += report.duration
        if report.when == "call" or (report.when == "setup" and not report.passed):
            entry.tests += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_sep("=", "durations by directory (setup+call+teardown, summed)")
        write_table(self.by_directory, terminalreporter.write_line)


def from_junit(cases: Iterable[tuple[str, float]]) -> dict[str, DirectoryTime]:
    """(classname, seconds) of JUnit test cases -> the time per directory. A classname is
    the test's module path with dots (`tests.api.test_x` or `tests.api.test_x.TestY`)."""
    by_directory: dict[str, DirectoryTime] = defaultdict(DirectoryTime)
    for classname, seconds in cases:
        parts = classname.split(".")
        module = next(i for i, part in enumerate(parts) if part.startswith("test_"))
        entry = by_directory["/".join(parts[:module])]
        entry.tests += 1
        entry.seconds += seconds
    return by_directory


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.durations_by_dir REPORT.xml", file=sys.stderr)
        return 2
    root = ElementTree.parse(argv[0]).getroot()
    cases = [
        (case.get("classname", ""), float(case.get("time", "0"))) for case in root.iter("testcase")
    ]
    write_table(from_junit(cases), print)
    return 0


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption(OPTION) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(DirectoryDurations(), "durations-by-dir")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
