"""Reaching a level under truly concurrent requests: every threshold crossed is written
exactly once, and none is missed, though each request alone sees only part of the points.

On PostgreSQL each request's transaction would see only its own award and those already
committed; without the member's level lock, the last two to commit could each miss the
other's points and neither write the event of a threshold both together crossed.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from plaudit.models import LevelReached
from tests.concurrency.live_api import DEALS, ONE_DEAL, Live, N


def reached(engine: Engine) -> Counter[tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(LevelReached.member_id, LevelReached.level_id)).all()
    return Counter((m, lv) for m, lv in rows)


def test_parallel_gives_reach_each_level_once(live: Live, clean_db: Engine) -> None:
    ann = live.member("Ann")
    # One achievement per request (5 points each): a give's own lock is per achievement, so
    # only the level lock stands between them.
    kudos = [live.achievement(f"kudos-{i}", "award", "none") for i in range(N)]
    low = live.ok("POST", "/levels", 201, json={"name": "Low", "points": 10})["id"]
    top = live.ok("POST", "/levels", 201, json={"name": "Top", "points": 5 * N})["id"]
    # A level trigger: one firing per level reached, tied to its row.
    email = {"type": "email", "to": "addresses", "addresses": ["floor@example.com"]}
    body = {"name": "Level up", "trigger": {"type": "level"}, "action": email}
    watcher = live.ok("POST", "/notifications", 201, json=body)["id"]

    def give(achievement_id: int) -> object:
        body = {"achievement_id": achievement_id}
        return lambda http: http.post(f"/members/{ann}/awards", json=body)

    responses = live.race([give(k) for k in kudos])  # type: ignore[misc]

    assert Counter(r.status_code for r in responses) == {201: N}
    assert reached(clean_db) == {(ann, low): 1, (ann, top): 1}
    level = live.ok("GET", f"/members/{ann}/level")
    assert (level["level"]["id"], level["points"]) == (top, 5 * N)
    fired = live.ok("GET", f"/notifications/{watcher}/firings")
    assert len(fired) == 2
    assert len({f["event_level_reached_id"] for f in fired}) == 2
    assert {f["member_id"] for f in fired} == {ann}


def test_parallel_ingests_reach_each_level_once(live: Live, clean_db: Engine) -> None:
    ann = live.member("Ann")
    live.ok("POST", "/sources", 201, json=DEALS)
    body = {
        "key": "closer",
        "name": "Closer",
        "category": "award",
        "points": 5,
        "repeatable": True,
        "requirements": [[ONE_DEAL]],
    }
    closer = live.ok("POST", "/achievements", 201, json=body)["id"]
    live.ok("POST", f"/achievements/{closer}/activate")
    top = live.ok("POST", "/levels", 201, json={"name": "Top", "points": 5 * N})["id"]
    at = datetime.now(UTC).replace(microsecond=0).isoformat()

    def ingest(i: int) -> object:
        record = {
            "external_id": f"d{i}",
            "member_id": ann,
            "occurred_at": at,
            "data": {"value": 1, "stage": "won"},
        }
        return lambda http: http.post("/sources/deals/records", json=record)

    responses = live.race([ingest(i) for i in range(N)])  # type: ignore[misc]

    assert Counter(r.status_code for r in responses) == {200: N}, [r.text for r in responses]
    assert len(live.awards(closer)) == N
    assert reached(clean_db) == {(ann, top): 1}
