"""Streaks over HTTP, on SQLite and PostgreSQL, in Europe/Berlin: the calendar and streak
definitions (bad input named, admins only), and members' streaks against a from-scratch
oracle (tests/streaks/oracle.py) with records ingested in random order, late ones included,
around the October DST change and local midnights."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.conftest import ADMIN_TOKEN, Api
from tests.hypothesis_profiles import examples
from tests.streaks.oracle import expected_streak

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)  # a Wednesday; DST ended on 25 October
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@pytest.fixture
def settings(database_url: str) -> Settings:  # type: ignore[no-redef]
    return Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        timezone="Europe/Berlin",
        period_closer=False,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def calls(admin: Api) -> str:
    fields = [{"name": "value", "type": "number"}]
    admin.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": fields})
    return "calls"


def sum_rule(threshold: float) -> dict[str, Any]:
    return {
        "source": "calls",
        "aggregate": "sum",
        "field": "value",
        "operator": "at_least",
        "value": threshold,
    }


EXTERNAL_IDS = itertools.count()


def post_records(admin: Api, member_id: int, records: list[tuple[datetime, float]]) -> Any:
    body = [
        {
            "external_id": f"r{next(EXTERNAL_IDS)}",
            "member_id": member_id,
            "occurred_at": at.isoformat(),
            "data": {"value": value},
        }
        for at, value in records
    ]
    return admin.ok("POST", "/sources/calls/records", 200, json={"records": body})


def streak_of(api: Api, member_id: int, streak_id: int) -> dict[str, Any]:
    answer = api.ok("GET", f"/members/{member_id}/streaks")
    return next(s for s in answer if s["streak_id"] == streak_id)


# --- the calendar ---------------------------------------------------------------------------


def test_calendar_defaults_edits_and_refusals(admin: Api, tokens: dict[str, str]) -> None:
    assert admin.ok("GET", "/calendar") == {"weekdays": WEEKDAY_NAMES[:5], "holidays": []}
    week = admin.ok("PUT", "/calendar", json={"weekdays": ["sunday", "monday", "tuesday"]})
    assert week["weekdays"] == ["monday", "tuesday", "sunday"]
    holiday = {"date": "2026-12-25", "name": "Christmas Day"}
    assert admin.ok("POST", "/calendar/holidays", 201, json=holiday) == holiday
    clash = admin.post("/calendar/holidays", json={"date": "2026-12-25", "name": "Again"})
    assert clash.status_code == 409 and clash.json()["code"] == "holiday_exists"
    assert admin.ok("GET", "/calendar")["holidays"] == [holiday]
    for bad, field in (
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": ["monday", "monday"]}, "weekdays"),
        ({"weekdays": ["funday"]}, "weekdays"),
    ):
        answer = admin.put("/calendar", json=bad)
        assert answer.status_code == 422, answer.text
        assert any(field in e["field"] for e in answer.json()["errors"]), answer.text
    for bad in ({"date": "25.12.2026", "name": "x"}, {"date": 1766620800, "name": "x"}):
        answer = admin.post("/calendar/holidays", json=bad)
        assert answer.status_code == 422, answer.text
        assert any("date" in e["field"] for e in answer.json()["errors"]), answer.text
    manager = admin.as_token(tokens["manager"])
    assert manager.put("/calendar", json={"weekdays": ["monday"]}).status_code == 403
    assert manager.get("/calendar").status_code == 200
    assert admin.delete("/calendar/holidays/2026-12-25").status_code == 204
    assert admin.delete("/calendar/holidays/2026-12-25").status_code == 404
    assert admin.ok("GET", "/calendar")["holidays"] == []


# --- streak definitions ---------------------------------------------------------------------


def test_streak_definitions_crud_and_bad_input(admin: Api, calls: str) -> None:
    body = {"name": "Ten calls a week", "rule": sum_rule(10), "period": "week", "target": 5}
    made = admin.ok("POST", "/streaks", 201, json=body)
    assert (made["period"], made["target"], made["freezes"]) == ("week", 5, 0)
    assert made["rule"]["source"] == "calls"
    assert admin.post("/streaks", json=body).status_code == 409
    unknown = admin.post(
        "/streaks", json={**body, "name": "x", "rule": {**sum_rule(1), "source": "nope"}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.rule.source"
    bad_field = {**sum_rule(1), "field": "missing"}
    answer = admin.post("/streaks", json={**body, "name": "y", "rule": bad_field})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"].startswith("body.rule")
    for bad in ({"target": 0}, {"target": True}, {"freezes": -1}, {"period": "year"}):
        answer = admin.post("/streaks", json={**body, "name": "z", **bad})
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["errors"][0]["field"] == f"body.{next(iter(bad))}"
    changed = admin.ok("PATCH", f"/streaks/{made['id']}", json={"freezes": 2, "period": "month"})
    assert (changed["freezes"], changed["period"], changed["name"]) == (2, "month", body["name"])
    assert admin.patch(f"/streaks/{made['id']}", json={"target": None}).status_code == 422
    assert [s["id"] for s in admin.ok("GET", "/streaks")] == [made["id"]]
    assert admin.delete(f"/streaks/{made['id']}").status_code == 204
    assert admin.get(f"/streaks/{made['id']}").status_code == 404
    assert admin.ok("GET", "/streaks") == []


# --- members' streaks -----------------------------------------------------------------------


def test_member_reads_own_streaks_only(admin: Api, tokens: dict[str, str], calls: str) -> None:
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={"name": "Daily", "rule": sum_rule(1), "period": "day", "target": 3},
    )
    me = int(tokens["member_id"])
    other = admin.ok("POST", "/members", 201, json={"name": "Other"})["id"]
    post_records(admin, me, [(NOW - timedelta(days=n), 1) for n in range(3)])  # Mon..Wed
    member = admin.as_token(tokens["member"])
    mine = streak_of(member, me, streak["id"])
    assert (mine["current"], mine["longest"], mine["reached"], mine["at_risk"]) == (
        3,
        3,
        True,
        False,
    )
    assert mine["last_met_period"] == "2026-11-18"
    assert member.get(f"/members/{other}/streaks").status_code == 403
    assert admin.get("/members/999999/streaks").status_code == 404


def test_holidays_change_the_answer(admin: Api, calls: str) -> None:
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={"name": "Daily", "rule": sum_rule(1), "period": "day", "target": 5},
    )
    member = admin.ok("POST", "/members", 201, json={"name": "Ada"})["id"]
    # Thu 12, Mon 16, Tue 17, Wed 18 met; Fri 13 missed.
    post_records(admin, member, [(NOW - timedelta(days=n), 2) for n in (6, 2, 1, 0)])
    assert streak_of(admin, member, streak["id"])["current"] == 3
    admin.ok("POST", "/calendar/holidays", 201, json={"date": "2026-11-13", "name": "Bridge day"})
    assert streak_of(admin, member, streak["id"])["current"] == 4
    admin.ok("PUT", "/calendar", json={"weekdays": ["monday", "tuesday", "wednesday"]})
    assert streak_of(admin, member, streak["id"])["current"] == 3  # Thursday 12 is not counted
    admin.ok("DELETE", "/calendar/holidays/2026-11-13", 204)
    assert streak_of(admin, member, streak["id"])["current"] == 3


def test_a_late_record_repairs_a_weekly_streak(admin: Api, calls: str) -> None:
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={"name": "Weekly", "rule": sum_rule(3), "period": "week", "target": 4},
    )
    member = admin.ok("POST", "/members", 201, json={"name": "Bo"})["id"]
    post_records(admin, member, [(NOW - timedelta(weeks=n), 3) for n in (0, 1, 3)])
    assert streak_of(admin, member, streak["id"])["current"] == 2
    # Sunday 8 November 23:30 Berlin (22:30 UTC) is still in the week of 2 November.
    post_records(admin, member, [(datetime(2026, 11, 8, 22, 30, tzinfo=UTC), 3)])
    state = streak_of(admin, member, streak["id"])
    assert (state["current"], state["longest"], state["reached"]) == (4, 4, True)


def test_dst_day_local_midnights(admin: Api, calls: str) -> None:
    """25 October 2026 lasts 25 hours in Berlin: 22:30 UTC on the 24th is the 25th (CEST),
    23:30 UTC on the 25th is the 26th (CET)."""
    admin.ok("PUT", "/calendar", json={"weekdays": WEEKDAY_NAMES})
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={"name": "Daily", "rule": sum_rule(1), "period": "day", "target": 2},
    )
    member = admin.ok("POST", "/members", 201, json={"name": "Cy"})["id"]
    records = [
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 1.0),  # Sun 25 local
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), 1.0),  # Mon 26 local
    ]
    post_records(admin, member, records)
    state = streak_of(admin, member, streak["id"])
    assert (state["longest"], state["last_met_period"]) == (2, "2026-10-26")


# --- the property ---------------------------------------------------------------------------

UTC_TIMES = [
    time(0, 0),
    time(0, 30),
    time(12, 0),
    time(21, 59, 59),
    time(22, 0),
    time(22, 30),
    time(22, 59, 59),
    time(23, 0),
    time(23, 30),
    time(23, 59, 59),
]
"""Local midnight in Berlin is 22:00 UTC in summer time and 23:00 UTC in winter time."""
FIRST = date(2026, 10, 1)
SPAN = (NOW.date() - FIRST).days

records_strategy = st.lists(
    st.tuples(st.integers(0, SPAN), st.sampled_from(UTC_TIMES), st.integers(1, 4)).map(
        lambda t: (datetime.combine(FIRST + timedelta(days=t[0]), t[1], tzinfo=UTC), float(t[2]))
    ),
    max_size=40,
)


def test_streaks_agree_with_the_oracle(admin: Api, calls: str) -> None:
    counter = itertools.count()

    @hypothesis_settings(
        max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        records=records_strategy,
        kind=st.sampled_from(["day", "week", "month"]),
        threshold=st.integers(1, 6),
        freezes=st.integers(0, 2),
        weekdays=st.sets(st.integers(1, 7), min_size=1),
        holidays=st.sets(st.integers(0, SPAN), max_size=4),
        seed=st.integers(0, 2**16),
        split=st.floats(0, 1),
    )
    def check(
        records: list[tuple[datetime, float]],
        kind: str,
        threshold: int,
        freezes: int,
        weekdays: set[int],
        holidays: set[int],
        seed: int,
        split: float,
    ) -> None:
        n = next(counter)
        holiday_dates = {FIRST + timedelta(days=d) for d in holidays}
        admin.ok("PUT", "/calendar", json={"weekdays": [WEEKDAY_NAMES[d - 1] for d in weekdays]})
        for day in admin.ok("GET", "/calendar")["holidays"]:
            admin.ok("DELETE", f"/calendar/holidays/{day['date']}", 204)
        for day in sorted(holiday_dates):
            admin.ok("POST", "/calendar/holidays", 201, json={"date": day.isoformat(), "name": "H"})
        streak = admin.ok(
            "POST",
            "/streaks",
            201,
            json={
                "name": f"s{n}",
                "rule": sum_rule(threshold),
                "period": kind,
                "target": 3,
                "freezes": freezes,
            },
        )
        member = admin.ok("POST", "/members", 201, json={"name": f"m{n}"})["id"]
        shuffled = list(records)
        random.Random(seed).shuffle(shuffled)  # late records: any order of event times
        cut = int(len(shuffled) * split)
        for sent, fresh in ((shuffled[:cut], shuffled[:cut]), (shuffled, shuffled[cut:])):
            if fresh:
                post_records(admin, member, fresh)
            got = streak_of(admin, member, streak["id"])
            want = expected_streak(
                sent,
                zone=BERLIN,
                now=NOW,
                kind=kind,
                threshold=threshold,
                freezes=freezes,
                weekdays=weekdays,
                holidays=holiday_dates,
            )
            assert (got["current"], got["longest"], got["freezes_used"], got["at_risk"]) == (
                want.current,
                want.longest,
                want.freezes_used,
                want.at_risk,
            ), (got, want)
            assert got["last_met_period"] == (want.last_met.isoformat() if want.last_met else None)
            assert got["freezes_left"] == freezes - want.freezes_used
            assert got["reached"] == (want.current >= 3)

    check()


# --- streak achievements --------------------------------------------------------------------


def awards_of(admin: Api, member_id: int, achievement_id: int) -> list[dict[str, Any]]:
    return [
        a
        for a in admin.ok("GET", "/awards", params={"member_id": member_id})
        if a["achievement_id"] == achievement_id
    ]


@pytest.mark.parametrize("bulk", [False, True])
def test_a_streak_achievement_is_given_exactly_once(admin: Api, calls: str, bulk: bool) -> None:
    kudos = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "streaker", "name": "Four weeks running", "category": "award", "points": 7},
    )
    admin.ok("POST", f"/achievements/{kudos['id']}/activate", 200)
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={
            "name": "Weekly",
            "rule": sum_rule(3),
            "period": "week",
            "target": 4,
            "achievement_id": kudos["id"],
        },
    )
    assert streak["achievement_id"] == kudos["id"]
    member = admin.ok("POST", "/members", 201, json={"name": "Dee"})["id"]
    filler = 70 if bulk else 0  # 64 changes or more take the engine's set-based path
    padding = [(NOW - timedelta(weeks=20, minutes=n), 0.0) for n in range(filler)]
    post_records(admin, member, [(NOW - timedelta(weeks=n), 3) for n in (0, 1, 3)] + padding)
    assert awards_of(admin, member, kudos["id"]) == []
    why = admin.ok("GET", f"/members/{member}/achievements/{kudos['id']}/explain")
    assert "streak 'Weekly' gives it at 4 weeks in a row: now 2 of 4 weeks in a row" in " ".join(
        why["reasons"]
    )
    # The late record for the week of 2 November completes four weeks in a row.
    answer = post_records(admin, member, [(datetime(2026, 11, 8, 22, 30, tzinfo=UTC), 3)])
    given = awards_of(admin, member, kudos["id"])
    assert len(given) == 1 and given[0]["points"] == 7 and not given[0]["revoked"]
    assert [a["id"] for a in answer["awards"]] == [given[0]["id"]]  # in the record's request
    # Its origin says a streak gave it, everywhere an origin shows; it counts as any award.
    assert (given[0]["source"], given[0]["given_by"]) == ("streak", f"streak:{streak['id']}")
    by_origin = {
        origin: [a["id"] for a in admin.ok("GET", "/awards", params={"source": origin})]
        for origin in ("streak", "manual", "rule")
    }
    assert by_origin == {"streak": [given[0]["id"]], "manual": [], "rule": []}
    csv = admin.get("/exports/awards.csv", params={"source": "streak"})
    assert csv.status_code == 200 and len(csv.text.splitlines()) == 2
    assert ",streak,streak:" in csv.text
    assert admin.ok("GET", f"/members/{member}/achievements")["points"] == 7
    # More records keep the run at four or more: never a second award.
    post_records(admin, member, [(NOW - timedelta(weeks=4), 5), (NOW, 1)])
    assert len(awards_of(admin, member, kudos["id"])) == 1
    state = streak_of(admin, member, streak["id"])
    assert (state["current"], state["reached"]) == (5, True)


def test_streak_achievement_must_exist(admin: Api, calls: str) -> None:
    body = {"name": "W", "rule": sum_rule(1), "target": 2, "achievement_id": 999}
    answer = admin.post("/streaks", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "body.achievement_id"


def test_streak_changes_take_effect_on_the_next_ingest(admin: Api, calls: str) -> None:
    """The streaks that give achievements are cached per engine generation: an ingest before
    a change fills the cache, and the change (a new streak, an achievement activated, a streak
    pointed at another achievement, a streak deleted) must show on the very next ingest."""
    first, second = (
        admin.ok(
            "POST",
            "/achievements",
            201,
            json={"key": key, "name": key, "category": "award", "points": 1},
        )
        for key in ("cached-a", "cached-b")
    )
    admin.ok("POST", f"/achievements/{first['id']}/activate", 200)
    members = iter(
        admin.ok("POST", "/members", 201, json={"name": f"M{n}"})["id"] for n in range(6)
    )

    def two_days(member_id: int) -> None:
        post_records(admin, member_id, [(NOW - timedelta(days=n), 2) for n in (0, 1)])

    def holds(member_id: int, achievement_id: int) -> bool:
        return len(awards_of(admin, member_id, achievement_id)) == 1

    before = next(members)
    two_days(before)  # no streak yet: nothing given, the (empty) cache is filled
    assert not holds(before, first["id"])
    body = {"name": "Daily", "rule": sum_rule(1), "period": "day", "target": 2}
    streak = admin.ok("POST", "/streaks", 201, json=body | {"achievement_id": first["id"]})
    created = next(members)
    two_days(created)
    assert holds(created, first["id"])
    # Pointed at an inactive achievement: nothing given; activating it gives on the next ingest.
    admin.ok("PATCH", f"/streaks/{streak['id']}", 200, json={"achievement_id": second["id"]})
    inactive = next(members)
    two_days(inactive)
    assert not holds(inactive, second["id"]) and not holds(inactive, first["id"])
    admin.ok("POST", f"/achievements/{second['id']}/activate", 200)
    activated = next(members)
    two_days(activated)
    assert holds(activated, second["id"])
    admin.ok("POST", f"/achievements/{second['id']}/deactivate", 200)
    deactivated = next(members)
    two_days(deactivated)
    assert not holds(deactivated, second["id"])
    admin.ok("POST", f"/achievements/{second['id']}/activate", 200)
    admin.ok("DELETE", f"/streaks/{streak['id']}", 204)
    deleted = next(members)
    two_days(deleted)
    assert not holds(deleted, second["id"])
