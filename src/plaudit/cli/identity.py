"""`plaudit token create|list|revoke` and `plaudit user create|list`."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from plaudit.cli.context import cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.identity import service
from plaudit.identity.schemas import TokenCreate, UserCreate
from plaudit.kit.roles import Role

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
user_app = typer.Typer(help="Users who log in to the web pages.", no_args_is_help=True)


def _invalid(exc: ValidationError) -> typer.Exit:
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "input"
        typer.secho(f"Invalid {where}: {err['msg']}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


@token_app.command("create")
def create_token(
    name: Annotated[str, typer.Argument(help="What the token is for.")],
    role: Annotated[Role, typer.Option(help="admin, manager, ingest or member.")],
    member_id: Annotated[int | None, typer.Option(help="For role member: the member.")] = None,
) -> None:
    """Create a token and print it once; only its hash is stored."""
    try:
        data = TokenCreate(name=name, role=role, member_id=member_id)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with cli_session(load_settings()) as session:
        row, secret = service.issue_token(session, data)
        typer.echo(f"token {row.id} ({row.role}): {secret}")


@token_app.command("list")
def list_tokens() -> None:
    """List tokens (never their secrets)."""
    with cli_session(load_settings()) as session:
        for t in service.list_tokens(session):
            state = "revoked" if t.revoked_at else "active"
            typer.echo(f"{t.id}\t{t.name}\t{t.role}\t{t.member_id or ''}\t{state}")


@token_app.command("revoke")
def revoke_token(token_id: int) -> None:
    """Revoke a token."""
    with cli_session(load_settings()) as session:
        service.revoke_token(session, token_id, now=system_clock())
        typer.echo(f"token {token_id} revoked")


@user_app.command("create")
def create_user(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, manager, ingest or member.")],
    member_id: Annotated[int | None, typer.Option(help="For role member: the member.")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="PLAUDIT_NEW_USER_PASSWORD",
        ),
    ] = "",
) -> None:
    """Create a user; the password is asked for (or read from PLAUDIT_NEW_USER_PASSWORD)."""
    try:
        data = UserCreate(username=username, password=password, role=role, member_id=member_id)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with cli_session(load_settings()) as session:
        user = service.create_user(session, data)
        typer.echo(f"user {user.id} {user.username} ({user.role}) created")


@user_app.command("list")
def list_users() -> None:
    """List users."""
    with cli_session(load_settings()) as session:
        for u in service.list_users(session):
            typer.echo(f"{u.id}\t{u.username}\t{u.role}\t{u.member_id or ''}")
