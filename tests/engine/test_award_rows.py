"""Many completions at once are written set-based (``engine.award_rows``): the same award
rows as row by row, membership slots held once, and the answer naming exactly the awards
written, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.engine.award_rows import SET_BASED_MIN
from plaudit.models import Award
from tests.conftest import Api
from tests.engine.helpers import achievement

CALLS = {"key": "calls", "name": "Calls", "fields": [{"name": "minutes", "type": "number"}]}
MANY = SET_BASED_MIN + 6


def _batch(members: list[int], at: str = "2026-11-18T10:00:00+00:00") -> dict[str, Any]:
    return {
        "records": [{"member_id": m, "occurred_at": at, "data": {"minutes": 5}} for m in members]
    }


def _awards(engine: Engine, achievement_id: int) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    Award.id,
                    Award.member_id,
                    Award.period_key,
                    Award.period_start,
                    Award.period_end,
                    Award.completion,
                    Award.holder_slot,
                    Award.points,
                    Award.origin,
                    Award.revoked,
                )
                .where(Award.achievement_id == achievement_id)
                .order_by(Award.id)
            )
        ]


def test_a_large_batch_writes_membership_awards_set_based(admin: Api, engine: Engine) -> None:
    admin.ok("POST", "/sources", 201, json=CALLS)
    members = [admin.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(MANY)]
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 1}
    club = achievement(admin, "club", [[rule]], category="membership", period="month")
    # A few hold the membership already (row by row, one record each).
    for member in members[:3]:
        one = admin.ok("POST", "/sources/calls/records", json=_batch([member])["records"][0])
        assert len(one["awards"]) == 1

    answer = admin.ok("POST", "/sources/calls/records", json=_batch(members))

    rows = _awards(engine, club["id"])
    assert len(rows) == MANY  # one each: the three holders were skipped
    assert sorted(a["id"] for a in answer["awards"]) == [r[0] for r in rows[3:]]
    assert {r[1] for r in rows} == set(members)
    for _, member, key, start, end, completion, slot, points, origin, revoked in rows:
        assert (key, completion, slot, points, origin, revoked) == (
            "2026-11-01",
            1,
            f"member:{member}",
            10,
            "rule",
            False,
        )
        assert (start.isoformat(), end.isoformat()) == (
            "2026-11-01T00:00:00+00:00",
            "2026-12-01T00:00:00+00:00",
        )
    # A second large batch in the same month gives nothing more.
    assert admin.ok("POST", "/sources/calls/records", json=_batch(members))["awards"] == []
    assert len(_awards(engine, club["id"])) == MANY


def test_repeatable_completions_set_based_continue_from_those_earned(
    admin: Api, engine: Engine
) -> None:
    admin.ok("POST", "/sources", 201, json=CALLS)
    members = [admin.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(MANY)]
    rule = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 1}
    each = achievement(admin, "each-call", [[rule]], repeatable=True)
    admin.ok("POST", "/sources/calls/records", json=_batch(members[:1])["records"][0])
    # Two records each in one batch: completions 1 and 2 (2 only for the first member).
    answer = admin.ok("POST", "/sources/calls/records", json=_batch(members + members))
    rows = _awards(engine, each["id"])
    completions: dict[int, list[int]] = {}
    for _, member, _key, _s, _e, completion, slot, *_ in rows:
        completions.setdefault(member, []).append(completion)
        assert slot is None
    assert completions[members[0]] == [1, 2, 3]
    assert all(completions[m] == [1, 2] for m in members[1:])
    assert len(answer["awards"]) == 2 * MANY
