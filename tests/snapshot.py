"""Every row of a database, taken once and put back in a few hundredths of a second.

Tests that need a world made through the API (a dozen requests and more) build it once per
worker and database, take a `Snapshot`, and put it back before each later test
(`WorldCache`): the rows, ids and sequences are exactly those the build left, so the ids the
build returned stay true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, select, text

import plaudit.models  # noqa: F401 - every table in Base.metadata
from plaudit.db.base import Base
from plaudit.db.snapshot import read_snapshot

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """Every row of every table and where each id sequence stood when it was taken.

    Putting them back costs a few hundredths of a second, against about a second for seeding
    a world again through the API."""

    rows: dict[str, list[dict[str, Any]]]
    sequences: list[tuple[str, int, bool]]  # PostgreSQL: name, last_value, is_called
    autoincrement: list[tuple[str, int]]  # SQLite: sqlite_sequence


def _sequences(conn: Connection) -> list[tuple[str, int, bool]]:
    if conn.dialect.name != "postgresql":
        return []
    names = conn.execute(
        text("SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' ORDER BY c.relname")
    ).scalars()
    # A sequence's own relation holds last_value and is_called; the names are the catalog's.
    return [
        (name, *conn.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())  # noqa: S608
        for name in list(names)
    ]


def _autoincrement(conn: Connection) -> list[tuple[str, int]]:
    if conn.dialect.name != "sqlite":
        return []
    has = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
    if has is None:
        return []
    return [(n, s) for n, s in conn.execute(text("SELECT name, seq FROM sqlite_sequence"))]


def take_snapshot(engine: Engine) -> Snapshot:
    with read_snapshot(engine) as conn:
        rows = {
            t.name: [dict(row._mapping) for row in conn.execute(select(t))]
            for t in Base.metadata.sorted_tables
        }
        return Snapshot(rows, _sequences(conn), _autoincrement(conn))


def restore(engine: Engine, snapshot: Snapshot) -> None:
    """Every table back to `snapshot`, ids and sequences included, in one transaction."""
    tables = Base.metadata.sorted_tables
    with engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            if snapshot.rows[table.name]:
                conn.execute(table.insert(), snapshot.rows[table.name])
        for name, last_value, is_called in snapshot.sequences:
            conn.execute(
                text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                {"name": f'"{name}"', "value": last_value, "called": is_called},
            )
        if snapshot.autoincrement:
            conn.execute(text("DELETE FROM sqlite_sequence"))
            conn.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                [{"name": n, "seq": s} for n, s in snapshot.autoincrement],
            )


class WorldCache(Generic[T]):
    """A world built once per database in this process, then restored before each later use.

    `build` runs on an empty database (the caller's fixture has emptied it) and returns what
    the tests need to find its rows (ids, tokens); every later `get` for the same database puts
    the rows back as `build` left them, whatever the test before wrote, and returns the same
    value. The value must not hold anything a test changes in place."""

    def __init__(self) -> None:
        self._worlds: dict[str, tuple[T, Snapshot]] = {}

    def get(self, engine: Engine, build: Callable[[], T]) -> T:
        key = engine.url.render_as_string(hide_password=False)
        known = self._worlds.get(key)
        if known is None:
            value = build()
            self._worlds[key] = (value, take_snapshot(engine))
            return value
        restore(engine, known[1])
        return known[0]
