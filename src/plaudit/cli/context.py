"""What CLI commands share: settings, and a unit of work on the configured database."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from plaudit.config import Settings
from plaudit.db.engine import build_engine
from plaudit.db.migrate import is_current
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.errors import PlauditError
from plaudit.kit.roles import Principal, Role


def cli_actor() -> Principal:
    """Who the audit log names for a CLI command: `cli:<the operating system user>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = "unknown"
    return Principal(name=f"cli:{user}", role=Role.admin)


def load_settings(database_url: str | None = None) -> Settings:
    try:
        settings = Settings()
        if database_url:
            settings = settings.model_copy(update={"database_url": database_url})
    except ValidationError as exc:
        typer.secho(f"Invalid configuration: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    return settings


@contextmanager
def cli_session(settings: Settings) -> Iterator[Session]:
    engine = build_engine(settings.sqlalchemy_url)
    if not is_current(engine):
        engine.dispose()
        typer.secho(
            f"The database {make_url(settings.database_url).render_as_string(hide_password=True)} "
            "does not have the current "
            "schema: run `plaudit migrate` first.",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1)
    try:
        with unit_of_work(build_sessionmaker(engine)) as session:
            yield session
    except PlauditError as exc:
        typer.secho(f"Error: {exc.detail}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
