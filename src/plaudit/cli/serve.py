"""`plaudit serve` and `plaudit migrate`."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from plaudit.cli.context import load_settings
from plaudit.db.migrate import upgrade


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
) -> None:
    """Migrate the database and run the HTTP service."""
    from plaudit.app import create_app

    settings = load_settings()
    if not no_migrate:
        upgrade(settings.sqlalchemy_url)
    typer.echo(
        f"Plaudit on http://{host}:{port}  (API /api/v1, OpenAPI /openapi.json, "
        f"database {settings.database_url})"
    )
    if settings.admin_token is None:
        typer.echo("No PLAUDIT_ADMIN_TOKEN set: create a token with 'plaudit token create'.")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
