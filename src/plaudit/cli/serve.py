"""`plaudit serve` and `plaudit migrate`."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from pydantic import SecretStr

from plaudit.cli.context import cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.config import Settings
from plaudit.db.migrate import upgrade
from plaudit.kit.security import new_token


def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Overrides PLAUDIT_DATABASE_URL.")
    ] = None,
) -> None:
    """Create or upgrade the database schema to the newest migration."""
    settings = load_settings(database_url)
    upgrade(settings.sqlalchemy_url)
    typer.echo(f"Database is at the newest schema: {settings.database_url}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Do not migrate on start.")
    ] = False,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load demo data into an empty database.")
    ] = False,
) -> None:
    """Migrate the database and run the HTTP service."""
    from plaudit.app import create_app

    settings = load_settings()
    if not no_migrate:
        upgrade(settings.sqlalchemy_url)
    if demo:
        settings = _with_demo(settings)
        assert settings.admin_token is not None
        typer.echo(f"Admin token: {settings.admin_token.get_secret_value()}")
    elif settings.admin_token is None:
        typer.echo("No PLAUDIT_ADMIN_TOKEN set: create a token with 'plaudit token create'.")
    typer.echo(
        f"Plaudit on http://{host}:{port}  (API /api/v1, OpenAPI /openapi.json, "
        f"database {settings.database_url})"
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _with_demo(settings: Settings) -> Settings:
    """Load the demo organisation once; make sure there is an admin token to explore it with."""
    from plaudit.demo import has_data, load_demo

    with cli_session(settings) as session:
        if not has_data(session):
            load_demo(session, now=system_clock(), zone=settings.zone)
            typer.echo(
                "Demo data loaded: 3 teams, 12 members, 7 achievements, a few hundred records."
            )
    if settings.admin_token is None:
        settings = settings.model_copy(update={"admin_token": SecretStr(new_token())})
    return settings
