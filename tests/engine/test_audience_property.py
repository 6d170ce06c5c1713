"""Property test: whoever enters an audience is awarded at once, against a simple oracle.

Random streams of record creates and deletes, moves between a team in the audience and one
outside it, and members made inactive and active again, through the HTTP API on SQLite and
PostgreSQL. Awards are never taken back, so the oracle is: after every step, each active
member inside the audience holds, for every period, at least the completions their counts
then make due, and never more than the most any step made due while they were inside.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.periods import ALL_KEY, Period, parse_zone, period_containing
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

MEMBERS = 3
START = datetime(2026, 9, 20, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)

step = st.one_of(
    st.tuples(
        st.just("record"),
        st.integers(0, MEMBERS - 1),
        st.integers(0, 50),  # day offset: spans two or three months
        st.integers(0, 7),  # external id pool: a repeat re-sends (no change)
    ),
    st.tuples(st.just("delete"), st.integers(0, 7)),
    st.tuples(st.just("move"), st.integers(0, MEMBERS - 1), st.booleans()),
    st.tuples(st.just("active"), st.integers(0, MEMBERS - 1), st.booleans()),
)


def _due(count: int, target: int, repeatable: bool) -> int:
    if repeatable:
        return count // target
    return 1 if count >= target else 0


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, min_size=1, max_size=14),
    target=st.integers(1, 3),
    repeatable=st.booleans(),
    period=st.sampled_from(["none", "month"]),
)
def test_entering_an_audience_awards_what_is_due_at_once(
    engine: Engine,
    database_url: str,
    steps: list[tuple[Any, ...]],
    target: int,
    repeatable: bool,
    period: str,
) -> None:
    _truncate_all(engine)
    app_settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, timezone="UTC")
    zone = parse_zone("UTC")
    with TestClient(app_for(app_settings, FixedClock(NOW))) as client:
        api = Api(client, ADMIN_TOKEN)
        api.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": []})
        inside = api.ok("POST", "/teams", 201, json={"name": "Inside"})["id"]
        outside = api.ok("POST", "/teams", 201, json={"name": "Outside"})["id"]
        group = api.ok("POST", "/groups", 201, json={"name": "G", "team_ids": [inside]})["id"]
        members = [
            api.ok("POST", "/members", 201, json={"name": f"M{i}", "team_id": outside})["id"]
            for i in range(MEMBERS)
        ]
        rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": target}
        body = {
            "key": "calls",
            "name": "Calls",
            "category": "award",
            "points": 1,
            "period": period,
            "repeatable": repeatable,
            "requirements": [[rule]],
            "audience": [group],
        }
        achievement = api.ok("POST", "/achievements", 201, json=body)["id"]
        api.ok("POST", f"/achievements/{achievement}/activate")

        records: dict[int, tuple[int, str]] = {}  # pool -> (member index, period key)
        in_audience = [False] * MEMBERS
        active = [True] * MEMBERS
        most_due: dict[tuple[int, str], int] = defaultdict(int)
        for op in steps:
            if op[0] == "record":
                _, m, day, pool = op
                at = START + timedelta(days=day)
                if pool in records and records[pool][0] != m:
                    continue  # an update that moves a record between members: not this test
                key = ALL_KEY if period == "none" else period_containing(at, Period.month, zone).key
                if pool in records and records[pool][1] != key:
                    continue
                api.ok(
                    "POST",
                    "/sources/calls/records",
                    json={
                        "external_id": f"r{pool}",
                        "member_id": members[m],
                        "occurred_at": at.isoformat(),
                        "data": {},
                    },
                )
                records[pool] = (m, key)
            elif op[0] == "delete":
                if op[1] in records:
                    api.ok("DELETE", f"/sources/calls/records/r{op[1]}", 204)
                    del records[op[1]]
            elif op[0] == "move":
                _, m, into = op
                team = inside if into else outside
                api.ok("PATCH", f"/members/{members[m]}", json={"team_id": team})
                in_audience[m] = into
            else:
                _, m, now_active = op
                api.ok("PATCH", f"/members/{members[m]}", json={"active": now_active})
                active[m] = now_active

            counts: dict[tuple[int, str], int] = defaultdict(int)
            for m, key in records.values():
                counts[(m, key)] += 1
            for (m, key), count in counts.items():
                if in_audience[m] and active[m]:
                    most_due[(m, key)] = max(most_due[(m, key)], _due(count, target, repeatable))
            held: dict[tuple[int, str], int] = defaultdict(int)
            index = {member_id: i for i, member_id in enumerate(members)}
            for award in api.ok("GET", f"/awards?achievement_id={achievement}"):
                held[(index[award["member_id"]], award["period"])] += 1
            for (m, key), count in counts.items():
                if in_audience[m] and active[m]:
                    assert held[(m, key)] >= _due(count, target, repeatable), (op, m, key)
            for held_key, n in held.items():
                assert n <= most_due[held_key], (op, held_key)
