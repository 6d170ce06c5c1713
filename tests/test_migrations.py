"""Migrations on both databases: they build exactly the models' schema, go down and up again,
`plaudit migrate` can run twice, `plaudit serve` creates the schema by itself, and 0022 gives
the streak and season awards stored as `manual` their own origins.

Every test starts from a database that did not exist before it: a new SQLite file, or a new
private PostgreSQL database dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from typer.testing import CliRunner, Result

import plaudit.models  # noqa: F401  (registers every table on Base.metadata)
from plaudit.cli.main import app
from plaudit.db.base import Base
from plaudit.db.engine import build_engine
from plaudit.db.migrate import alembic_config, downgrade, upgrade
from tests.conftest import BACKENDS, postgres_url, private_postgres_database

MODEL_TABLES = set(Base.metadata.tables)
PARTIAL_UNIQUE_INDEXES = {
    "uq_awards_rule_completion": "origin = 'rule'",
    "uq_awards_holder_slot": "NOT revoked AND holder_slot IS NOT NULL",
}


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with private_postgres_database(postgres_url()) as url:
        yield url


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert revision is not None
    return revision


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def schema_diff(url: str) -> list[Any]:
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def index_definitions(url: str) -> dict[str, str]:
    """The CREATE INDEX text of each awards index, as the database stores it."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                rows = conn.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'awards'")
                )
            else:
                rows = conn.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master "
                        "WHERE type = 'index' AND tbl_name = 'awards' AND sql IS NOT NULL"
                    )
                )
            return {name: definition for name, definition in rows}
    finally:
        engine.dispose()


def cli(*args: str, url: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"PLAUDIT_DATABASE_URL": url})


def test_migrated_schema_matches_the_models_exactly(fresh_url: str) -> None:
    upgrade(fresh_url)
    assert current_revision(fresh_url) == head()
    assert schema_diff(fresh_url) == []
    assert tables(fresh_url) == MODEL_TABLES | {"alembic_version"}
    # compare_metadata does not look at the WHERE of partial indexes, and the category limits
    # live there: check that both are unique and partial as the models declare.
    indexes = index_definitions(fresh_url)
    for name, condition in PARTIAL_UNIQUE_INDEXES.items():
        assert name in indexes, indexes
        definition = indexes[name]
        assert definition.upper().startswith("CREATE UNIQUE INDEX"), definition
        assert " WHERE " in definition, definition
        assert normalised(definition.split(" WHERE ", 1)[1]) == normalised(condition)


def normalised(condition: str) -> str:
    """A WHERE clause without the quoting, casts and brackets PostgreSQL adds when it prints."""
    for noise in ('"', "::text", "::character varying", "(", ")"):
        condition = condition.replace(noise, "")
    return " ".join(condition.split())


def test_every_revision_goes_down_and_up_again(fresh_url: str) -> None:
    chain = revisions()
    assert chain[-1] == head()
    for previous, revision in zip(["base", *chain[:-1]], chain, strict=True):
        upgrade(fresh_url, revision)
        assert current_revision(fresh_url) == revision
        downgrade(fresh_url, previous)
        assert current_revision(fresh_url) == (None if previous == "base" else previous)
        upgrade(fresh_url, revision)
        assert current_revision(fresh_url) == revision
    downgrade(fresh_url, "base")
    assert current_revision(fresh_url) is None
    assert tables(fresh_url) <= {"alembic_version"}  # every table of the models is gone
    upgrade(fresh_url)
    assert current_revision(fresh_url) == head()
    assert schema_diff(fresh_url) == []


def test_cli_migrate_is_idempotent_and_keeps_data(fresh_url: str) -> None:
    first = cli("migrate", url=fresh_url)
    assert first.exit_code == 0, first.output
    assert "newest schema" in first.output
    assert current_revision(fresh_url) == head()
    engine = build_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO teams (name, attributes, created_at) "
                    "VALUES ('Kept', '{}', CURRENT_TIMESTAMP)"
                )
            )
        second = cli("migrate", url=fresh_url)
        assert second.exit_code == 0, second.output
        assert "newest schema" in second.output
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM teams")).scalars().all() == ["Kept"]
    finally:
        engine.dispose()
    assert current_revision(fresh_url) == head()
    assert schema_diff(fresh_url) == []


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`plaudit serve` without a server: uvicorn.run records its call and returns."""
    for name in ("PLAUDIT_ADMIN_TOKEN", "PLAUDIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    calls: list[dict[str, Any]] = []

    def run(application: Any, **kwargs: Any) -> None:
        calls.append({"app": application, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)  # what plaudit.cli.serve calls
    return calls


def test_serve_creates_the_schema_before_serving(
    fresh_url: str, no_uvicorn: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    before: list[str | None] = []

    def run(application: Any, **kwargs: Any) -> None:
        before.append(current_revision(fresh_url))  # the schema is there when serving starts
        no_uvicorn.append({"app": application, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)  # what plaudit.cli.serve calls
    result = cli("serve", "--port", "8999", url=fresh_url)
    assert result.exit_code == 0, result.output
    assert before == [head()]
    assert [(c["host"], c["port"]) for c in no_uvicorn] == [("127.0.0.1", 8999)]
    assert schema_diff(fresh_url) == []

    again = cli("serve", "--port", "8999", url=fresh_url)  # a restart migrates nothing more
    assert again.exit_code == 0, again.output
    assert current_revision(fresh_url) == head()


def test_serve_no_migrate_leaves_the_database_alone(
    tmp_path: Path, no_uvicorn: list[dict[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    result = cli("serve", "--no-migrate", url=url)
    assert result.exit_code == 0, result.output
    assert len(no_uvicorn) == 1
    assert tables(url) == set()


# Migration 0022_award_origins: the awards streaks and seasons gave under origin `manual`
# (named by their `given_by`) become `streak` and `season`; nothing else changes, and a
# downgrade puts them back.
ORIGINS_REVISION = "0022_award_origins"
AWARDED_AT = "2026-11-18 13:00:00+00:00"
# (origin before, given_by) -> origin after
ORIGIN_ROWS = {
    ("manual", "streak:3"): "streak",
    ("manual", "season:7"): "season",
    ("manual", "admin-token"): "manual",
    ("manual", "user:streak:x"): "manual",  # a person whose name merely contains the word
    ("manual", None): "manual",
    ("rule", "rules"): "rule",
    ("notification", "notification:2"): "notification",
}


def test_streak_and_season_awards_get_their_own_origin(fresh_url: str) -> None:
    before = ScriptDirectory.from_config(alembic_config(fresh_url)).get_revision(ORIGINS_REVISION)
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
                {"at": AWARDED_AT},
            )
            conn.execute(
                text(
                    "INSERT INTO achievements (id, key, name, category, points, "
                    "show_next_to_name, period, audience, requirements, repeatable, active, "
                    "version, created_at, updated_at) VALUES (1, 'a', 'A', 'award', 5, false, "
                    "'none', '[]', '[]', true, true, 1, :at, :at)"
                ),
                {"at": AWARDED_AT},
            )
            for number, (origin, given_by) in enumerate(ORIGIN_ROWS, start=1):
                conn.execute(
                    text(
                        "INSERT INTO awards (id, achievement_id, achievement_version, member_id, "
                        "points, awarded_at, period_key, completion, origin, given_by, revoked) "
                        "VALUES (:id, 1, 1, 1, 5, :at, 'all', :completion, :origin, :by, false)"
                    ),
                    dict(id=number, at=AWARDED_AT, completion=number, origin=origin, by=given_by),
                )
        keys = {number: key for number, key in enumerate(ORIGIN_ROWS, start=1)}
        upgrade(fresh_url, ORIGINS_REVISION)
        with engine.connect() as conn:
            after = {i: o for i, o in conn.execute(text("SELECT id, origin FROM awards"))}
        assert {keys[i]: origin for i, origin in after.items()} == ORIGIN_ROWS
        downgrade(fresh_url, before.down_revision)
        with engine.connect() as conn:
            back = {i: o for i, o in conn.execute(text("SELECT id, origin FROM awards"))}
        assert {keys[i]: origin for i, origin in back.items()} == {k: k[0] for k in ORIGIN_ROWS}
    finally:
        engine.dispose()
