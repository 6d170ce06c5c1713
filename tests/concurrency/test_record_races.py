"""The same records posted at the same instant, against the real server over sockets.

On PostgreSQL two transactions that both find no record with an external_id both insert it;
the second waits on the unique index until the first commits and then fails. Ingestion must
turn that into what a client expects of a repeat: exactly one `created`, every other answer
`unchanged` (or `updated` when its data differs), and every record counted once by the
engine: the running totals afterwards equal a recomputation from the stored records with the
plain-Python rule semantics (``rules.oracle``), and the awards follow those totals.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.engine.evaluate import current_value
from plaudit.engine.store import read_progress
from plaudit.models import Award, Record
from plaudit.periods import Period, period_containing
from plaudit.rules.model import FieldType, Rule
from plaudit.rules.oracle import aggregate
from tests.concurrency.live_api import DEALS, Live
from tests.concurrency.test_category_races import now_iso, statuses

RACERS = 30
"""Concurrent posts per race: the count the issue saw answered 409 on PostgreSQL."""
FIELDS = {"value": FieldType.NUMBER, "stage": FieldType.STRING}
ZONE = ZoneInfo("UTC")  # the zone of the `settings` fixture that the live server runs with

EVERY_DEAL = [[{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}]]
"""Repeatable: one completion per deal, so the awards count the records."""
DEAL_MEASURES = [
    [
        {"source": "deals", "aggregate": "sum", "field": "value", "operator": "at_least",
         "value": 10**9},
        {"source": "deals", "aggregate": "max", "field": "value", "operator": "at_least",
         "value": 10**9},
        {"source": "deals", "aggregate": "count_distinct", "field": "stage",
         "operator": "at_least", "value": 99},
        {"source": "deals", "where": [{"field": "stage", "op": "eq", "value": "won"}],
         "aggregate": "count", "operator": "at_least", "value": 10**6},
    ]
]  # fmt: skip
"""Never met: running sums, maxima, distinct counts and filtered counts to check."""


class Deals:
    """The deals source with two active achievements over it, set up through the API."""

    def __init__(self, live: Live) -> None:
        live.ok("POST", "/sources", 201, json=DEALS)
        self.every_deal = self._activate(live, "every-deal", "none", EVERY_DEAL, repeatable=True)
        self.measures = self._activate(live, "deal-measures", "month", DEAL_MEASURES)
        self.periods = {self.every_deal: Period.none, self.measures: Period.month}
        self.rules = {self.every_deal: EVERY_DEAL, self.measures: DEAL_MEASURES}

    @staticmethod
    def _activate(
        live: Live, key: str, period: str, requirements: list[Any], *, repeatable: bool = False
    ) -> int:
        body = {
            "key": key,
            "name": key,
            "category": "award",
            "period": period,
            "points": 1,
            "repeatable": repeatable,
            "requirements": requirements,
        }
        achievement_id: int = live.ok("POST", "/achievements", 201, json=body)["id"]
        live.ok("POST", f"/achievements/{achievement_id}/activate")
        return achievement_id

    def assert_counted_once(self, engine: Engine) -> tuple[list[Record], Counter[int]]:
        """Every running total equals the totals recomputed from the stored records. Gives
        the records and the completions of the repeatable achievement per member."""
        with Session(engine) as session:
            records = list(session.scalars(select(Record).order_by(Record.id)))
            for achievement_id, requirements in self.rules.items():
                period = self.periods[achievement_id]
                by_key: dict[tuple[int, str], list[dict[str, Any]]] = {}
                for record in records:
                    key = (
                        record.member_id,
                        period_containing(record.occurred_at, period, ZONE).key,
                    )
                    by_key.setdefault(key, []).append(record.data)
                state = read_progress(session, achievement_id)
                assert set(state) == set(by_key), (achievement_id, set(state), set(by_key))
                for key, datas in by_key.items():
                    for g, group in enumerate(requirements):
                        for r, raw in enumerate(group):
                            rule = Rule.model_validate(raw)
                            expected = aggregate(rule, FIELDS, datas)
                            got = current_value(rule, state[key].get(f"{g}.{r}"))
                            assert got == expected, (achievement_id, key, raw, got, expected)
            completions = Counter(
                member_id
                for (member_id,) in session.execute(
                    select(Award.member_id).where(Award.achievement_id == self.every_deal)
                )
            )
            return records, completions

    def assert_awards_follow(self, engine: Engine) -> list[Record]:
        """Counted once, and one completion per record of each member (for records that
        never changed hands: an award is never taken back by a later change)."""
        records, completions = self.assert_counted_once(engine)
        assert completions == Counter(record.member_id for record in records)
        return records


def post(body: dict[str, Any], key: str | None = None) -> Callable[[httpx.Client], httpx.Response]:
    headers = {"Idempotency-Key": key} if key else {}
    return lambda http: http.post("/sources/deals/records", json=body, headers=headers)


def deal(external_id: str, member_id: int, at: str, value: float, stage: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "member_id": member_id,
        "occurred_at": at,
        "data": {"value": value, "stage": stage},
    }


def outcomes(responses: list[httpx.Response]) -> Counter[tuple[int, int, int]]:
    """How many answers said (created, updated, unchanged)."""
    return Counter(
        (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) for r in responses
    )


def test_identical_record_posted_at_once_is_created_once(live: Live, engine: Engine) -> None:
    deals = Deals(live)
    ann = live.member("Ann")
    body = deal("deal-1", ann, now_iso(), 1200, "won")

    responses = live.race([post(body) for _ in range(RACERS)])

    assert statuses(responses) == {200: RACERS}, [r.text for r in responses if r.status_code != 200]
    assert outcomes(responses) == {(1, 0, 0): 1, (0, 0, 1): RACERS - 1}
    given = [a for r in responses for a in r.json()["awards"]]
    assert [(a["achievement_id"], a["completion"]) for a in given] == [(deals.every_deal, 1)]
    records = deals.assert_awards_follow(engine)
    assert [(r.external_id, r.data) for r in records] == [("deal-1", body["data"])]


def test_one_record_posted_at_once_with_different_data_ends_consistent(
    live: Live, engine: Engine
) -> None:
    deals = Deals(live)
    ann, bob = live.member("Ann"), live.member("Bob")
    at = now_iso()
    bodies = [
        deal("deal-1", ann if i % 2 else bob, at, 100 + i, ["won", "lost", "open"][i % 3])
        for i in range(RACERS)
    ]

    responses = live.race([post(body) for body in bodies])

    # Each body differs from every other, so each write after the first replaces another.
    assert statuses(responses) == {200: RACERS}, [r.text for r in responses if r.status_code != 200]
    assert outcomes(responses) == {(1, 0, 0): 1, (0, 1, 0): RACERS - 1}
    records, completions = deals.assert_counted_once(engine)
    assert len(records) == 1
    final = records[0]
    assert {"member_id": final.member_id, "data": final.data} in [
        {"member_id": b["member_id"], "data": b["data"]} for b in bodies
    ]
    # The record may have moved between the members; each earned the first completion at
    # most once, and the one holding it now has it.
    assert completions[final.member_id] == 1
    assert set(completions.values()) == {1}


def test_overlapping_batches_posted_at_once_count_each_record_once(
    live: Live, engine: Engine
) -> None:
    deals = Deals(live)
    members = [live.member(f"Rep {i}") for i in range(3)]
    at = now_iso()
    shuffler = random.Random(17)
    batches = []
    for start in range(0, 8 * 20, 20):
        ids = list(range(start, start + 80))  # each batch shares 60 records with the next
        shuffler.shuffle(ids)  # in an order of its own, so the batches take locks crosswise
        batches.append(
            [deal(f"deal-{i}", members[i % 3], at, i, ["won", "lost"][i % 2]) for i in ids]
        )
    distinct = {r["external_id"] for batch in batches for r in batch}

    responses = live.race([post({"records": batch}) for batch in batches])

    assert statuses(responses) == {200: len(batches)}, [
        r.text for r in responses if r.status_code != 200
    ]
    answers = [r.json() for r in responses]
    assert sum(a["created"] for a in answers) == len(distinct)
    assert sum(a["updated"] for a in answers) == 0
    assert sum(a["created"] + a["unchanged"] for a in answers) == sum(map(len, batches))
    records = deals.assert_awards_follow(engine)
    assert {r.external_id for r in records} == distinct
    assert len(records) == len(distinct)


def test_one_idempotency_key_posted_at_once_is_answered_once(live: Live, engine: Engine) -> None:
    deals = Deals(live)
    ann = live.member("Ann")
    body = deal("deal-1", ann, now_iso(), 1200, "won")

    responses = live.race([post(body, key="key-1") for _ in range(RACERS)])

    assert statuses(responses) == {200: RACERS}, [r.text for r in responses if r.status_code != 200]
    original = [r for r in responses if "Idempotent-Replayed" not in r.headers]
    assert len(original) == 1
    assert outcomes(original) == {(1, 0, 0): 1}
    assert all(r.json() == original[0].json() for r in responses)
    assert all(
        r.headers["Idempotent-Replayed"] == "true" for r in responses if r is not original[0]
    )
    deals.assert_awards_follow(engine)


def test_one_record_under_many_idempotency_keys_is_created_once(live: Live, engine: Engine) -> None:
    deals = Deals(live)
    ann = live.member("Ann")
    body = deal("deal-1", ann, now_iso(), 1200, "won")

    responses = live.race([post(body, key=f"key-{i}") for i in range(RACERS)])

    assert statuses(responses) == {200: RACERS}, [r.text for r in responses if r.status_code != 200]
    assert outcomes(responses) == {(1, 0, 0): 1, (0, 0, 1): RACERS - 1}
    assert not any("Idempotent-Replayed" in r.headers for r in responses)
    records = deals.assert_awards_follow(engine)
    assert len(records) == 1
    # Each key now replays its own answer.
    again = live.admin.post(
        "/sources/deals/records", json=body, headers={"Idempotency-Key": "key-3"}
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == responses[3].json()
