"""Rarity against a direct count: over random members (some inactive), a team audience and
gives (some revoked, some for last month), every achievement's `rarity` in the list, the
single read and the portal is the count of its current holders over its audience."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
LAST_MONTH = "2026-10-10T10:00:00+00:00"
MEMBERS = 5

give_step = st.tuples(
    st.integers(0, MEMBERS - 1),  # member
    st.integers(0, 2),  # achievement: everyone/none, team/none, everyone/month
    st.booleans(),  # last month (the monthly one only)
    st.booleans(),  # revoked afterwards
)


@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    in_team=st.lists(st.booleans(), min_size=MEMBERS, max_size=MEMBERS),
    inactive=st.lists(st.booleans(), min_size=MEMBERS, max_size=MEMBERS),
    gives=st.lists(give_step, max_size=12),
)
def test_rarity_is_holders_over_audience(
    engine: Engine,
    database_url: str,
    in_team: list[bool],
    inactive: list[bool],
    gives: list[tuple[int, int, bool, bool]],
) -> None:
    _truncate_all(engine)
    app_settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, timezone="UTC")
    with TestClient(app_for(app_settings, FixedClock(NOW))) as client:
        api = Api(client, ADMIN_TOKEN)
        team = api.ok("POST", "/teams", 201, json={"name": "Sales"})["id"]
        members = []
        for i in range(MEMBERS):
            body: dict[str, Any] = {"name": f"M{i}"}
            if in_team[i]:
                body["team_id"] = team
            members.append(api.ok("POST", "/members", 201, json=body)["id"])
        group = api.ok("POST", "/groups", 201, json={"name": "Sales", "team_ids": [team]})["id"]
        specs = [
            {"key": "everyone", "period": "none", "audience": []},
            {"key": "team", "period": "none", "audience": [group]},
            {"key": "monthly", "period": "month", "audience": []},
        ]
        ids = [
            api.ok(
                "POST",
                "/achievements",
                201,
                json={**spec, "name": spec["key"], "category": "award", "points": 1},
            )["id"]
            for spec in specs
        ]
        holders: list[set[int]] = [set(), set(), set()]
        for m, a, last_month, revoked in gives:
            if a == 1 and not in_team[m]:
                continue  # outside the audience: refused
            body = {"achievement_id": ids[a]}
            if a == 2 and last_month:
                body["at"] = LAST_MONTH
            award = api.ok("POST", f"/members/{members[m]}/awards", 201, json=body)
            if revoked:
                api.ok("DELETE", f"/awards/{award['id']}", json={"reason": "test"})
            elif not (a == 2 and last_month):
                holders[a].add(m)
        for i, off in enumerate(inactive):
            if off:
                api.ok("PATCH", f"/members/{members[i]}", json={"active": False})

        active = {i for i in range(MEMBERS) if not inactive[i]}
        audiences = [active, {i for i in active if in_team[i]}, active]
        expected = {}
        for a in range(3):
            held = len(holders[a] & active)
            audience = len(audiences[a])
            share = round(min(1.0, held / audience), 4) if audience else 0.0
            expected[ids[a]] = {"holders": held, "audience": audience, "share": share}

        listed = {a["id"]: a["rarity"] for a in api.ok("GET", "/achievements")}
        assert listed == expected
        for a in ids:
            assert api.ok("GET", f"/achievements/{a}")["rarity"] == expected[a]
        portal = api.ok("GET", f"/members/{members[0]}/achievements")
        for item in portal["achievements"]:
            assert item["achievement"]["rarity"] == expected[item["achievement"]["id"]]
