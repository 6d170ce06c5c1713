"""Rules with an upper bound (at most, less than, exactly) are decided when their period ends:
records that arrive later in the period could still break them. On SQLite and PostgreSQL.

The conftest clock stands at Wednesday 2026-11-18 13:00 UTC; the zone is UTC.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plaudit.app import create_app
from plaudit.cli.main import app as cli_app
from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.engine.closing import close_periods, periods_closing_between
from plaudit.engine.compiled import CompiledAchievement
from plaudit.models import Award, PeriodClosing
from plaudit.periods import Period, parse_zone, period_containing
from plaudit.rules.model import Rule
from tests.api.test_awards import make_member
from tests.conftest import ADMIN_TOKEN, Api
from tests.engine.helpers import achievement, record, seed_sources
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

ONE_CALL = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 1}
AT_MOST_ONE_LOST = {
    "source": "calls",
    "where": [{"field": "outcome", "op": "eq", "value": "lost"}],
    "aggregate": "count",
    "operator": "at_most",
    "value": 1,
}
CLEAN_MONTH = [[ONE_CALL, AT_MOST_ONE_LOST]]
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


def close(engine: Engine, now: datetime) -> list[int]:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return close_periods(session, now=now, zone=parse_zone("UTC"))


def awards_of(admin: Api, achievement_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/awards?achievement_id={achievement_id}")
    return found


def test_a_month_with_an_upper_bound_is_decided_when_it_ends(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin), make_member(admin)
    clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month", points=7)
    # Met so far, but a second lost call later in November would break it: nothing yet.
    assert record(admin, "calls", ann["id"], outcome="won")["awards"] == []
    assert record(admin, "calls", ann["id"], outcome="lost")["awards"] == []
    for _ in range(2):
        record(admin, "calls", bob["id"], outcome="lost")
    assert awards_of(admin, clean["id"]) == []
    assert close(clean_db, clock.now) == []  # November is not over

    why = admin.ok("GET", f"/members/{ann['id']}/achievements/{clean['id']}/explain")
    assert (why["complete"], why["groups_met"], why["groups_waiting"]) == (False, [False], [True])
    assert why["decided_at"] == "2026-12-01T00:00:00+00:00"
    assert any("decided when the period ends" in r for r in why["reasons"])
    assert admin.ok("POST", f"/achievements/{clean['id']}/preview")["count"] == 0
    [tile] = admin.ok("GET", f"/members/{ann['id']}/achievements")["achievements"]
    assert (tile["complete"], tile["decided_at"]) == (False, "2026-12-01T00:00:00+00:00")
    assert [p["met"] for p in tile["progress"]] == [True, True]

    clock.now = DECEMBER + timedelta(minutes=5)
    new = close(clean_db, clock.now)
    [award] = awards_of(admin, clean["id"])
    assert new == [award["id"]]
    assert award["member_id"] == ann["id"]  # Bob lost twice
    assert (award["period_start"], award["period_end"], award["points"]) == (
        "2026-11-01T00:00:00+00:00",
        "2026-12-01T00:00:00+00:00",
        7,
    )
    assert award["awarded_at"] == clock.now.isoformat()
    assert close(clean_db, clock.now + timedelta(hours=1)) == []  # each period once
    [tile] = admin.ok("GET", f"/members/{ann['id']}/achievements")["achievements"]
    assert tile["completions"] == 1
    assert tile["decided_at"] == "2027-01-01T00:00:00+00:00"  # December's turn

    past = {"at": "2026-11-20T09:00:00+00:00"}
    why = admin.ok("GET", f"/members/{ann['id']}/achievements/{clean['id']}/explain", params=past)
    assert (why["complete"], why["groups_waiting"]) == (True, [False])
    # December has begun: Ann's first December call waits for the end of December.
    assert record(admin, "calls", ann["id"], at="2026-12-01T08:00:00+00:00")["awards"] == []


def test_a_late_record_for_a_period_already_over_is_decided_at_once(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month")
    clock.now = DECEMBER + timedelta(days=2)
    close(clean_db, clock.now)
    late = record(admin, "calls", ann["id"], at="2026-11-29T16:00:00+00:00", outcome="won")
    [award] = late["awards"]
    assert award["achievement_id"] == clean["id"]
    assert (award["member_id"], award["period_start"]) == (ann["id"], "2026-11-01T00:00:00+00:00")


def test_activation_decides_the_periods_already_over(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month", activate=False)
    record(admin, "calls", ann["id"], at="2026-10-10T10:00:00+00:00")  # October: over
    record(admin, "calls", ann["id"])  # November: not over
    preview = admin.ok("POST", f"/achievements/{clean['id']}/preview")
    assert [q["period"] for q in preview["qualifiers"]] == ["2026-10-01"]
    admin.ok("POST", f"/achievements/{clean['id']}/activate")
    assert [a["period_start"][:10] for a in awards_of(admin, clean["id"])] == ["2026-10-01"]
    clock.now = DECEMBER
    close(clean_db, clock.now)
    starts = sorted(a["period_start"][:10] for a in awards_of(admin, clean["id"]))
    assert starts == ["2026-10-01", "2026-11-01"]


def test_no_end_means_decided_as_records_arrive(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    ever = achievement(admin, "never-lost-much", CLEAN_MONTH)  # period none, no window
    [award] = record(admin, "calls", ann["id"])["awards"]
    assert award["achievement_id"] == ever["id"]


def test_an_effective_window_closes_before_its_period(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann = make_member(admin)
    window = {"from": "2026-11-01T00:00:00+00:00", "until": "2026-11-20T00:00:00+00:00"}
    sprint = achievement(admin, "sprint", CLEAN_MONTH, effective=window)
    weekly = achievement(admin, "sprint-week", CLEAN_MONTH, period="week", effective=window)
    assert record(admin, "calls", ann["id"])["awards"] == []
    clock.now = datetime(2026, 11, 20, 0, 1, tzinfo=UTC)  # window over, week and month not
    close(clean_db, clock.now)
    assert [a["member_id"] for a in awards_of(admin, sprint["id"])] == [ann["id"]]
    [award] = awards_of(admin, weekly["id"])
    assert award["period_start"] == "2026-11-16T00:00:00+00:00"  # the week of the 18th


def test_record_category_goes_to_the_best_when_the_period_ends(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin), make_member(admin)
    most_calls = {**ONE_CALL}
    best = achievement(
        admin, "calm-caller", [[most_calls, AT_MOST_ONE_LOST]], period="week", category="record"
    )
    for _ in range(3):
        record(admin, "calls", bob["id"], outcome="won")
    record(admin, "calls", ann["id"], outcome="won")
    clock.now = datetime(2026, 11, 23, tzinfo=UTC)  # Monday: the week is over
    close(clean_db, clock.now)
    assert [a["member_id"] for a in awards_of(admin, best["id"])] == [bob["id"]]


def test_the_closer_runs_in_the_server(clean_db: Engine, database_url: str) -> None:
    clock = FixedClock(datetime(2026, 11, 18, 13, tzinfo=UTC))
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        timezone="UTC",
        webhook_worker=False,
        period_close_seconds=0.1,
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        admin = Api(client, ADMIN_TOKEN)
        seed_sources(admin)
        ann = make_member(admin)
        clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month")
        record(admin, "calls", ann["id"])
        clock.now = DECEMBER
        deadline = time.monotonic() + 20
        while not awards_of(admin, clean["id"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        [award] = awards_of(admin, clean["id"])
        assert award["member_id"] == ann["id"]


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAUDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAUDIT_TIMEZONE", "UTC")


def test_close_periods_command(admin: Api, clean_db: Engine, cli_env: None) -> None:
    """The command runs on the real clock: November 2026 is over by now."""
    seed_sources(admin)
    ann = make_member(admin)
    clean = achievement(admin, "clean-month", CLEAN_MONTH, period="month")
    record(admin, "calls", ann["id"])
    result = CliRunner().invoke(cli_app, ["close-periods"])
    assert result.exit_code == 0, result.output
    assert "1 new award(s)" in result.output
    assert [a["member_id"] for a in awards_of(admin, clean["id"])] == [ann["id"]]
    again = CliRunner().invoke(cli_app, ["close-periods"])
    assert "0 new award(s)" in again.output
    with Session(clean_db) as session:
        assert session.scalar(select(func.count()).select_from(Award)) == 1
        assert session.scalar(select(func.count()).select_from(PeriodClosing)) == 1


# --- which periods close between two instants: against a brute-force enumeration ---------

ZONES = ["Europe/Berlin", "Australia/Sydney", "UTC"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=400 * 24 * 60).map(
    lambda m: BASE + timedelta(minutes=m)
)


def _compiled(period: Period, until: datetime | None) -> CompiledAchievement:
    rules = [[Rule.model_validate(AT_MOST_ONE_LOST)]]
    return CompiledAchievement(
        id=1,
        key="a",
        version=1,
        category="award",  # type: ignore[arg-type]
        points=1,
        period=period,
        repeatable=False,
        effective_from=None,
        effective_until=until,
        audiences=[],
        requirements=rules,
        fields={},
    )


@settings(max_examples=examples(300), deadline=None)
@given(
    period=st.sampled_from(list(Period)),
    zone_name=st.sampled_from(ZONES),
    a=instants,
    b=instants,
    until=st.none() | instants,
)
def test_periods_closing_between_match_brute_force(
    period: Period, zone_name: str, a: datetime, b: datetime, until: datetime | None
) -> None:
    since, now = min(a, b), max(a, b)
    zone = parse_zone(zone_name)
    compiled = _compiled(period, until)
    got = periods_closing_between(compiled, since, now, zone)
    # Every period from well before `since` to after `now`, one by one.
    expected = []
    if period is Period.none:
        expected = ["all"] if until is not None and since < until <= now else []
    else:
        window = period_containing(since - timedelta(days=400), period, zone)
        while window.start is not None and window.start <= now:
            closing = compiled.decided_at(window.key, zone)
            if (
                closing is not None
                and since < closing <= now
                and (until is None or window.start < until)
            ):
                expected.append(window.key)
            assert window.end is not None
            window = period_containing(window.end, period, zone)
    assert got == expected
