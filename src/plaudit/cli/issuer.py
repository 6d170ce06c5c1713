"""`plaudit issuer`: the Open Badges issuer's signing keys."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from plaudit.cli.context import cli_session, load_settings
from plaudit.errors import PlauditError
from plaudit.openbadges.credentials import Urls, verification_method
from plaudit.openbadges.keys import rotate_key

issuer_app = typer.Typer(help="The Open Badges issuer: its signing keys.")


@issuer_app.command("rotate-key")
def rotate() -> None:
    """Make a new Ed25519 key sign Open Badges 3.0 credentials from now on. The old keys
    stay in the DID document (/.well-known/did.json), so what they signed still verifies."""
    settings = load_settings()
    try:
        keys = settings.keyring()
    except PlauditError as exc:
        typer.secho(f"Error: {exc.detail}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    with cli_session(settings) as session:
        key = rotate_key(session, keys, datetime.now(UTC))
        method = verification_method(Urls(settings.public_url), key)
    typer.echo(f"New issuer key {key.id} ({method}) signs from now on.")
