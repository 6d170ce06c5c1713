"""`plaudit export awards` and `plaudit award bulk`, on SQLite and PostgreSQL.

Test data is made through the API; the commands then run against the same database.
"""

from __future__ import annotations

import csv
import getpass
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from plaudit.cli.main import app
from plaudit.export.service import BOM, COLUMNS
from tests.conftest import Api


@pytest.fixture
def cli_db(database_url: str, clean_db: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PLAUDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAUDIT_TIMEZONE", "UTC")
    monkeypatch.delenv("PLAUDIT_ADMIN_TOKEN", raising=False)
    return database_url


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def parse(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.fixture
def world(admin: Api, cli_db: str) -> dict[str, Any]:
    team = admin.ok("POST", "/teams", 201, json={"name": 'Team, "Red"'})
    ann = admin.ok(
        "POST",
        "/members",
        201,
        json={"name": 'Ann, the "first"\nÅsa', "team_id": team["id"], "email": "ann@example.com"},
    )
    bob = admin.ok("POST", "/members", 201, json={"name": "Bob", "external_id": "crm-bob"})
    kudos = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 3},
    )
    club = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "club",
            "name": "Club",
            "category": "membership",
            "period": "month",
            "points": 7,
        },
    )
    for member in (ann, bob, ann):
        admin.ok(
            "POST", f"/members/{member['id']}/awards", 201, json={"achievement_id": kudos["id"]}
        )
    return {"team": team, "ann": ann, "bob": bob, "kudos": kudos, "club": club}


# --- plaudit export awards ------------------------------------------------------------------


def test_export_to_a_file(world: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "awards.csv"
    result = run("export", "awards", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 3 award(s)" in result.stderr
    rows = parse(out.read_bytes())
    assert [r["member_name"] for r in rows] == [world["ann"]["name"], "Bob", world["ann"]["name"]]
    assert rows[0]["team_name"] == 'Team, "Red"'
    assert rows[1]["member_external_id"] == "crm-bob"


def test_export_to_stdout_is_the_same_file_as_the_api(admin: Api, world: dict[str, Any]) -> None:
    result = run("export", "awards")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == admin.get("/exports/awards.csv").content


def test_export_filters_and_bom(admin: Api, world: dict[str, Any], tmp_path: Path) -> None:
    bob_only = run("export", "awards", "--member-id", str(world["bob"]["id"]))
    assert [r["member_name"] for r in parse(bob_only.stdout_bytes)] == ["Bob"]
    team = run("export", "awards", "--team-id", str(world["team"]["id"]), "--active")
    assert len(parse(team.stdout_bytes)) == 2
    assert parse(run("export", "awards", "--inactive").stdout_bytes) == []
    club = run("export", "awards", "--achievement-id", str(world["club"]["id"]))
    assert parse(club.stdout_bytes) == []
    manual = run(
        "export", "awards", "--source", "manual", "--awarded-after", "2000-01-01T00:00:00+00:00"
    )
    assert len(parse(manual.stdout_bytes)) == 3
    with_bom = run("export", "awards", "--bom", "-o", str(tmp_path / "x.csv"))
    assert with_bom.exit_code == 0
    assert (tmp_path / "x.csv").read_bytes().startswith(BOM.encode())


@pytest.mark.parametrize(
    "args",
    [
        ("--awarded-after", "2026-11-01"),  # no offset
        ("--member-id", "0"),
        ("--source", "magic"),
    ],
)
def test_export_refuses_bad_filters(cli_db: str, args: tuple[str, ...], tmp_path: Path) -> None:
    out = tmp_path / "never.csv"
    result = run("export", "awards", "-o", str(out), *args)
    assert result.exit_code == 2, result.output
    assert not out.exists()


# --- plaudit award bulk ---------------------------------------------------------------------


def test_bulk_by_key_gives_and_reports(admin: Api, world: dict[str, Any], tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(
        "email,external_id\nann@example.com,\n,crm-bob\nnobody@example.com,\n", encoding="utf-8"
    )
    result = run(
        "award",
        "bulk",
        "club",
        str(members),
        "--by",
        "email",
        "--at",
        "2026-10-15",
        "--reason",
        "October push",
    )
    assert result.exit_code == 0, result.output
    assert "Gave 1 award(s) of club from 3 row(s) (members by email); 2 unmatched" in (
        result.stdout
    )
    assert "row 3: unmatched: the email cell is empty" in result.stderr
    assert "row 4: unmatched: no member has email 'nobody@example.com'" in result.stderr
    (award,) = admin.ok("GET", f"/awards?achievement_id={world['club']['id']}")
    assert (award["member_id"], award["period"], award["source"]) == (
        world["ann"]["id"],
        "2026-10-01",
        "manual",
    )
    assert award["given_by"] == f"cli:{getpass.getuser()}"
    newest = admin.ok("GET", "/audit?action=award.give")[0]
    assert (newest["entity_id"], newest["reason"]) == (award["id"], "October push")
    assert newest["actor"] == f"cli:{getpass.getuser()}"
    by_ext = members.with_name("ext.csv")
    by_ext.write_text("external_id\ncrm-bob\n", encoding="utf-8")
    again = run(
        "award", "bulk", str(world["club"]["id"]), str(by_ext), "--at", "2026-10-15T12:00:00+00:00"
    )
    assert again.exit_code == 0, again.output
    assert len(admin.ok("GET", f"/awards?achievement_id={world['club']['id']}")) == 2


def test_bulk_dry_run_and_refusals(admin: Api, world: dict[str, Any], tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(f"member_id\n{world['ann']['id']}\n{world['ann']['id']}\n", encoding="utf-8")
    dry = run("award", "bulk", "club", str(members), "--dry-run", "--at", "2026-10-01")
    assert dry.exit_code == 0, dry.output
    assert "Would give 1 award(s)" in dry.stdout
    assert "Dry run: nothing was given." in dry.stdout
    assert "row 3: refused (duplicate_row)" in dry.stderr
    assert admin.ok("GET", f"/awards?achievement_id={world['club']['id']}") == []


def test_bulk_strict_gives_nothing_and_fails(
    admin: Api, world: dict[str, Any], tmp_path: Path
) -> None:
    members = tmp_path / "members.csv"
    members.write_text(f"member_id\n{world['bob']['id']}\n4242\n", encoding="utf-8")
    result = run("award", "bulk", "kudos", str(members), "--strict")
    assert result.exit_code == 1
    assert "with strict, nothing was given" in result.stderr
    assert "row 3: no member has member_id '4242'" in result.stderr
    assert len(admin.ok("GET", f"/awards?achievement_id={world['kudos']['id']}")) == 3


@pytest.mark.parametrize(
    ("content", "args", "code", "message"),
    [
        ("name\nAnn\n", (), 1, "names no member column"),
        ("member_id,at\n1,soon\n", (), 1, "bad 'at'"),
        ("member_id\n1\n", ("--at", "next tuesday"), 2, "Invalid --at"),
        ("member_id\n1\n", ("--by", "phone"), 2, "phone"),
    ],
)
def test_bulk_refuses_bad_input(
    world: dict[str, Any],
    tmp_path: Path,
    content: str,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    members = tmp_path / "members.csv"
    members.write_text(content, encoding="utf-8")
    result = run("award", "bulk", "kudos", str(members), *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_bulk_unknown_achievement(world: dict[str, Any], tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text("member_id\n1\n", encoding="utf-8")
    for ident in ("no-such-key", "999"):
        result = run("award", "bulk", ident, str(members))
        assert result.exit_code == 1
        assert "does not exist" in result.stderr
