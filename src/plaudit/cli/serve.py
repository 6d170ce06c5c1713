"""`plaudit serve` and `plaudit migrate`."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from pydantic import SecretStr
from sqlalchemy import make_url

from plaudit.cli.context import cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.config import Settings
from plaudit.db.migrate import upgrade
from plaudit.errors import PlauditError
from plaudit.kit.security import new_token


def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="Overrides PLAUDIT_DATABASE_URL.")
    ] = None,
) -> None:
    """Create or upgrade the database schema to the newest migration."""
    settings = load_settings(database_url)
    _upgrade(settings)
    typer.echo(f"Database is at the newest schema: {settings.database_url}")


def _upgrade(settings: Settings) -> None:
    """Migrate; a migration that needs the encryption keys and cannot read them says so."""
    try:
        upgrade(settings.sqlalchemy_url)
    except PlauditError as exc:
        typer.secho(f"Error: {exc.detail}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Do not migrate on start.")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load demo data into an empty database (once); print an admin token.",
        ),
    ] = False,
) -> None:
    """Migrate the database and run the HTTP service."""
    from plaudit.app import create_app
    from plaudit.observability.logs import configure_logging

    settings = load_settings()
    if not no_migrate:
        _upgrade(settings)
    base = f"http://{host}:{port}"
    if demo:
        settings = _with_demo(settings, base)
    elif settings.admin_token is None:
        typer.echo("No PLAUDIT_ADMIN_TOKEN set: create a token with 'plaudit token create'.")
    typer.echo(
        f"Plaudit on {base}  (API {base}/api/v1, documentation {base}/docs, "
        f"database {make_url(settings.database_url).render_as_string(hide_password=True)})"
    )
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1;
    # the app does that itself, for PLAUDIT_TRUSTED_PROXIES only.
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # configure_logging's handler, for uvicorn's lines too
        proxy_headers=False,
    )


def _with_demo(settings: Settings, base: str) -> Settings:
    """Load the demo organisation into an empty database (once: a second start finds it and
    changes nothing), and make sure there is an admin token to explore it with."""
    from plaudit.demo import DemoState, ensure_demo, star_member_id

    with cli_session(settings) as session:
        state, summary = ensure_demo(session, now=system_clock(), zone=settings.zone)
        star = star_member_id(session)
    if summary is not None:
        typer.echo(
            f"Demo data loaded: {summary.teams} teams, {summary.members} members, "
            f"{summary.achievements} achievements, {summary.records} records, "
            f"{summary.awards} awards."
        )
    elif state is DemoState.demo:
        typer.echo("Demo data already loaded: nothing changed.")
    else:
        typer.echo("The database holds data of its own: demo data not loaded.")
    if settings.admin_token is None:
        settings = settings.model_copy(update={"admin_token": SecretStr(new_token())})
        assert settings.admin_token is not None
        bearer = settings.admin_token.get_secret_value()
        typer.echo(
            f"Admin token (valid until this server stops; set PLAUDIT_ADMIN_TOKEN to choose "
            f"one): {bearer}"
        )
    else:
        bearer = "$PLAUDIT_ADMIN_TOKEN"
        typer.echo("Admin token: the value of PLAUDIT_ADMIN_TOKEN.")
    curl = f'curl -H "Authorization: Bearer {bearer}" {base}/api/v1'
    portal = f"/members/{star}/achievements" if star is not None else "/members"
    typer.echo(f"Try:\n  {curl}/leaderboard\n  {curl}{portal}")
    return settings
