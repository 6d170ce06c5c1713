"""The bulk path writes a batch's awards together (``engine.award_batch``): for any mix of
plain, membership, record and prerequisite achievements (a prerequisite of a lower or a
higher id), publishing automatically or not, with levels to reach, the awards (in the order
of their ids), their publications and the levels reached are exactly those of writing each
achievement's awards on its own (``award_due`` per achievement, the path before), on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.engine import award_batch
from plaudit.models import Achievement, Award, AwardPublication, Level, LevelReached, Member
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.engine.test_oracle_property import (
    START,
    ZONE,
    data_strategy,
    post_calls_source,
    rules,
)
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

MEMBERS = 4
NOW = START + timedelta(days=30)

# (member, hour offset, data) of one record of a batch.
item = st.tuples(
    st.integers(min_value=0, max_value=MEMBERS - 1),
    st.integers(min_value=0, max_value=20 * 24),
    data_strategy,
)
batches = st.lists(st.lists(item, min_size=1, max_size=25), min_size=1, max_size=4)


@st.composite
def definitions(draw: st.DrawFn, index: int) -> dict[str, Any]:
    category = draw(st.sampled_from(["award", "award", "membership", "record"]))
    repeatable = category == "award" and draw(st.booleans())
    groups = 1 if repeatable else draw(st.integers(min_value=1, max_value=2))
    return {
        "key": f"a{index}",
        "name": f"A{index}",
        "category": category,
        "period": draw(st.sampled_from(["none", "week", "month", "day"])),
        "points": draw(st.integers(min_value=1, max_value=5)),
        "repeatable": repeatable,
        "publish_automatically": draw(st.booleans()),
        "requirements": [
            draw(st.lists(rules(repeatable), min_size=1, max_size=2)) for _ in range(groups)
        ],
    }


Snapshot = dict[str, Any]


def _run(
    engine: Engine,
    database_url: str,
    defs: list[dict[str, Any]],
    requires: list[int | None],
    steps: list[list[tuple[int, int, dict[str, Any]]]],
    *,
    together: bool,
) -> Snapshot:
    """`requires[i]`: the index of achievement i's prerequisite, or None."""
    _truncate_all(engine)
    app_settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, timezone=ZONE)
    with TestClient(app_for(app_settings, FixedClock(NOW))) as client:
        api = Api(client, ADMIN_TOKEN)
        post_calls_source(api)
        members = [
            api.ok(
                "POST",
                "/members",
                201,
                # One member without an email: their awards are never published.
                json={"name": f"M{i}"} | ({"email": f"m{i}@example.com"} if i else {}),
            )["id"]
            for i in range(MEMBERS)
        ]
        for name, points in (("Two", 2), ("Six", 6), ("Twelve", 12)):
            api.ok("POST", "/levels", 201, json={"name": name, "points": points})
        ids = [api.ok("POST", "/achievements", 201, json=d)["id"] for d in defs]
        for index, wanted in enumerate(requires):
            if wanted is not None:
                body = {"prerequisites": [ids[wanted]]}
                api.ok("PATCH", f"/achievements/{ids[index]}", json=body)
        for achievement_id in ids:
            api.ok("POST", f"/achievements/{achievement_id}/activate")
        alone = award_batch.written_alone if together else (lambda _compiled: True)
        for step in steps:
            items = [
                RecordIn(member_id=members[m], occurred_at=START + timedelta(hours=h), data=data)
                for m, h, data in step
            ]
            with (
                patch.object(award_batch, "written_alone", alone),
                Session(engine) as session,
                session.begin(),
            ):
                ingest_records(session, "calls", items, now=NOW, zone=app_settings.zone, bulk=True)
    return _snapshot(engine)


def _snapshot(engine: Engine) -> Snapshot:
    """What the awards wrote, by natural keys (ids may differ), awards in the order of ids."""
    with Session(engine) as session:
        name = dict(session.execute(select(Member.id, Member.name)).all())
        key = dict(session.execute(select(Achievement.id, Achievement.key)).all())
        rows = session.execute(
            select(
                Award.id,
                Award.achievement_id,
                Award.member_id,
                Award.achievement_version,
                Award.period_key,
                Award.period_start,
                Award.period_end,
                Award.completion,
                Award.points,
                Award.holder_slot,
                Award.origin,
                Award.given_by,
                Award.revoked,
            ).order_by(Award.id)
        ).all()
        natural = {row[0]: (key[row[1]], name[row[2]], *row[3:]) for row in rows}
        published = sorted(
            natural[award_id] for award_id in session.scalars(select(AwardPublication.award_id))
        )
        levels = sorted(
            (name[member_id], level, scope_key)
            for member_id, level, scope_key in session.execute(
                select(LevelReached.member_id, Level.name, LevelReached.scope_key).join(
                    Level, Level.id == LevelReached.level_id
                )
            )
        )
    return {"awards": list(natural.values()), "published": published, "levels": levels}


def _requires(draw: st.DrawFn, count: int) -> list[int | None]:
    """A prerequisite or none per achievement, never a cycle: each may require one ranked
    before it, in a random order, so of a lower or a higher id."""
    order = draw(st.permutations(range(count)))
    rank = {a: r for r, a in enumerate(order)}
    out: list[int | None] = []
    for a in range(count):
        earlier = [b for b in range(count) if rank[b] < rank[a]]
        out.append(draw(st.one_of(st.none(), st.sampled_from(earlier))) if earlier else None)
    return out


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[dict[str, Any]], list[int | None], list[list[tuple[int, int, dict[str, Any]]]]]:
    count = draw(st.integers(min_value=1, max_value=4))
    defs = [draw(definitions(i)) for i in range(count)]
    return defs, _requires(draw, count), draw(batches)


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_awards_written_together_equal_those_written_per_achievement(
    engine: Engine,
    database_url: str,
    scenario: tuple[
        list[dict[str, Any]], list[int | None], list[list[tuple[int, int, dict[str, Any]]]]
    ],
) -> None:
    defs, requires, steps = scenario
    alone = _run(engine, database_url, defs, requires, steps, together=False)
    together = _run(engine, database_url, defs, requires, steps, together=True)
    assert together == alone


def _count(value: int, category: str = "award", **extra: Any) -> dict[str, Any]:
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": value}
    return {"category": category, "period": "month", "points": 3, "requirements": [[rule]]} | extra


def test_a_batch_mixing_record_prerequisite_and_plain_achievements(
    engine: Engine, database_url: str
) -> None:
    defs = [
        {"key": "needs-later", "name": "Needs later"} | _count(1),
        {"key": "first", "name": "First"} | _count(1, publish_automatically=True),
        {"key": "needs-first", "name": "Needs first"} | _count(2),
        {"key": "top", "name": "Top"} | _count(2, "record"),
        {"key": "club", "name": "Club"} | _count(1, "membership"),
        {"key": "each", "name": "Each"} | _count(1, repeatable=True),
    ]
    requires: list[int | None] = [1, None, 1, None, None, None]
    one_batch = [[(m, h, {"minutes": 5}) for m in (0, 1, 2) for h in (1, 2)]]
    alone = _run(engine, database_url, defs, requires, one_batch, together=False)
    together = _run(engine, database_url, defs, requires, one_batch, together=True)
    assert together == alone
    given = {(a[0], a[1]) for a in together["awards"]}
    # "Needs first" (a higher id than its prerequisite) sees the awards of "First" given in
    # the same batch; "Needs later" (a lower id) does not, until a later batch.
    assert ("needs-first", "M0") in given
    assert not any(a == "needs-later" for a, _ in given)
    assert [m for a, m in sorted(given) if a == "top"] == ["M0"]  # one holder: the first
    assert sum(1 for a in together["awards"] if a[0] == "each") == 6  # two completions each
    # Published: the awards of "First" of the members with an email (not M0).
    assert [(a[0], a[1]) for a in together["published"]] == [("first", "M1"), ("first", "M2")]
