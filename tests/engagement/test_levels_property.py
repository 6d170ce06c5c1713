"""Levels against a from-scratch oracle: over random gives, revocations and new levels across
a new year, the reached events and every member's current level are what a plain-Python
replay of the same history says (on SQLite and PostgreSQL). A level trigger fired once per
reached event and an award trigger once per give, whatever was revoked since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.models import LevelReached, NotificationFiring
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

MEMBERS = 3
POINTS = (5, 20, 50)
START = datetime(2025, 12, 24, 12, 0, tzinfo=UTC)

step = st.one_of(
    st.tuples(
        st.just("give"),
        st.integers(0, MEMBERS - 1),
        st.integers(0, len(POINTS) - 1),
        st.integers(0, 6),
    ),
    st.tuples(st.just("revoke"), st.integers(0, 30)),
    st.tuples(st.just("level"), st.integers(1, 120), st.sampled_from(["all_time", "year"])),
)


class Oracle:
    """The history replayed in plain Python."""

    def __init__(self) -> None:
        self.awards: list[dict[str, Any]] = []  # member, points, year, revoked
        self.levels: list[tuple[int, int, str]] = []  # id, threshold, scope
        self.events: set[tuple[int, int, str, int]] = set()

    def points(self, member: int, scope: str, year: int) -> int:
        return sum(
            a["points"]
            for a in self.awards
            if a["member"] == member
            and not a["revoked"]
            and (scope == "all_time" or a["year"] == year)
        )

    def reach(self, members: list[int], year: int) -> None:
        held = {(m, lv, k) for m, lv, k, _ in self.events}
        for member in members:
            for level_id, threshold, scope in self.levels:
                key = "all" if scope == "all_time" else str(year)
                got = self.points(member, scope, year)
                if got >= threshold and (member, level_id, key) not in held:
                    self.events.add((member, level_id, key, got))

    def current(self, member: int, year: int) -> int | None:
        ladder = sorted(self.levels, key=lambda lv: (lv[1], f"L{lv[0]}", lv[0]))
        best = None
        for level_id, threshold, scope in ladder:
            if self.points(member, scope, year) >= threshold:
                best = level_id
        return best


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=16))
def test_levels_match_the_oracle(
    engine: Engine, database_url: str, steps: list[tuple[Any, ...]]
) -> None:
    _truncate_all(engine)
    clock = FixedClock(START)
    app_settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, timezone="UTC")
    oracle = Oracle()
    with TestClient(app_for(app_settings, clock)) as client:
        api = Api(client, ADMIN_TOKEN)
        members = [
            api.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(MEMBERS)
        ]
        achievements = [
            api.ok(
                "POST",
                "/achievements",
                201,
                json={"key": f"a{p}", "name": f"A{p}", "category": "award", "points": p},
            )["id"]
            for p in POINTS
        ]
        email = {"type": "email", "to": "addresses", "addresses": ["floor@example.com"]}
        watchers = {
            kind: api.ok(
                "POST",
                "/notifications",
                201,
                json={"name": kind, "trigger": {"type": kind}, "action": email},
            )["id"]
            for kind in ("award", "level")
        }
        award_ids: list[int] = []
        for op in steps:
            year = clock.now.year
            if op[0] == "give":
                _, m, a, days = op
                clock.now += timedelta(days=days)
                year = clock.now.year
                body = {"achievement_id": achievements[a]}
                award = api.ok("POST", f"/members/{members[m]}/awards", 201, json=body)
                award_ids.append(award["id"])
                oracle.awards.append(
                    {"member": members[m], "points": POINTS[a], "year": year, "revoked": False}
                )
                oracle.reach([members[m]], year)
            elif op[0] == "revoke":
                if not award_ids:
                    continue
                index = op[1] % len(award_ids)
                api.ok("DELETE", f"/awards/{award_ids[index]}", json={"reason": "test"})
                oracle.awards[index]["revoked"] = True
            else:
                _, threshold, scope = op
                name = f"L{len(oracle.levels) + 1}"
                body = {"name": name, "points": threshold, "scope": scope}
                level_id = api.ok("POST", "/levels", 201, json=body)["id"]
                oracle.levels.append((level_id, threshold, scope))
                oracle.reach(members, year)

        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    LevelReached.member_id,
                    LevelReached.level_id,
                    LevelReached.scope_key,
                    LevelReached.points,
                )
            ).all()
            fired = conn.execute(
                select(
                    NotificationFiring.notification_id,
                    NotificationFiring.member_id,
                    NotificationFiring.event_award_id,
                    NotificationFiring.event_level_reached_id,
                )
            ).all()
            reached_ids = conn.execute(select(LevelReached.member_id, LevelReached.id)).all()
        assert {(m, lv, k, p) for m, lv, k, p in rows} == oracle.events
        assert len(rows) == len(oracle.events)
        on_award = [f for f in fired if f.notification_id == watchers["award"]]
        on_level = [f for f in fired if f.notification_id == watchers["level"]]
        assert sorted(f.event_award_id for f in on_award) == sorted(award_ids)
        assert len(on_level) == len(oracle.events)
        assert {(f.member_id, f.event_level_reached_id) for f in on_level} == {
            (m, i) for m, i in reached_ids
        }
        for member in members:
            answer = api.ok("GET", f"/members/{member}/level")
            got = answer["level"]["id"] if answer["level"] else None
            assert got == oracle.current(member, clock.now.year)
            assert answer["points"] == oracle.points(member, "all_time", clock.now.year)
            assert answer["points_this_year"] == oracle.points(member, "year", clock.now.year)
