"""The suite's own tools: time per directory, and the Hypothesis profile's example counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import in_serial_directory
from tests.durations_by_dir import directory_of, from_junit
from tests.hypothesis_profiles import ENVIRONMENT_VARIABLE, THOROUGH_FACTOR, examples

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    ("nodeid", "directory"),
    [
        ("tests/api/test_awards.py::test_give[sqlite]", "tests/api"),
        ("tests/concurrency/test_engine_gate.py::test_x[postgresql]@serial", "tests/concurrency"),
        ("tests/test_docs.py::test_links[docs/a.md]", "tests"),
        ("tests/web/test_auth.py::TestLogin::test_ok", "tests/web"),
    ],
)
def test_a_test_counts_for_the_directory_of_its_file(nodeid: str, directory: str) -> None:
    assert directory_of(nodeid) == directory


def test_a_junit_report_is_summed_per_directory() -> None:
    by_directory = from_junit(
        [
            ("tests.api.test_awards", 1.25),
            ("tests.api.test_groups.TestNames", 0.5),
            ("tests.test_docs", 2.0),
        ]
    )
    assert {name: (entry.tests, entry.seconds) for name, entry in by_directory.items()} == {
        "tests/api": (2, 1.75),
        "tests": (1, 2.0),
    }


def test_the_standard_profile_keeps_a_propertys_own_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert examples(40) == 40
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "standard")
    assert examples(40) == 40


def test_the_thorough_profile_multiplies_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "thorough")
    assert examples(40) == 40 * THOROUGH_FACTOR > 40


def test_an_unknown_profile_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "quick")
    with pytest.raises(ValueError, match="'quick' is not a profile"):
        examples(40)


@pytest.mark.parametrize(
    ("relative", "serial"),
    [
        ("concurrency/test_engine_gate.py", True),
        ("concurrency/test_load.py", True),
        ("api/test_awards.py", False),
        ("test_concurrency_notes.py", False),
    ],
)
def test_the_tests_under_concurrency_are_serial(relative: str, serial: bool) -> None:
    assert in_serial_directory(TESTS / relative) is serial


def test_serial_tests_are_grouped_on_one_worker(request: pytest.FixtureRequest) -> None:
    """What tests/conftest.py did to this very test, and to any serial one collected with it."""
    assert request.node.get_closest_marker("serial") is None
    assert request.node.get_closest_marker("xdist_group") is None
    for item in request.session.items:
        if in_serial_directory(item.path):
            group = item.get_closest_marker("xdist_group")
            assert group is not None, item.nodeid
            assert group.args == ("serial",), item.nodeid


NEW_TLS_CONTEXT = re.compile(r"\bhttpx\.(Client|get|post|put|patch|delete|request|stream)\(")
"""A direct httpx client or call: each builds a TLS context of its own (tests/loopback_http.py)."""


def test_the_tests_build_http_clients_on_the_shared_tls_context() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "loopback_http.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if NEW_TLS_CONTEXT.search(line) and path != Path(__file__).resolve()
    ]
    assert not offenders, f"use tests.loopback_http instead of httpx directly: {offenders}"


def test_the_guard_sees_a_direct_client() -> None:
    assert NEW_TLS_CONTEXT.search('    with httpx.Client(base_url="http://127.0.0.1") as c:')
    assert NEW_TLS_CONTEXT.search("answer = httpx.get(url, timeout=2)")
    assert not NEW_TLS_CONTEXT.search("with loopback_client(timeout=2) as http:")
    assert not NEW_TLS_CONTEXT.search("except httpx.HTTPError:")


def test_a_loopback_client_shares_the_process_tls_context() -> None:
    from plaudit.kit.tls import default_tls_context
    from tests.loopback_http import loopback_client

    with loopback_client() as first, loopback_client() as second:
        contexts = {
            id(client._transport._pool._ssl_context)  # type: ignore[attr-defined]
            for client in (first, second)
        }
    assert contexts == {id(default_tls_context())}


def test_run_coroutine_works_where_a_loop_is_registered_as_running() -> None:
    """After a browser test, Playwright's loop stays registered as running in the worker's
    main thread (tests/loop_free.py): asyncio.run fails there, run_coroutine does not, and the
    registered loop is back afterwards."""
    import asyncio

    from tests.loop_free import run_coroutine

    async def answer() -> int:
        return 42

    other = asyncio.new_event_loop()
    asyncio._set_running_loop(other)
    try:
        refused = answer()
        with pytest.raises(RuntimeError, match="running event loop"):
            asyncio.run(refused)
        refused.close()
        assert run_coroutine(answer()) == 42
        assert asyncio._get_running_loop() is other
    finally:
        asyncio._set_running_loop(None)
        other.close()
