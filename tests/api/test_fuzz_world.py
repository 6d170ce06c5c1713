"""The fuzz test's own tools: the snapshot of the seeded world and the write watch.

The fuzz test relies on both to check "a refused request wrote nothing" without seeding again
or reading every table after every request; these tests show they can tell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.api.fuzz_world import fingerprint, fuzz_app_settings, seed
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api
from tests.one_hop_client import TestClient
from tests.snapshot import restore, take_snapshot
from tests.write_watch import WriteWatch, may_write


@pytest.fixture
def watch() -> Iterator[WriteWatch]:
    watching = WriteWatch()
    event.listen(Engine, "before_cursor_execute", watching)
    try:
        yield watching
    finally:
        event.remove(Engine, "before_cursor_execute", watching)


@pytest.fixture
def fuzz_admin(clean_db: Engine, settings: Settings, clock: FixedClock) -> Iterator[Api]:
    """The admin on the application the fuzz test uses (`fuzz_app_settings`)."""
    with TestClient(app_for(fuzz_app_settings(settings), clock)) as client:
        yield Api(client, ADMIN_TOKEN)


def test_a_restored_world_is_the_seeded_one_ids_included(fuzz_admin: Api, clean_db: Engine) -> None:
    seed(fuzz_admin)
    snapshot, seeded = take_snapshot(clean_db), fingerprint(clean_db)
    next_team = fuzz_admin.ok("POST", "/teams", 201, json={"name": "Later"})["id"]
    award = fuzz_admin.ok("GET", "/awards")[0]
    fuzz_admin.ok("DELETE", f"/awards/{award['id']}")  # revoked: the row changes
    assert fingerprint(clean_db) != seeded

    restore(clean_db, snapshot)

    assert fingerprint(clean_db) == seeded
    assert fuzz_admin.ok("GET", f"/awards/{award['id']}")["revoked"] is False
    # The id sequences stand where seeding left them: the next team gets the same id again.
    assert fuzz_admin.ok("POST", "/teams", 201, json={"name": "Later"})["id"] == next_team


def test_the_watch_counts_the_apps_writes_and_not_its_refusals(
    admin: Api, client: TestClient, watch: WriteWatch
) -> None:
    before = watch.count
    assert admin.post("/teams", json={"name": ""}).status_code == 422
    admin.ok("GET", "/teams")
    assert watch.count == before

    admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    assert watch.count > before


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT * FROM teams", False),
        ("  select 1", False),
        ("(SELECT 1) UNION ALL (SELECT 2)", False),
        ("BEGIN IMMEDIATE", False),
        ("SAVEPOINT sa_1", False),
        ("PRAGMA foreign_keys=ON", False),
        ("INSERT INTO teams (name) VALUES (?)", True),
        ("update teams set name = 'x'", True),
        ("DELETE FROM teams", True),
        ("WITH gone AS (DELETE FROM teams RETURNING id) SELECT count(*) FROM gone", True),
        ("CREATE TEMPORARY TABLE scratch (id INTEGER)", True),
        ("", True),
    ],
)
def test_which_statements_may_write(statement: str, writes: bool) -> None:
    assert may_write(statement) is writes
