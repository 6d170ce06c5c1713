"""Migration 0022_award_origins on both databases: the awards streaks and seasons gave under
origin `manual` (named by their `given_by`) become `streak` and `season`; nothing else
changes, and a downgrade puts them back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from plaudit.db.engine import build_engine
from plaudit.db.migrate import alembic_config, downgrade, upgrade
from tests.conftest import BACKENDS, postgres_url, private_postgres_database

REVISION = "0022_award_origins"
AT = "2026-11-18 13:00:00+00:00"
# (origin before, given_by) -> origin after
ROWS = {
    ("manual", "streak:3"): "streak",
    ("manual", "season:7"): "season",
    ("manual", "admin-token"): "manual",
    ("manual", "user:streak:x"): "manual",  # a person whose name merely contains the word
    ("manual", None): "manual",
    ("rule", "rules"): "rule",
    ("notification", "notification:2"): "notification",
}


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with private_postgres_database(postgres_url()) as url:
        yield url


def test_streak_and_season_awards_get_their_own_origin(fresh_url: str) -> None:
    before = ScriptDirectory.from_config(alembic_config(fresh_url)).get_revision(REVISION)
    assert before is not None and isinstance(before.down_revision, str)
    upgrade(fresh_url, before.down_revision)
    engine = build_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO members (id, name, attributes, active, created_at) "
                    "VALUES (1, 'Ann', '{}', true, :at)"
                ),
                {"at": AT},
            )
            conn.execute(
                text(
                    "INSERT INTO achievements (id, key, name, category, points, "
                    "show_next_to_name, period, audience, requirements, repeatable, active, "
                    "version, created_at, updated_at) VALUES (1, 'a', 'A', 'award', 5, false, "
                    "'none', '[]', '[]', true, true, 1, :at, :at)"
                ),
                {"at": AT},
            )
            for number, (origin, given_by) in enumerate(ROWS, start=1):
                conn.execute(
                    text(
                        "INSERT INTO awards (id, achievement_id, achievement_version, member_id, "
                        "points, awarded_at, period_key, completion, origin, given_by, revoked) "
                        "VALUES (:id, 1, 1, 1, 5, :at, 'all', :completion, :origin, :by, false)"
                    ),
                    dict(id=number, at=AT, completion=number, origin=origin, by=given_by),
                )
        keys = {number: key for number, key in enumerate(ROWS, start=1)}
        upgrade(fresh_url, REVISION)
        with engine.connect() as conn:
            after = {i: o for i, o in conn.execute(text("SELECT id, origin FROM awards"))}
        assert {keys[i]: origin for i, origin in after.items()} == ROWS
        downgrade(fresh_url, before.down_revision)
        with engine.connect() as conn:
            back = {i: o for i, o in conn.execute(text("SELECT id, origin FROM awards"))}
        assert {keys[i]: origin for i, origin in back.items()} == {k: k[0] for k in ROWS}
    finally:
        engine.dispose()
