"""The `plaudit` command line, on a migrated SQLite file: tokens, users, migrate, help."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from plaudit.app import create_app
from plaudit.cli.main import app
from plaudit.config import Settings
from plaudit.kit.security import verify_password
from tests.loop_free import loop_free
from tests.one_hop_client import TestClient

TOKEN_LINE = re.compile(r"^token (\d+) \((\w+)\): (pl_\S+)$", re.MULTILINE)


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("PLAUDIT_ADMIN_TOKEN", "PLAUDIT_NEW_USER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PLAUDIT_DATABASE_URL", url)
    return url


@pytest.fixture
def migrated(cli_url: str) -> str:
    result = run("migrate", "--database-url", cli_url)
    assert result.exit_code == 0, result.output
    assert "newest schema" in result.output
    return cli_url


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    # `plaudit consume` runs an event loop of its own (tests/loop_free.py).
    with loop_free():
        return CliRunner().invoke(app, list(args), env=env, input=stdin)


@pytest.fixture
def api_client(migrated: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=migrated))) as client:
        yield client


def rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def create_token(*args: str) -> tuple[int, str, str]:
    result = run("token", "create", *args)
    assert result.exit_code == 0, result.output
    match = TOKEN_LINE.search(result.stdout)
    assert match, result.stdout
    return int(match.group(1)), match.group(2), match.group(3)


def test_migrate_builds_the_schema_and_can_run_again(cli_url: str) -> None:
    first = run("migrate", "--database-url", cli_url)
    assert first.exit_code == 0, first.output
    tables = {r[0] for r in rows(cli_url, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"achievements", "api_tokens", "users", "members", "awards"} <= tables
    assert run("migrate").exit_code == 0  # from PLAUDIT_DATABASE_URL; nothing left to do


def test_created_token_authenticates_against_the_app(migrated: str, api_client: TestClient) -> None:
    token_id, role, secret = create_token("ci", "--role", "admin")
    assert role == "admin"
    [(stored,)] = rows(migrated, "SELECT token_hash FROM api_tokens WHERE id = :id", id=token_id)
    assert stored != secret
    assert secret not in str(stored)

    auth = {"Authorization": f"Bearer {secret}"}
    response = api_client.post("/api/v1/teams", json={"name": "Made by CLI token"}, headers=auth)
    assert response.status_code == 201, response.text
    listed = api_client.get("/api/v1/tokens", headers=auth).json()
    assert [(t["id"], t["name"], t["role"]) for t in listed] == [(token_id, "ci", "admin")]
    assert (
        api_client.get("/api/v1/tokens", headers={"Authorization": "Bearer pl_wrong"}).status_code
        == 401
    )


def test_created_token_has_its_role(api_client: TestClient) -> None:
    _, role, secret = create_token("feed", "--role", "ingest")
    assert role == "ingest"
    response = api_client.get("/api/v1/members", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403


def test_member_token_needs_a_member(migrated: str, api_client: TestClient) -> None:
    refused = run("token", "create", "portal", "--role", "member")
    assert refused.exit_code != 0
    assert "member_id" in refused.output
    missing = run("token", "create", "portal", "--role", "member", "--member-id", "5")
    assert missing.exit_code == 1
    assert "member 5 does not exist" in missing.output
    assert rows(migrated, "SELECT id FROM api_tokens") == []

    _, admin_secret = create_token("root", "--role", "admin")[1:]
    auth = {"Authorization": f"Bearer {admin_secret}"}
    member = api_client.post("/api/v1/members", json={"name": "Ann"}, headers=auth).json()
    _, role, secret = create_token("portal", "--role", "member", "--member-id", str(member["id"]))
    assert role == "member"
    own = api_client.get(
        f"/api/v1/members/{member['id']}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert own.status_code == 200
    assert own.json()["name"] == "Ann"


def test_token_list_shows_no_secrets_and_revoke_works(
    migrated: str, api_client: TestClient
) -> None:
    token_id, _, secret = create_token("ci", "--role", "admin")
    other_id, _, other = create_token("feed", "--role", "ingest")
    listed = run("token", "list")
    assert listed.exit_code == 0, listed.output
    assert secret not in listed.output and other not in listed.output
    for (stored,) in rows(migrated, "SELECT token_hash FROM api_tokens"):
        assert str(stored) not in listed.output
    lines = listed.stdout.strip().splitlines()
    assert [line.split("\t") for line in lines] == [
        [str(token_id), "ci", "admin", "", "active"],
        [str(other_id), "feed", "ingest", "", "active"],
    ]

    auth = {"Authorization": f"Bearer {secret}"}
    assert api_client.get("/api/v1/tokens", headers=auth).status_code == 200
    revoked = run("token", "revoke", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert run("token", "list").stdout.strip().splitlines()[0].endswith("\trevoked")
    assert api_client.get("/api/v1/tokens", headers=auth).status_code == 401
    unknown = run("token", "revoke", "999")
    assert unknown.exit_code == 1
    assert "token 999 does not exist" in unknown.output


@pytest.mark.parametrize("command", [("token", "create", "x"), ("user", "create", "x")])
def test_invalid_role_is_refused_clearly(migrated: str, command: tuple[str, ...]) -> None:
    result = run(*command, "--role", "wizard", env={"PLAUDIT_NEW_USER_PASSWORD": "long enough"})
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert "'wizard' is not one of" in result.output
    assert "admin" in result.output and "member" in result.output
    assert rows(migrated, "SELECT count(*) FROM api_tokens") == [(0,)]
    assert rows(migrated, "SELECT count(*) FROM users") == [(0,)]


def test_user_create_with_password_from_env(migrated: str) -> None:
    result = run(
        "user",
        "create",
        "alice",
        "--role",
        "manager",
        env={"PLAUDIT_NEW_USER_PASSWORD": "correct horse battery"},
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"user \d+ alice \(manager\) created", result.stdout)
    assert "correct horse battery" not in result.output
    [(stored, role)] = rows(
        migrated, "SELECT password_hash, role FROM users WHERE username = 'alice'"
    )
    assert str(stored).startswith("$argon2")
    assert verify_password(str(stored), "correct horse battery")
    assert not verify_password(str(stored), "wrong password")
    assert role == "manager"
    listed = run("user", "list")
    assert listed.exit_code == 0
    assert listed.stdout.strip().split("\t")[1:3] == ["alice", "manager"]
    assert str(stored) not in listed.output

    again = run(
        "user",
        "create",
        "alice",
        "--role",
        "admin",
        env={"PLAUDIT_NEW_USER_PASSWORD": "another password"},
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_user_create_with_password_from_prompt(migrated: str) -> None:
    result = run("user", "create", "bob", "--role", "admin", stdin="typed secret\ntyped secret\n")
    assert result.exit_code == 0, result.output
    assert "typed secret" not in result.stdout  # hidden input is not echoed
    [(stored,)] = rows(migrated, "SELECT password_hash FROM users WHERE username = 'bob'")
    assert verify_password(str(stored), "typed secret")


def test_user_create_refuses_a_short_password(migrated: str) -> None:
    result = run(
        "user", "create", "carol", "--role", "admin", env={"PLAUDIT_NEW_USER_PASSWORD": "short"}
    )
    assert result.exit_code == 2
    assert "password" in result.output
    assert "at least 8 characters" in result.output
    assert rows(migrated, "SELECT count(*) FROM users") == [(0,)]


def test_user_update_resets_a_password_and_deactivates(migrated: str) -> None:
    """The way back in when nobody can sign in as admin: a new password from the CLI."""
    env = {"PLAUDIT_NEW_USER_PASSWORD": "first password"}
    assert run("user", "create", "root", "--role", "admin", env=env).exit_code == 0
    assert run("user", "create", "lin", "--role", "manager", env=env).exit_code == 0
    result = run("user", "update", "root", "--new-password", stdin="second secret\nsecond secret\n")
    assert result.exit_code == 0, result.output
    assert re.search(r"user \d+ root \(admin, active\) updated", result.stdout)
    assert "second secret" not in result.stdout
    [(stored,)] = rows(migrated, "SELECT password_hash FROM users WHERE username = 'root'")
    assert verify_password(str(stored), "second secret")

    result = run("user", "update", "lin", "--inactive", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert rows(migrated, "SELECT role, active FROM users WHERE username = 'lin'") == [
        ("admin", False)
    ]
    [(actor, details)] = rows(
        migrated,
        "SELECT actor, details FROM audit_events WHERE action = 'user.update' "
        "AND entity_id = (SELECT id FROM users WHERE username = 'lin')",
    )
    assert str(actor).startswith("cli:")
    assert "role" in str(details) and "active" in str(details)


def test_user_update_refuses_what_it_cannot_do(migrated: str) -> None:
    env = {"PLAUDIT_NEW_USER_PASSWORD": "first password"}
    assert run("user", "create", "root", "--role", "admin", env=env).exit_code == 0
    nothing = run("user", "update", "root")
    assert nothing.exit_code == 2 and "Nothing to change" in nothing.output
    last = run("user", "update", "root", "--inactive")
    assert last.exit_code == 1 and "only active admin user" in last.output
    unknown = run("user", "update", "nobody", "--active")
    assert unknown.exit_code == 1 and "user 'nobody' does not exist" in unknown.output
    short = run("user", "update", "root", "--new-password", env={"PLAUDIT_NEW_USER_PASSWORD": "x"})
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    assert rows(migrated, "SELECT role, active FROM users") == [("admin", True)]


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group under `command` (Typer ships its own click, so duck-typed)."""
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _command_paths(sub, (*path, name))


ALL_COMMANDS = list(_command_paths(typer.main.get_command(app)))


def test_every_expected_command_exists() -> None:
    assert {" ".join(p) for p in ALL_COMMANDS} >= {
        "",
        "serve",
        "migrate",
        "import",
        "token",
        "token create",
        "token list",
        "token revoke",
        "user",
        "user create",
        "user list",
    }


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "plaudit")
def test_help_of_every_command(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Traceback" not in result.output
    if path and path[-1] == "create":
        assert "--role" in result.output


def test_a_command_on_an_unmigrated_database_says_to_migrate(cli_url: str) -> None:
    result = run("user", "list")
    assert result.exit_code == 1
    assert "run `plaudit migrate` first" in result.output
    assert "Traceback" not in result.output


def test_consume_says_when_nats_cannot_be_reached(migrated: str) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = run("consume", "--nats", f"nats://127.0.0.1:{port}", "--database-url", migrated)
    assert result.exit_code == 1, result.output
    assert f"cannot reach NATS at nats://127.0.0.1:{port}" in result.output
    assert time.monotonic() - started < 30


def test_consume_needs_the_current_schema(cli_url: str) -> None:
    result = run("consume", "--database-url", cli_url)
    assert result.exit_code == 1, result.output
    assert "run `plaudit migrate` first" in result.output
