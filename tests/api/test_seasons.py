"""Seasons on leaderboards (issue 22, item 6): when a period of a seasonal board ends, the period
closer archives its final standings and gives its season awards, once. On SQLite and
PostgreSQL, in the organisation zone Europe/Berlin.

The seasons are closed here by calling the closing work itself at chosen instants (the period
closer of `plaudit serve` and `plaudit close-periods` run the same function on their clock;
tests/concurrency/test_season_closers.py runs two real processes).
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.leaderboard.season.closing import close_seasons
from plaudit.periods import parse_zone
from tests.api.test_awards import make_achievement, make_member
from tests.api.test_errors import bad_fields, problem
from tests.conftest import ADMIN_TOKEN, Api
from tests.engine.helpers import seed_sources
from tests.hypothesis_profiles import examples

BERLIN = parse_zone("Europe/Berlin")
APPROVED = [{"field": "status", "op": "eq", "value": "Approved"}]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        timezone="Europe/Berlin",
        period_closer=False,
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def close(engine: Engine, now: datetime | str) -> list[int]:
    """One run of the seasons' closing work at `now`, in its own transaction."""
    at = utc(now) if isinstance(now, str) else now
    with unit_of_work(build_sessionmaker(engine)) as session:
        return close_seasons(session, now=at, zone=BERLIN)


def board(admin: Api, name: str = "Calls", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "measure": {"source": "calls"},
        "period": "week",
        "seasonal": True,
        **extra,
    }
    created: dict[str, Any] = admin.ok("POST", "/leaderboard/boards", 201, json=body)
    return created


def call(admin: Api, member_id: int, at: str, **data: Any) -> None:
    body = {"member_id": member_id, "occurred_at": at, "data": data}
    admin.ok("POST", "/sources/calls/records", 200, json=body)


def seasons(admin: Api, query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/leaderboard/seasons?{query}")["seasons"]
    return found


def standings(season: dict[str, Any]) -> list[tuple[int, str, float]]:
    return [(r["rank"], r["member"]["name"], r["score"]) for r in season["standings"]]


def test_a_week_that_contains_the_spring_dst_switch_ends_at_local_midnight(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    """Monday 23 March to Monday 30 March 2026 in Berlin lasts 167 hours (clocks go forward on
    the 29th): the season ends at 22:00 UTC on the 29th, not 23:00."""
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    clock.now = utc("2026-03-25T12:00:00+00:00")
    weekly = board(admin)
    clock.now = utc("2026-04-02T12:00:00+00:00")
    call(admin, ann["id"], "2026-03-29T23:59:59+02:00")  # Sunday, last second of the week
    call(admin, bob["id"], "2026-03-30T00:00:00+02:00")  # Monday: the next week
    call(admin, bob["id"], "2026-03-22T23:59:59+01:00")  # Sunday before: the week before
    assert close(clean_db, "2026-03-29T21:59:59+00:00") == []  # 23:59:59 CEST: not over
    [season_id] = close(clean_db, "2026-03-29T22:00:00+00:00")
    [season] = seasons(admin, f"board={weekly['id']}")
    assert season["id"] == season_id
    assert (season["period"], season["period_key"]) == ("week", "2026-03-23")
    assert season["period_start"] == "2026-03-22T23:00:00+00:00"
    assert season["period_end"] == "2026-03-29T22:00:00+00:00"
    assert utc(season["period_end"]) - utc(season["period_start"]) == timedelta(hours=167)
    assert standings(season) == [(1, "Ann", 1.0)]
    assert season["measure"] == "count(calls.*)"
    assert season["closed_at"] == "2026-03-29T22:00:00+00:00"
    # The week after ends on Monday 6 April, local midnight at 22:00 UTC too.
    assert close(clean_db, "2026-04-05T21:59:00+00:00") == []
    assert len(close(clean_db, "2026-04-05T22:00:00+00:00")) == 1
    newest = seasons(admin, "period=week")[0]
    assert newest["period_start"] == "2026-03-29T22:00:00+00:00"
    assert standings(newest) == [(1, "Bob", 1.0)]


def test_a_month_that_contains_the_autumn_dst_switch_ends_at_local_midnight(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    """October 2026 in Berlin starts at 22:00 UTC (CEST) and ends at 23:00 UTC (CET)."""
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    clock.now = utc("2026-10-10T12:00:00+00:00")
    monthly = board(admin, "Monthly calls", period="month")
    clock.now = utc("2026-11-03T12:00:00+00:00")
    call(admin, ann["id"], "2026-10-01T00:00:00+02:00")  # first instant of October
    call(admin, bob["id"], "2026-09-30T23:59:59+02:00")  # September
    call(admin, bob["id"], "2026-10-31T23:30:00+01:00")  # last half hour of October (CET)
    call(admin, bob["id"], "2026-11-01T00:00:00+01:00")  # November
    call(admin, bob["id"], "2026-10-25T02:30:00+01:00")  # the repeated hour, second time
    assert close(clean_db, "2026-10-31T22:59:59+00:00") == []
    assert len(close(clean_db, "2026-10-31T23:00:00+00:00")) == 1
    [season] = seasons(admin, f"board={monthly['id']}")
    assert season["period_start"] == "2026-09-30T22:00:00+00:00"
    assert season["period_end"] == "2026-10-31T23:00:00+00:00"
    assert standings(season) == [(1, "Bob", 2.0), (2, "Ann", 1.0)]


def test_ties_share_a_rank_and_the_top_n_get_the_season_awards_through_the_categories(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    """Ann and Bob tie for first: both rank 1, Cat ranks 3. Top 3 all get the membership; the
    record (one holder per period) goes to the first of the tied as listed (Ann), and Bob's is
    archived as refused, with the category's reason."""
    seed_sources(admin)
    names = ["Bob", "Ann", "Cat", "Dan", "Eve"]
    people = {n: make_member(admin, n)["id"] for n in names}
    champion = make_achievement(admin, "champion", "record", "month", points=50)
    podium = make_achievement(admin, "podium", "membership", "month", points=5)
    clock.now = utc("2026-11-02T09:00:00+00:00")
    monthly = board(
        admin,
        "November calls",
        period="month",
        season_awards=[
            {"top": 3, "achievement_id": podium["id"]},
            {"top": 1, "achievement_id": champion["id"]},
        ],
    )
    clock.now = utc("2026-11-20T09:00:00+00:00")
    for name, count in {"Ann": 3, "Bob": 3, "Cat": 2, "Dan": 1}.items():
        for i in range(count):
            call(admin, people[name], f"2026-11-0{i + 1}T10:00:00+01:00")
    close(clean_db, "2026-11-30T23:00:00+00:00")
    [season] = seasons(admin, "period=month")
    assert standings(season) == [(1, "Ann", 3.0), (1, "Bob", 3.0), (3, "Cat", 2.0), (4, "Dan", 1.0)]
    got = [(a["top"], a["achievement_name"], a["member_name"]) for a in season["awards"]]
    assert got == [
        (1, "Champion", "Ann"),
        (1, "Champion", "Bob"),
        (3, "Podium", "Ann"),
        (3, "Podium", "Bob"),
        (3, "Podium", "Cat"),
    ]
    refused = {a["member_name"]: a["refused"] for a in season["awards"]}
    assert refused["Ann"] is None and refused["Cat"] is None
    bob_record = season["awards"][1]
    assert bob_record["award_id"] is None
    assert "record" in bob_record["refused"] and "Ann already holds it" in bob_record["refused"]
    given = admin.ok("GET", f"/awards?achievement_id={champion['id']}")
    assert [(a["member_id"], a["period_start"]) for a in given] == [
        (people["Ann"], "2026-10-31T23:00:00+00:00")
    ]
    assert given[0]["id"] == season["awards"][0]["award_id"]
    assert (given[0]["source"], given[0]["given_by"]) == ("season", f"season:{monthly['id']}")
    from_seasons = admin.ok("GET", "/awards", params={"source": "season"})
    assert sorted(a["id"] for a in from_seasons) == sorted(
        a["award_id"] for a in season["awards"] if a["award_id"] is not None
    )
    assert admin.ok("GET", "/awards", params={"source": "manual"}) == []
    # Points count as any award's: Ann holds the champion's 50 and the podium's 5.
    assert admin.ok("GET", f"/members/{people['Ann']}/achievements")["points"] == 55
    holders = admin.ok("GET", f"/awards?achievement_id={podium['id']}")
    assert sorted(a["member_id"] for a in holders) == sorted(
        people[n] for n in ("Ann", "Bob", "Cat")
    )
    assert {a["period_end"] for a in holders} == {"2026-11-30T23:00:00+00:00"}
    # A second run, and a later one, give nothing again.
    assert close(clean_db, "2026-11-30T23:00:00+00:00") == []
    assert close(clean_db, "2026-12-01T10:00:00+00:00") == []
    assert len(admin.ok("GET", f"/awards?achievement_id={podium['id']}")) == 3
    assert len(seasons(admin, f"board={monthly['id']}")) == 1


def test_an_empty_period_is_archived_with_no_standings_and_no_awards(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    make_member(admin, "Ann")
    podium = make_achievement(admin, "podium", "membership", "week")
    clock.now = utc("2026-11-18T12:00:00+00:00")
    weekly = board(admin, season_awards=[{"top": 3, "achievement_id": podium["id"]}])
    ids = close(clean_db, "2026-12-07T00:00:00+00:00")  # weeks of 16, 23 and 30 November
    assert len(ids) == 3
    archived = seasons(admin, f"board={weekly['id']}")
    assert [s["period_key"] for s in archived] == ["2026-11-30", "2026-11-23", "2026-11-16"]
    assert all(s["standings"] == [] and s["awards"] == [] for s in archived)
    assert admin.ok("GET", f"/awards?achievement_id={podium['id']}") == []


def test_the_archive_is_the_standings_at_closing_late_records_do_not_change_it(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    clock.now = utc("2026-11-18T12:00:00+00:00")
    weekly = board(admin)
    call(admin, ann["id"], "2026-11-18T10:00:00+01:00")
    close(clean_db, "2026-11-22T23:00:00+00:00")
    clock.now = utc("2026-11-24T12:00:00+00:00")
    for _ in range(3):  # arrive after closing, for a time inside the archived week
        call(admin, bob["id"], "2026-11-20T10:00:00+01:00")
    live = admin.ok("GET", f"/leaderboard?board={weekly['id']}&at=2026-11-20T10:00:00%2B01:00")
    assert [(r["member"]["name"], r["score"]) for r in live["rows"]] == [("Bob", 3), ("Ann", 1)]
    [season] = seasons(admin, f"board={weekly['id']}")
    assert standings(season) == [(1, "Ann", 1.0)]


def test_a_points_board_counts_the_awards_of_the_period_and_its_team(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    north = admin.ok("POST", "/teams", 201, json={"name": "North"})
    south = admin.ok("POST", "/teams", 201, json={"name": "South"})
    ann = make_member(admin, "Ann", team_id=north["id"])
    bob = make_member(admin, "Bob", team_id=north["id"])
    cat = make_member(admin, "Cat", team_id=south["id"])
    star = make_achievement(admin, "star", "award", "none", points=30)
    clock.now = utc("2026-11-10T12:00:00+00:00")
    points = admin.ok(
        "POST",
        "/leaderboard/boards",
        201,
        json={"name": "North points", "period": "month", "team_id": north["id"], "seasonal": True},
    )
    for member in (ann, cat):
        admin.ok(
            "POST", f"/members/{member['id']}/awards", 201, json={"achievement_id": star["id"]}
        )
    clock.now = utc("2026-12-03T12:00:00+00:00")  # given in December: not November's
    admin.ok("POST", f"/members/{bob['id']}/awards", 201, json={"achievement_id": star["id"]})
    close(clean_db, "2026-12-03T12:00:00+00:00")
    [season] = seasons(admin, f"period=month&team_id={north['id']}&measure=points")
    assert season["board"] == {"id": points["id"], "name": "North points"}
    assert (season["measure"], season["team_id"]) == ("points", north["id"])
    assert standings(season) == [(1, "Ann", 30.0)]
    assert seasons(admin, f"period=month&team_id={south['id']}") == []
    assert seasons(admin, "period=month&measure=count(calls.*)") == []


def test_two_closers_at_the_same_moment_archive_and_award_once(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    """Two threads, each its own connection and transaction, close the same seasons at once:
    the board row lock (SQLite: one writer) lets one archive and the other find nothing."""
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    podium = make_achievement(admin, "podium", "membership", "week")
    clock.now = utc("2026-11-02T12:00:00+00:00")
    boards = [
        board(admin, f"Calls {i}", season_awards=[{"top": 2, "achievement_id": podium["id"]}])
        for i in range(3)
    ]
    clock.now = utc("2026-11-23T12:00:00+00:00")
    call(admin, ann["id"], "2026-11-03T10:00:00+01:00")
    call(admin, bob["id"], "2026-11-04T10:00:00+01:00")
    barrier = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def closer() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(close(clean_db, "2026-11-23T12:00:00+00:00"))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=closer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 9]  # 3 boards x 3 weeks, by one closer
    archived = seasons(admin, "period=week&rows=10")
    assert len(archived) == 9
    assert {s["board"]["id"] for s in archived} == {b["id"] for b in boards}
    # One podium per member and week: the first board gave it, the next two were refused.
    awards = admin.ok("GET", f"/awards?achievement_id={podium['id']}")
    assert sorted((a["member_id"], a["period_start"]) for a in awards) == sorted(
        [(ann["id"], "2026-11-01T23:00:00+00:00"), (bob["id"], "2026-11-01T23:00:00+00:00")]
    )
    given = [a for s in archived for a in s["awards"] if a["award_id"] is not None]
    assert len(given) == 2


def test_the_board_checks_what_makes_a_season(admin: Api) -> None:
    seed_sources(admin)
    body = {"name": "Daily", "period": "day", "seasonal": True}
    assert bad_fields(problem(admin.post("/leaderboard/boards", json=body), 422)) == {"body.period"}
    body = {"name": "Awards only", "season_awards": [{"top": 1, "achievement_id": 1}]}
    answer = problem(admin.post("/leaderboard/boards", json=body), 422)
    assert bad_fields(answer) == {"body.season_awards"}
    body = {
        "name": "Unknown",
        "seasonal": True,
        "season_awards": [{"top": 1, "achievement_id": 99}],
    }
    assert bad_fields(problem(admin.post("/leaderboard/boards", json=body), 422)) == {
        "body.season_awards.0.achievement_id"
    }
    body = {"name": "Zero", "seasonal": True, "season_awards": [{"top": 0, "achievement_id": 1}]}
    assert "body.season_awards.0.top" in bad_fields(
        problem(admin.post("/leaderboard/boards", json=body), 422)
    )
    weekly = board(admin)
    assert weekly["seasonal"] is True and weekly["season_awards"] == []
    answer = problem(
        admin.patch(f"/leaderboard/boards/{weekly['id']}", json={"period": "none"}), 422
    )
    assert bad_fields(answer) == {"body.period"}
    assert admin.ok("GET", f"/leaderboard/boards/{weekly['id']}")["period"] == "week"
    answer = problem(
        admin.patch(f"/leaderboard/boards/{weekly['id']}", json={"seasonal": None}), 422
    )
    assert bad_fields(answer) == {"body.seasonal"}


def test_the_seasons_query_is_checked_and_members_see_published_boards_only(
    admin: Api, tokens: dict[str, str], clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    clock.now = utc("2026-11-10T12:00:00+00:00")
    hidden = board(admin, "Hidden")
    shown = board(admin, "Shown", published=True)
    close(clean_db, "2026-11-17T00:00:00+00:00")
    assert admin.ok("GET", "/leaderboard/seasons")["total"] == 2  # every board's
    assert bad_fields(problem(admin.get("/leaderboard/seasons?period=day"), 422)) == {
        "query.period"
    }
    assert bad_fields(problem(admin.get("/leaderboard/seasons?period=week&limit=0"), 422)) == {
        "query.limit"
    }
    problem(admin.get("/leaderboard/seasons?board=999"), 404)
    problem(admin.get("/leaderboard/seasons?period=week&team_id=999"), 404)
    page = admin.ok("GET", "/leaderboard/seasons?period=week&limit=1")
    assert (page["total"], len(page["seasons"]), page["limit"]) == (2, 1, 1)
    second = admin.ok("GET", "/leaderboard/seasons?period=week&limit=1&offset=1")["seasons"]
    assert {page["seasons"][0]["board"]["id"], second[0]["board"]["id"]} == {
        hidden["id"],
        shown["id"],
    }
    member = admin.as_token(tokens["member"])
    assert [s["board"]["id"] for s in seasons(member, "period=week")] == [shown["id"]]
    problem(member.get(f"/leaderboard/seasons?board={hidden['id']}"), 403)
    assert len(seasons(member, f"board={shown['id']}")) == 1
    problem(admin.as_token(tokens["ingest"]).get("/leaderboard/seasons?period=week"), 403)


def _oracle(
    rows: list[tuple[int, int, str, int]], names: list[str], start: datetime, end: datetime
) -> list[tuple[int, str, float]]:
    """From scratch: sum of approved values in [start, end) per member who has one; a rank is
    one more than the number of members scoring strictly more."""
    totals: dict[int, float] = {}
    for member, minutes, status, value in rows:
        at = ORACLE_ORIGIN + timedelta(minutes=minutes)
        if status == "Approved" and start <= at < end:
            totals[member] = totals.get(member, 0.0) + value
    ranked = [
        (1 + sum(1 for other in totals.values() if other > score), names[m], score)
        for m, score in totals.items()
    ]
    return sorted(ranked, key=lambda r: (r[0], r[1].casefold()))


TEAM_NUMBERS = itertools.count(1)
ORACLE_ORIGIN = utc("2026-10-24T12:00:00+00:00")  # Saturday before the autumn switch
ORACLE_NAMES = ["Ann", "bob", "Cem", "dana"]
oracle_rows = st.lists(
    st.tuples(
        st.integers(0, len(ORACLE_NAMES) - 1),
        st.integers(0, 60 * 24 * 12),  # minutes after the origin: both weeks and the edges
        st.sampled_from(["Approved", "Pending"]),
        st.integers(-5, 20),
    ),
    max_size=14,
)


@hypothesis_settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=oracle_rows)
def test_archived_standings_equal_a_recomputation_from_scratch(
    admin: Api, clean_db: Engine, clock: FixedClock, rows: list[tuple[int, int, str, int]]
) -> None:
    """Each example: a team of its own, a seasonal weekly board of `sum(deals.value) where
    status eq "Approved"` over that team, records around the week boundaries (one of them a
    DST switch), closed; every archived week equals the oracle's standings."""
    if admin.get("/sources/deals").status_code == 404:
        seed_sources(admin)
    team = admin.ok("POST", "/teams", 201, json={"name": f"Team {next(TEAM_NUMBERS)}"})
    ids = [make_member(admin, n, team_id=team["id"])["id"] for n in ORACLE_NAMES]
    clock.now = ORACLE_ORIGIN
    weekly = board(
        admin,
        f"Board {team['id']}",
        team_id=team["id"],
        measure={"source": "deals", "aggregate": "sum", "field": "value", "where": APPROVED},
    )
    clock.now = ORACLE_ORIGIN + timedelta(days=20)
    if rows:
        records = [
            {
                "member_id": ids[m],
                "occurred_at": (ORACLE_ORIGIN + timedelta(minutes=minutes)).isoformat(),
                "data": {"status": status, "value": value},
            }
            for m, minutes, status, value in rows
        ]
        admin.ok("POST", "/sources/deals/records", 200, json={"records": records})
    close(clean_db, ORACLE_ORIGIN + timedelta(days=14))
    archived = seasons(admin, f"board={weekly['id']}&rows=100")
    assert [s["period_key"] for s in archived] == ["2026-10-26", "2026-10-19"]
    for season in archived:
        start, end = utc(season["period_start"]), utc(season["period_end"])
        names = dict(enumerate(ORACLE_NAMES))
        assert standings(season) == _oracle(rows, list(names.values()), start, end)
