"""`plaudit token create|list|revoke` and `plaudit user create|list|update`."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from pydantic import ValidationError

from plaudit.cli.context import cli_actor, cli_session, load_settings
from plaudit.clock import system_clock
from plaudit.identity import service
from plaudit.identity.schemas import TokenCreate, UserCreate, UserUpdate
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


@user_app.command("update")
def update_user(
    username: str,
    role: Annotated[Role | None, typer.Option(help="A new role.")] = None,
    member_id: Annotated[
        int | None, typer.Option(help="For role member: the member (0 for none).")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Allow or refuse the user's sign-in."),
    ] = None,
    new_password: Annotated[
        bool,
        typer.Option(
            "--new-password",
            help="Set a new password: asked for twice, hidden, or read from "
            "PLAUDIT_NEW_USER_PASSWORD.",
        ),
    ] = False,
) -> None:
    """Change a user's role, member, active state or password: the way back in when nobody
    can sign in as admin (a forgotten password). Logged in the audit log as cli:<you>."""
    changes: dict[str, object] = {}
    if role is not None:
        changes["role"] = role
    if member_id is not None:
        changes["member_id"] = member_id or None
    if active is not None:
        changes["active"] = active
    if new_password:
        changes["password"] = _new_password()
    if not changes:
        typer.secho(
            "Nothing to change: give --role, --member-id, --active/--inactive or --new-password.",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(2)
    try:
        data = UserUpdate.model_validate(changes)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with cli_session(load_settings()) as session:
        user = service.get_user_named(session, username)
        user = service.update_user(session, user.id, data, actor=cli_actor(), now=system_clock())
        state = "active" if user.active else "inactive"
        typer.echo(f"user {user.id} {user.username} ({user.role}, {state}) updated")


def _new_password() -> str:
    """PLAUDIT_NEW_USER_PASSWORD, or asked for twice with hidden input."""
    from_env = os.environ.get("PLAUDIT_NEW_USER_PASSWORD")
    if from_env:
        return from_env
    password: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return password
