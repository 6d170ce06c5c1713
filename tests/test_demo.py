"""The demo data set (`plaudit serve --demo`): a newcomer sees awards of every category,
progress, and a leaderboard with badges at once; loading twice changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from plaudit.cli.main import app as cli
from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.demo import DemoState, ensure_demo
from plaudit.models import Achievement, Award, Group, Member, Record, Source, Team
from plaudit.periods import Period, period_containing
from tests.conftest import Api
from tests.one_hop_client import TestClient

TABLES = (Team, Member, Group, Source, Achievement, Record, Award)
TOKEN = re.compile(r"^Admin token \(valid until this server stops.*\): (pl_\S+)$", re.MULTILINE)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.__tablename__: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in TABLES
        }


def load(engine: Engine, settings: Settings, now: datetime) -> DemoState:
    with unit_of_work(build_sessionmaker(engine)) as session:
        state, _ = ensure_demo(session, now=now, zone=settings.zone)
    return state


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 18, 13, 0, tzinfo=UTC),  # a Wednesday in mid-month
        datetime(2026, 6, 1, 0, 0, 30, tzinfo=UTC),  # the first minute of a week and a month
    ],
    ids=["midweek", "first-minute"],
)
def test_demo_shows_awards_progress_and_a_leaderboard_at_once(
    admin: Api, clean_db: Engine, settings: Settings, clock: FixedClock, now: datetime
) -> None:
    clock.now = now
    assert load(clean_db, settings, now) is DemoState.empty
    loaded = counts(clean_db)
    assert loaded["teams"] == 3
    assert loaded["members"] == 12
    assert 200 <= loaded["records"] <= 600

    achievements = {a["id"]: a for a in admin.ok("GET", "/achievements")}
    assert all(a["active"] for a in achievements.values())
    assert {a["category"] for a in achievements.values()} == {"award", "membership", "record"}
    assert all(a["icon"] for a in achievements.values())
    assert sum(bool(a["background_color"]) for a in achievements.values()) >= 5
    with_rules = [a for a in achievements.values() if a["requirements"]]
    assert {a["category"] for a in with_rules} == {"award", "membership", "record"}
    assert any(a["repeatable"] for a in with_rules)
    assert any(len(a["requirements"]) > 1 for a in with_rules)  # the seed's AND/OR
    assert any(a["effective"]["from"] and a["effective"]["until"] for a in with_rules)
    assert any(a["audience"] for a in with_rules)

    awards = admin.ok("GET", "/awards")
    by_category: dict[str, set[str]] = {}
    for award in awards:
        achievement = achievements[award["achievement_id"]]
        by_category.setdefault(achievement["category"], set()).add(award["source"])
    assert set(by_category) == {"award", "membership", "record"}
    assert "rule" in by_category["record"]  # a record earned by rules, not only given
    assert {a["source"] for a in awards} == {"rule", "manual", "season"}
    periods = {a["period_start"] for a in awards if a["period_start"]}
    assert len(periods) >= 2  # this and the previous week or month

    # Someone is part-way: progress with a rule that is not met yet.
    partial = []
    for member in admin.ok("GET", "/members"):
        view = admin.ok("GET", f"/members/{member['id']}/achievements")
        for item in view["achievements"]:
            progress = item["progress"]
            if not item["complete"] and any(0 < p["current"] < p["target"] for p in progress):
                partial.append((member["name"], item["achievement"]["key"]))
    assert ("Grace Hopper", "campaign-champion") in partial
    grace = next(m for m in admin.ok("GET", "/members") if m["name"] == "Grace Hopper")
    champion = next(a for a in achievements.values() if a["key"] == "campaign-champion")
    why = admin.ok("GET", f"/members/{grace['id']}/achievements/{champion['id']}/explain")
    assert (why["rules"][0]["current"], why["rules"][0]["target"]) == (3, 5)

    board = admin.ok("GET", "/leaderboard")
    assert board["rows"][0]["score"] > 0
    assert board["rows"][0]["member"]["name"] == "Ada Lovelace"
    badges = [b for row in board["rows"] for b in row["badges"]]
    assert {b["key"] for b in badges} >= {"campaign-champion", "employee-of-the-month"}
    assert all(b["icon"] for b in badges)
    badge_url = next(b["badge_url"] for b in badges if b["badge_url"])
    image = admin.client.get(badge_url, headers=admin.headers())
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")

    # An upper bound is decided when the week ends: last week's are awarded, this week's wait.
    steady = next(a for a in achievements.values() if a["key"] == "steady-week")
    steady_awards = [a for a in awards if a["achievement_id"] == steady["id"]]
    this_week = period_containing(now, Period.week, settings.zone)
    assert steady_awards
    assert all(a["period_end"] == this_week.start.isoformat() for a in steady_awards)
    waiting = [
        why
        for member in admin.ok("GET", "/members")
        if (why := admin.ok("GET", f"/members/{member['id']}/achievements/{steady['id']}/explain"))[
            "groups_waiting"
        ]
        == [True]
    ]
    assert waiting
    assert all(w["decided_at"] == this_week.end.isoformat() for w in waiting)

    # A seasonal board with last month archived: its top three got the podium.
    [board_row] = [b for b in admin.ok("GET", "/leaderboard/boards") if b["seasonal"]]
    [season] = admin.ok("GET", "/leaderboard/seasons", params={"board": board_row["id"]})["seasons"]
    last_month = period_containing(
        period_containing(now, Period.month, settings.zone).start - timedelta(seconds=1),
        Period.month,
        settings.zone,
    )
    assert season["period_start"] == last_month.start.isoformat()
    assert len(season["standings"]) >= 3 and season["standings"][0]["score"] > 0
    podium = next(a for a in achievements.values() if a["key"] == "deal-podium")
    from_season = [a for a in awards if a["source"] == "season"]
    assert {a["achievement_id"] for a in from_season} == {podium["id"]}
    assert sorted(a["award_id"] for a in season["awards"]) == sorted(a["id"] for a in from_season)
    assert len(from_season) >= 3 and all(a["given_by"].startswith("season:") for a in from_season)

    # Loading again finds the demo and changes nothing.
    assert load(clean_db, settings, now) is DemoState.demo
    assert counts(clean_db) == loaded
    assert admin.ok("GET", "/awards") == awards


def test_a_database_with_data_of_its_own_is_left_alone(
    admin: Api, clean_db: Engine, settings: Settings
) -> None:
    admin.ok("POST", "/members", 201, json={"name": "Somebody real"})
    before = counts(clean_db)
    assert load(clean_db, settings, datetime(2026, 11, 18, tzinfo=UTC)) is DemoState.other
    assert counts(clean_db) == before


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[FastAPI]:
    """`plaudit serve` with uvicorn replaced: the app it would run is kept for the test."""
    apps: list[FastAPI] = []

    def fake_run(app: FastAPI, **_: Any) -> None:
        apps.append(app)

    monkeypatch.setattr("plaudit.cli.serve.uvicorn.run", fake_run)
    return apps


def test_serve_demo_prints_a_working_admin_token_and_starts_twice(
    clean_db: Engine,
    database_url: str,
    served: list[FastAPI],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PLAUDIT_ADMIN_TOKEN", "PLAUDIT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    env = {"PLAUDIT_DATABASE_URL": database_url}
    first = CliRunner().invoke(cli, ["serve", "--demo", "--port", "8123"], env=env)
    assert first.exit_code == 0, first.output
    assert "Demo data loaded: 3 teams, 12 members, 12 achievements" in first.stdout
    match = TOKEN.search(first.stdout)
    assert match, first.stdout
    token = match.group(1)
    assert f'curl -H "Authorization: Bearer {token}" http://127.0.0.1:8123/api/v1/leaderboard' in (
        first.stdout
    )
    with TestClient(served[0]) as client:
        board = client.get("/api/v1/leaderboard", headers={"Authorization": f"Bearer {token}"})
        assert board.status_code == 200
        assert board.json()["rows"][0]["score"] > 0
        portal = re.search(r"/api/v1/members/(\d+)/achievements", first.stdout)
        assert portal, first.stdout
        view = client.get(portal.group(0), headers={"Authorization": f"Bearer {token}"})
        assert view.status_code == 200
        assert view.json()["points"] > 0
    loaded = counts(clean_db)

    again = CliRunner().invoke(
        cli, ["serve", "--demo"], env=env | {"PLAUDIT_ADMIN_TOKEN": "chosen-secret"}
    )
    assert again.exit_code == 0, again.output
    assert "Demo data already loaded: nothing changed." in again.stdout
    assert "Admin token: the value of PLAUDIT_ADMIN_TOKEN." in again.stdout
    assert "chosen-secret" not in again.stdout
    assert counts(clean_db) == loaded
    with TestClient(served[1]) as client:
        me = client.get("/api/v1/leaderboard", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401  # the first start's token lived as long as that server
