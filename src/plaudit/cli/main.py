"""The `plaudit` command: assembles the command groups."""

from __future__ import annotations

import typer

from plaudit.cli.award import award_app
from plaudit.cli.consume import consume
from plaudit.cli.export import export_app
from plaudit.cli.identity import token_app, user_app
from plaudit.cli.issuer import issuer_app
from plaudit.cli.keys import keys_app
from plaudit.cli.periods import close_periods_command
from plaudit.cli.records import import_records
from plaudit.cli.serve import migrate, serve
from plaudit.notification.events import install as install_event_triggers

# Award and level triggers fire for every command that gives awards (award, import,
# close-periods, consume) as for the server.
install_event_triggers()

app = typer.Typer(
    help="Plaudit: an achievements engine.", no_args_is_help=True, add_completion=False
)
app.command()(serve)
app.command()(migrate)
app.command("import")(import_records)
app.command("close-periods")(close_periods_command)
app.command()(consume)
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.add_typer(award_app, name="award")
app.add_typer(export_app, name="export")
app.add_typer(keys_app, name="keys")
app.add_typer(issuer_app, name="issuer")

if __name__ == "__main__":
    app()
