"""Run Alembic migrations from code (the CLI, the server start and the tests use this)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@cache
def newest_revisions() -> frozenset[str]:
    """The heads of the migrations shipped with this code (read once: they never change)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database's schema is at the newest migration (False for an empty one)."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == newest_revisions()
