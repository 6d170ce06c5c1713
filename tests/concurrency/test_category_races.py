"""Category limits under truly concurrent requests, against the real server over sockets.

Every race starts N requests at the same instant (a threading.Barrier), each on its own HTTP
connection, so the server handles them in parallel threads on separate database connections.
PostgreSQL runs them really in parallel (row locks, advisory locks, unique indexes); SQLite
serialises writers (BEGIN IMMEDIATE), and the answers must be just as right there.

The last tests bypass the service and the engine altogether: raw INSERTs hit the partial
unique indexes themselves, proving that the database, not the Python code, holds the limits.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.models import Achievement, Member
from tests.concurrency.live_api import DEALS, ONE_DEAL, Live, N


def give(
    achievement_id: int, member_id: int, at: str | None = None
) -> Callable[[httpx.Client], httpx.Response]:
    body: dict[str, Any] = {"achievement_id": achievement_id}
    if at is not None:
        body["at"] = at
    return lambda http: http.post(f"/members/{member_id}/awards", json=body)


def ingest(
    member_id: int, occurred_at: str, external_id: str
) -> Callable[[httpx.Client], httpx.Response]:
    body = {
        "external_id": external_id,
        "member_id": member_id,
        "occurred_at": occurred_at,
        "data": {"value": 100, "stage": "won"},
    }
    return lambda http: http.post("/sources/deals/records", json=body)


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def assert_limit_refusal(response: httpx.Response, words: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 409
    assert problem["title"]
    assert words in problem["detail"], problem


def now_iso() -> str:
    """One instant for every request of a race, so that they all fall in the same period."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# Manual gives
# ---------------------------------------------------------------------------------------------


def test_membership_given_in_parallel_to_one_member_is_held_once(live: Live) -> None:
    ann = live.member("Ann")
    club = live.achievement("club", "membership", "month")
    at = now_iso()

    responses = live.race([give(club, ann, at) for _ in range(N)])

    assert statuses(responses) == {201: 1, 409: N - 1}, [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 201)
    for refused in (r for r in responses if r.status_code == 409):
        assert_limit_refusal(refused, "membership")
        assert "Ann already holds it" in refused.json()["detail"]
    awards = live.awards(club)
    assert [(a["id"], a["member_id"], a["revoked"]) for a in awards] == [(winner["id"], ann, False)]


def test_record_given_in_parallel_to_different_members_has_one_holder(live: Live) -> None:
    members = [live.member(f"Rep {i}") for i in range(N)]
    eom = live.achievement("employee-of-the-month", "record", "month")
    at = now_iso()

    responses = live.race([give(eom, m, at) for m in members])

    # The record is refused, never moved: the first holder keeps it, all others get a 409
    # that names the holder.
    assert statuses(responses) == {201: 1, 409: N - 1}, [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 201)
    for refused in (r for r in responses if r.status_code == 409):
        holder = f"Rep {members.index(winner['member_id'])}"
        assert_limit_refusal(refused, f"{holder} already holds it")
    awards = live.awards(eom)
    assert [(a["id"], a["member_id"], a["revoked"]) for a in awards] == [
        (winner["id"], winner["member_id"], False)
    ]
    assert winner["member_id"] in members


def test_award_category_given_in_parallel_is_given_every_time(live: Live) -> None:
    ann = live.member("Ann")
    kudos = live.achievement("kudos", "award", "week")
    at = now_iso()

    responses = live.race([give(kudos, ann, at) for _ in range(N)])

    assert statuses(responses) == {201: N}, [r.text for r in responses]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == N
    awards = live.awards(kudos)
    assert {a["id"] for a in awards} == ids
    assert {(a["member_id"], a["revoked"], a["source"]) for a in awards} == {(ann, False, "manual")}


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


def test_record_earned_by_rules_in_parallel_has_at_most_one_holder(live: Live) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    members = [live.member(f"Rep {i}") for i in range(N)]
    deal_of_the_week = live.achievement("deal-of-the-week", "record", "week", [[ONE_DEAL]])
    at = now_iso()

    responses = live.race([ingest(m, at, f"deal-{m}") for m in members])

    assert statuses(responses) == {200: N}, [r.text for r in responses]
    assert all(r.json()["created"] == 1 for r in responses)
    # Every member qualifies; exactly one of them becomes the holder, in one of the answers.
    given = [a for r in responses for a in r.json()["awards"]]
    assert len(given) == 1, given
    awards = live.awards(deal_of_the_week)
    assert [(a["id"], a["source"], a["revoked"]) for a in awards] == [
        (given[0]["id"], "rule", False)
    ]
    assert awards[0]["member_id"] in members


def test_membership_earned_by_rules_in_parallel_is_awarded_once(live: Live) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    ann = live.member("Ann")
    closer = live.achievement("closer", "membership", "month", [[ONE_DEAL]])
    at = now_iso()

    responses = live.race([ingest(ann, at, f"deal-{i}") for i in range(N)])

    assert statuses(responses) == {200: N}, [r.text for r in responses]
    assert all(r.json()["created"] == 1 for r in responses)
    given = [a for r in responses for a in r.json()["awards"]]
    assert len(given) == 1, given
    awards = live.awards(closer)
    assert [(a["id"], a["member_id"], a["source"], a["completion"]) for a in awards] == [
        (given[0]["id"], ann, "rule", 1)
    ]
    # No increment was lost: the running count (portal) and a recount of the records
    # (explain) both see all N deals.
    portal = live.ok("GET", f"/members/{ann}/achievements")
    entry = next(e for e in portal["achievements"] if e["achievement"]["id"] == closer)
    assert [p["current"] for p in entry["progress"]] == [N]
    explained = live.ok("GET", f"/members/{ann}/achievements/{closer}/explain", params={"at": at})
    assert [rule["current"] for rule in explained["rules"]] == [N]


def test_record_holder_stays_single_when_gives_and_rules_race(live: Live) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    members = [live.member(f"Rep {i}") for i in range(N)]
    top = live.achievement("top-of-the-week", "record", "week", [[ONE_DEAL]])
    at = now_iso()
    half = N // 2

    calls = [give(top, m, at) for m in members[:half]]
    calls += [ingest(m, at, f"deal-{m}") for m in members[half:]]
    responses = live.race(calls)

    manual, ingested = responses[:half], responses[half:]
    assert set(statuses(manual)) <= {201, 409}, [r.text for r in manual]
    assert statuses(ingested) == {200: N - half}, [r.text for r in ingested]
    given = [r.json() for r in manual if r.status_code == 201]
    given += [a for r in ingested for a in r.json()["awards"]]
    assert len(given) == 1, given
    for refused in (r for r in manual if r.status_code == 409):
        holder = f"Rep {members.index(given[0]['member_id'])}"
        assert_limit_refusal(refused, f"{holder} already holds it")
    awards = live.awards(top)
    assert [(a["id"], a["revoked"]) for a in awards] == [(given[0]["id"], False)]


# ---------------------------------------------------------------------------------------------
# The database itself
# ---------------------------------------------------------------------------------------------


def _fixtures(engine: Engine) -> tuple[int, int, int]:
    """Two members and a monthly record achievement, made with the ORM (only the awards
    below are inserted by hand, past every service)."""
    with Session(engine) as session, session.begin():
        ann, bob = Member(name="Ann"), Member(name="Bob")
        achievement = Achievement(
            key="raw", name="Raw", category="record", period="month", points=1
        )
        session.add_all([ann, bob, achievement])
        session.flush()
        return ann.id, bob.id, achievement.id


def _insert_award(
    conn: Connection,
    achievement_id: int,
    member_id: int,
    *,
    origin: str,
    holder_slot: str | None,
    completion: int | None,
    revoked: bool = False,
) -> None:
    conn.execute(
        text(
            "INSERT INTO awards (achievement_id, achievement_version, member_id, points, "
            "awarded_at, period_key, period_start, period_end, completion, holder_slot, "
            "origin, revoked) VALUES (:a, 1, :m, 1, :t, '2026-11', :t, :t, :c, :s, :o, :r)"
        ),
        {
            "a": achievement_id,
            "m": member_id,
            "t": datetime.now(UTC),
            "c": completion,
            "s": holder_slot,
            "o": origin,
            "r": revoked,
        },
    )


def _violated_index(exc: IntegrityError) -> str:
    """The unique index a violation names: psycopg reports it, SQLite lists its columns."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return str(diag.constraint_name)
    message = str(exc.orig)
    assert "UNIQUE constraint failed" in message, message
    columns = {
        "awards.achievement_id, awards.period_key, awards.holder_slot": "uq_awards_holder_slot",
        "awards.achievement_id, awards.member_id, awards.period_key, awards.completion": (
            "uq_awards_rule_completion"
        ),
    }
    return next((name for cols, name in columns.items() if message.endswith(cols)), message)


def test_database_refuses_a_second_holder_and_a_second_completion_by_itself(
    engine: Engine, clean_db: Engine
) -> None:
    ann, bob, achievement = _fixtures(engine)
    with engine.begin() as conn:
        _insert_award(
            conn, achievement, ann, origin="manual", holder_slot="record", completion=None
        )

    # A second active holder of the record slot, for another member: refused.
    with pytest.raises(IntegrityError) as second_holder, engine.begin() as conn:
        _insert_award(
            conn, achievement, bob, origin="manual", holder_slot="record", completion=None
        )
    assert _violated_index(second_holder.value) == "uq_awards_holder_slot"

    # A revoked award holds no slot: the index is partial, not a blanket refusal.
    with engine.begin() as conn:
        _insert_award(
            conn,
            achievement,
            bob,
            origin="manual",
            holder_slot="record",
            completion=None,
            revoked=True,
        )

    # The same rule completion twice, even with no slot and the first one revoked: refused.
    with engine.begin() as conn:
        _insert_award(
            conn, achievement, bob, origin="rule", holder_slot=None, completion=1, revoked=True
        )
    with pytest.raises(IntegrityError) as second_completion, engine.begin() as conn:
        _insert_award(conn, achievement, bob, origin="rule", holder_slot=None, completion=1)
    assert _violated_index(second_completion.value) == "uq_awards_rule_completion"

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT member_id, revoked FROM awards ORDER BY id")).all()
    assert [(m, bool(r)) for m, r in rows] == [(ann, False), (bob, True), (bob, True)]


@pytest.mark.postgres_only
def test_postgres_blocks_a_concurrent_second_holder_then_refuses_it(
    engine: Engine, clean_db: Engine
) -> None:
    """Two open transactions insert the same slot: the second waits on the first's
    uncommitted index entry and fails with a unique violation once the first commits."""
    assert engine.dialect.name == "postgresql"
    ann, bob, achievement = _fixtures(engine)
    first = engine.connect()
    try:
        first.begin()
        _insert_award(
            first, achievement, ann, origin="manual", holder_slot="record", completion=None
        )
        outcome: list[BaseException | None] = []
        started = threading.Event()

        def second() -> None:
            try:
                with engine.begin() as conn:
                    conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                    started.set()
                    _insert_award(
                        conn, achievement, bob, origin="rule", holder_slot="record", completion=1
                    )
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        assert started.wait(10)
        thread.join(1.0)
        assert thread.is_alive(), f"the second insert did not wait for the first: {outcome}"
        first.commit()
        thread.join(20)
        assert not thread.is_alive()
    finally:
        first.close()
    assert len(outcome) == 1
    assert isinstance(outcome[0], IntegrityError), outcome
    assert _violated_index(outcome[0]) == "uq_awards_holder_slot"
    with engine.connect() as conn:
        holders = conn.execute(text("SELECT member_id FROM awards WHERE NOT revoked")).scalars()
        assert list(holders) == [ann]
