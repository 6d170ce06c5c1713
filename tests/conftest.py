"""Fixtures: every database test runs on SQLite and on PostgreSQL, schema built by migrations.

PostgreSQL comes from PLAUDIT_TEST_POSTGRES_URL (scripts/test sets it, starting a throwaway
server when none is running). When it is missing or unreachable the PostgreSQL tests FAIL:
they are never skipped into green.

The suite runs in parallel (pytest-xdist, docs/development.md): every session-scoped resource
here is private to its pytest process, so each worker has its own PostgreSQL database, its own
SQLite files (under its own tmp_path_factory directory) and its own ports (port 0 everywhere).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.base import Base
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from tests import hypothesis_profiles
from tests.app_cache import app_for
from tests.one_hop_client import TestClient

pytest_plugins = ["tests.durations_by_dir", "tests.xdist_groups"]

hypothesis_profiles.load()

ADMIN_TOKEN = "test-admin-token"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str:
    url = os.environ.get("PLAUDIT_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "PLAUDIT_TEST_POSTGRES_URL is not set: run the suite with scripts/test, which "
            "finds or starts PostgreSQL. PostgreSQL tests are never skipped."
        )
    return Settings(database_url=url).sqlalchemy_url


@contextmanager
def private_postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the test server for this pytest process, dropped afterwards, so
    that parallel runs and other tools using the same server never see each other's rows."""
    name = f"plaudit_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A commit need not wait for its WAL to reach the disk: only durability across a
            # crash of the server changes, which no test checks; locks, isolation and
            # constraints are the same. Commits were most of the wall time of a test.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    except Exception as exc:  # any failure here must stop the run loudly
        admin_engine.dispose()
        pytest.fail(f"PostgreSQL at {server_url} is unreachable or unusable: {exc}")
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


SERIAL_DIRECTORIES = ("concurrency",)
"""Every test under tests/<one of these>/ is `serial` without saying so (races, load)."""


def in_serial_directory(path: Path) -> bool:
    tests_root = Path(__file__).resolve().parent
    return any(path.resolve().is_relative_to(tests_root / name) for name in SERIAL_DIRECTORIES)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.serial` tests all run on one xdist worker, one after the other.

    They are the ones that load the machine or the database server (races with many
    connections, load tests, benchmarks): run side by side they would slow each other down and
    exhaust connections. `--dist loadgroup` (pyproject addopts) sends every test of one
    `xdist_group` to the same worker; this runs before xdist reads the groups.
    """
    for item in items:
        if in_serial_directory(item.path):
            item.add_marker(pytest.mark.serial)
        if item.get_closest_marker("serial") is not None:
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`@pytest.mark.postgres_only`: the test is parametrised with PostgreSQL alone.

    It is never generated for SQLite (so there is nothing to skip), and it still fails like
    every PostgreSQL test when PostgreSQL is missing. Done by giving the test a direct
    parametrisation of `database_url`, which takes precedence over the fixture's params; this
    runs first so that pytest's own hooks see it.
    """
    if metafunc.definition.get_closest_marker("postgres_only") is None:
        return
    if "database_url" not in metafunc.fixturenames:
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid} is marked postgres_only but does not use the "
            "database_url fixture (directly or through engine/client/admin), so the marker "
            "could not choose PostgreSQL for it."
        )
    metafunc.definition.add_marker(
        pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="session")
    )


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind, made once per test session."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "plaudit.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    with private_postgres_database(postgres_url()) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = build_engine(database_url)
    yield eng
    eng.dispose()


# Every sequence of the database back to its start, as TRUNCATE ... RESTART IDENTITY would.
RESTART_SEQUENCES = "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"


def _truncate_all(engine: Engine) -> None:
    """Empty every table, children first. DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of
    the 31 tables gives each a new file and syncs them at commit, about a second per test on a
    busy machine, where deleting the few rows a test wrote takes a twentieth of that."""
    # The table names are the models' own, not input.
    deletes = [f"DELETE FROM {t.name}" for t in reversed(Base.metadata.sorted_tables)]  # noqa: S608
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("; ".join(deletes)))  # one round trip
            conn.execute(text(RESTART_SEQUENCES))
        else:
            for delete in deletes:
                conn.execute(text(delete))


@pytest.fixture
def clean_db(engine: Engine) -> Engine:
    """Each test starts from empty tables and commits for real through the app's own boundary."""
    _truncate_all(engine)
    return engine


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 18, 13, 0, tzinfo=UTC))  # a Wednesday


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The period closer runs only where a test starts it (tests/engine/test_period_close.py):
    # elsewhere it would decide periods at moments no test chose.
    return Settings(
        database_url=database_url, admin_token=ADMIN_TOKEN, timezone="UTC", period_closer=False
    )


class Api:
    """A test client that speaks as a given token and returns decoded JSON."""

    def __init__(self, client: TestClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(extra or {})
        return out

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        """Call and assert the status; return the JSON body."""
        response = self.request(method, path, **kw)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def as_token(self, token: str | None) -> Api:
        return Api(self.client, token)


@pytest.fixture
def client(clean_db: Engine, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(app_for(settings, clock)) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient) -> Api:
    return Api(client, ADMIN_TOKEN)


@pytest.fixture
def tokens(admin: Api) -> dict[str, str]:
    """A token of every role (the member token is bound to a member of its own)."""
    return role_tokens(admin)


def role_tokens(admin: Api) -> dict[str, str]:
    """Make a token of every role through the API: the role's name -> the token, and
    `member_id` -> the member the member token is bound to."""
    member = admin.ok("POST", "/members", 201, json={"name": "Token Holder"})
    out = {"admin": ADMIN_TOKEN}
    for role in ("manager", "ingest", "member"):
        body: dict[str, Any] = {"name": f"{role}-token", "role": role}
        if role == "member":
            body["member_id"] = member["id"]
        out[role] = admin.ok("POST", "/tokens", 201, json=body)["token"]
    out["member_id"] = str(member["id"])
    return out
