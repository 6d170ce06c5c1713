"""Migration 0010 on both databases: old free-text icons become icon names of the set, emoji
stay emoji, anything unknown becomes `award`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from plaudit.db.engine import build_engine
from plaudit.db.migrate import downgrade, upgrade
from plaudit.kit.icons import is_emoji_text, is_icon_name
from tests.conftest import BACKENDS, postgres_url, private_postgres_database

# What the demo, older tests and people typed, and what each becomes.
OLD_TO_NEW = {
    "trophy": "trophy",
    "crown": "crown",
    "megaphone": "megaphone",
    "MEGAPHONE": "megaphone",
    "Graduation cap": "graduation-cap",
    "id_card": "id-card",
    "phone": "phone",
    "★": "star",
    "♛": "crown",
    "$": "dollar-sign",
    "cup": "trophy",
    "fire": "flame",
    "🏆": "🏆",
    "🏆🎉": "🏆🎉",
    "trophy HH": "award",
    "roph": "award",
    "": None,
    None: None,
}


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with private_postgres_database(postgres_url()) as url:
        yield url


def test_migration_0010_maps_old_icons(fresh_url: str) -> None:
    upgrade(fresh_url, "0008")
    engine = build_engine(fresh_url)
    keys = {f"a{number}": old for number, old in enumerate(OLD_TO_NEW)}
    try:
        with engine.begin() as conn:
            for key, old in keys.items():
                conn.execute(
                    text(
                        "INSERT INTO achievements (key, name, category, points, icon, "
                        "show_next_to_name, period, audience, requirements, repeatable, active, "
                        "version, created_at, updated_at) VALUES (:key, :key, 'award', 0, :icon, "
                        "false, 'none', '[]', '[]', false, false, 1, :at, :at)"
                    ),
                    {"key": key, "icon": old, "at": "2026-11-18 13:00:00+00:00"},
                )
        upgrade(fresh_url, "0010")
        with engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT key, icon FROM achievements")).all())
        assert {keys[k]: v for k, v in stored.items()} == OLD_TO_NEW
        assert all(v is None or is_icon_name(v) or is_emoji_text(v) for v in stored.values())
        downgrade(fresh_url, "0008")
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT key, icon FROM achievements")).all())
        assert back == stored
    finally:
        engine.dispose()
