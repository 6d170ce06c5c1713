"""`plaudit keys`: the Fernet keys that encrypt secrets at rest (webhook secrets)."""

from __future__ import annotations

import typer

from plaudit.cli.context import cli_session, load_settings
from plaudit.errors import PlauditError
from plaudit.kit.encryption import generate_key
from plaudit.notification.service import reencrypt_webhook_secrets
from plaudit.openbadges.keys import reencrypt as reencrypt_issuer_keys

keys_app = typer.Typer(help="Encryption keys for secrets stored in the database.")


@keys_app.command("generate")
def generate() -> None:
    """Print a new Fernet key (for PLAUDIT_ENCRYPTION_KEYS or the key file)."""
    typer.echo(generate_key())


@keys_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored secret under the first key, so that the other keys can be
    removed. Put the new key first in PLAUDIT_ENCRYPTION_KEYS (or the key file), keep the old
    ones after it, run this, then drop the old keys and restart the servers."""
    settings = load_settings()
    try:
        keys = settings.keyring()
    except PlauditError as exc:
        typer.secho(f"Error: {exc.detail}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    with cli_session(settings) as session:
        count = reencrypt_webhook_secrets(session, keys)
        issuer_keys = reencrypt_issuer_keys(session, keys)
    typer.echo(f"Re-encrypted {count} webhook secret(s) under the first key of {keys.origin}.")
    typer.echo(f"Re-encrypted {issuer_keys} issuer signing key(s).")
