"""Tests for plaudit.periods: validity periods in the organisation's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plaudit.periods import (
    Period,
    PeriodWindow,
    local_bounds,
    parse_zone,
    period_by_key,
    period_containing,
    previous_window,
    start_of_local_day,
)
from tests.hypothesis_profiles import examples

BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
SANTIAGO = ZoneInfo("America/Santiago")
HAVANA = ZoneInfo("America/Havana")
KOLKATA = ZoneInfo("Asia/Kolkata")
US = timedelta(microseconds=1)
HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(w: PeriodWindow) -> float:
    assert w.start is not None
    assert w.end is not None
    return (w.end - w.start) / HOUR


# --- the seed example --------------------------------------------------------------------------


def test_plecto_seed_week_in_berlin() -> None:
    instant = datetime(2026, 11, 18, 14, 0, tzinfo=BERLIN)  # a Wednesday
    w = period_containing(instant, Period.week, BERLIN)
    assert w == PeriodWindow(
        Period.week,
        datetime(2026, 11, 16, tzinfo=BERLIN),
        datetime(2026, 11, 23, tzinfo=BERLIN),
        "2026-11-16",
    )
    assert w.start == utc(2026, 11, 15, 23)
    assert w.end == utc(2026, 11, 22, 23)
    assert w.start.tzinfo is UTC
    assert w.end.tzinfo is UTC
    assert w.is_active(datetime(2026, 11, 22, 23, 59, tzinfo=BERLIN))
    assert w.is_active(datetime(2026, 11, 22, 23, 59, 59, 999999, tzinfo=BERLIN))
    assert not w.is_active(datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN))
    assert w.contains(instant)
    assert not w.contains(datetime(2026, 11, 15, 23, 59, tzinfo=BERLIN))


# --- DST inside weeks and months ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "period", "instant_local", "start_utc", "end_utc", "key", "length"),
    [
        # Berlin: spring forward Sun 29 Mar 2026, fall back Sun 25 Oct 2026.
        (
            BERLIN,
            Period.week,
            (2026, 3, 25, 12),
            (2026, 3, 22, 23),
            (2026, 3, 29, 22),
            "2026-03-23",
            167,
        ),
        (
            BERLIN,
            Period.week,
            (2026, 10, 21, 12),
            (2026, 10, 18, 22),
            (2026, 10, 25, 23),
            "2026-10-19",
            169,
        ),
        (
            BERLIN,
            Period.month,
            (2026, 3, 15, 12),
            (2026, 2, 28, 23),
            (2026, 3, 31, 22),
            "2026-03-01",
            31 * 24 - 1,
        ),
        (
            BERLIN,
            Period.month,
            (2026, 10, 15, 12),
            (2026, 9, 30, 22),
            (2026, 10, 31, 23),
            "2026-10-01",
            31 * 24 + 1,
        ),
        (
            BERLIN,
            Period.day,
            (2026, 3, 29, 12),
            (2026, 3, 28, 23),
            (2026, 3, 29, 22),
            "2026-03-29",
            23,
        ),
        (
            BERLIN,
            Period.day,
            (2026, 10, 25, 12),
            (2026, 10, 24, 22),
            (2026, 10, 25, 23),
            "2026-10-25",
            25,
        ),
        # Sydney: DST ends Sun 5 Apr 2026, starts Sun 4 Oct 2026.
        (
            SYDNEY,
            Period.week,
            (2026, 4, 1, 12),
            (2026, 3, 29, 13),
            (2026, 4, 5, 14),
            "2026-03-30",
            169,
        ),
        (
            SYDNEY,
            Period.week,
            (2026, 10, 1, 12),
            (2026, 9, 27, 14),
            (2026, 10, 4, 13),
            "2026-09-28",
            167,
        ),
        (
            SYDNEY,
            Period.month,
            (2026, 4, 15, 12),
            (2026, 3, 31, 13),
            (2026, 4, 30, 14),
            "2026-04-01",
            30 * 24 + 1,
        ),
        (
            SYDNEY,
            Period.month,
            (2026, 10, 15, 12),
            (2026, 9, 30, 14),
            (2026, 10, 31, 13),
            "2026-10-01",
            31 * 24 - 1,
        ),
    ],
)
def test_dst_changes_inside_period(
    zone: ZoneInfo,
    period: Period,
    instant_local: tuple[int, int, int, int],
    start_utc: tuple[int, int, int, int],
    end_utc: tuple[int, int, int, int],
    key: str,
    length: int,
) -> None:
    w = period_containing(datetime(*instant_local, tzinfo=zone), period, zone)
    assert (w.period, w.start, w.end, w.key) == (period, utc(*start_utc), utc(*end_utc), key)
    assert hours(w) == length
    assert period_by_key(key, period, zone) == w


def test_instants_either_side_of_a_boundary_midnight() -> None:
    boundary = utc(2026, 11, 22, 23)  # Mon 23 Nov 2026 00:00 Berlin
    before = period_containing(boundary - US, Period.week, BERLIN)
    after = period_containing(boundary, Period.week, BERLIN)
    assert before.key == "2026-11-16"
    assert before.end == boundary
    assert after.key == "2026-11-23"
    assert after.start == boundary
    # Same across a DST boundary: Mon 30 Mar 2026 00:00 CEST.
    boundary = utc(2026, 3, 29, 22)
    assert period_containing(boundary - US, Period.week, BERLIN).key == "2026-03-23"
    assert period_containing(boundary, Period.week, BERLIN).key == "2026-03-30"
    assert period_containing(boundary - US, Period.month, BERLIN).key == "2026-03-01"
    assert period_containing(boundary, Period.month, BERLIN).key == "2026-03-01"


def test_repeated_hour_of_fall_back_night() -> None:
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)  # 00:30 UTC, CEST
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)  # 01:30 UTC, CET
    assert first.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    assert second.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    for instant in (first, second, first.astimezone(UTC), second.astimezone(UTC)):
        day = period_containing(instant, Period.day, BERLIN)
        assert (day.key, day.start, day.end) == (
            "2026-10-25",
            utc(2026, 10, 24, 22),
            utc(2026, 10, 25, 23),
        )
        assert period_containing(instant, Period.week, BERLIN).key == "2026-10-19"


def test_midnight_occurring_twice_takes_the_earlier() -> None:
    # Havana falls back Sun 1 Nov 2026 at 01:00 CDT to 00:00 CST: midnight happens twice.
    day = date(2026, 11, 1)
    assert datetime(2026, 11, 1, tzinfo=HAVANA, fold=1).astimezone(UTC) == utc(2026, 11, 1, 5)
    assert start_of_local_day(day, HAVANA) == utc(2026, 11, 1, 4)
    w = period_containing(utc(2026, 11, 1, 5, 30), Period.day, HAVANA)  # 2nd 00:30
    assert (w.start, w.end) == (utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))
    assert hours(w) == 25


# --- midnight that does not exist --------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone_name", "day", "first_instant"),
    [
        ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4)),
        ("America/Havana", date(2026, 3, 8), utc(2026, 3, 8, 5)),
        ("Asia/Beirut", date(2026, 3, 29), utc(2026, 3, 28, 22)),
        ("Africa/Cairo", date(2026, 4, 24), utc(2026, 4, 23, 22)),
        ("Asia/Tehran", date(2020, 3, 21), utc(2020, 3, 20, 20, 30)),
    ],
)
def test_start_of_day_when_midnight_is_skipped(
    zone_name: str, day: date, first_instant: datetime
) -> None:
    zone = ZoneInfo(zone_name)
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    # Verify the fixture: local midnight really does not exist in this zone's data.
    assert midnight.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != midnight.replace(
        tzinfo=None
    )
    start = start_of_local_day(day, zone)
    assert start == first_instant
    assert start.tzinfo is UTC
    assert start.astimezone(zone).date() == day
    assert (start - US).astimezone(zone).date() == day - timedelta(days=1)
    one_am = datetime.combine(day, time(1), tzinfo=zone).astimezone(UTC)
    assert start <= one_am  # the gap is 00:00-01:00, so 01:00 is the first existing instant
    assert start.astimezone(zone).time() == time(1)
    w = period_containing(start, Period.day, zone)
    assert (w.start, w.key, hours(w)) == (start, day.isoformat(), 23)
    assert period_containing(start - US, Period.day, zone).end == start


def test_gap_that_starts_before_midnight() -> None:
    # Toronto, 30 Mar 1919: 23:30 EST jumped to 00:30 EDT, so 31 March began at 00:30 EDT
    # (04:30 UTC). Reading 00:00 with the pre-transition offset would wrongly give 05:00 UTC.
    toronto = ZoneInfo("America/Toronto")
    assert datetime(1919, 3, 31, tzinfo=toronto).astimezone(UTC) == utc(1919, 3, 31, 5)
    start = start_of_local_day(date(1919, 3, 31), toronto)
    assert start == utc(1919, 3, 31, 4, 30)
    assert start.astimezone(toronto).replace(tzinfo=None) == datetime(1919, 3, 31, 0, 30)  # noqa: DTZ001
    assert (start - US).astimezone(toronto).date() == date(1919, 3, 30)
    assert period_containing(utc(1919, 3, 31, 4, 45), Period.day, toronto).key == "1919-03-31"


def test_skipped_whole_day_pacific_apia() -> None:
    apia = ZoneInfo("Pacific/Apia")  # Thu 29 Dec 2011 24:00 (-10) became Sat 31 Dec 00:00 (+14)
    start_31 = start_of_local_day(date(2011, 12, 31), apia)
    assert start_31 == utc(2011, 12, 30, 10)
    assert start_of_local_day(date(2011, 12, 30), apia) == start_31
    w = period_containing(start_31 - US, Period.day, apia)
    assert (w.key, w.end) == ("2011-12-29", start_31)
    with pytest.raises(ValueError, match="2011-12-30"):
        period_by_key("2011-12-30", Period.day, apia)
    week = period_containing(start_31, Period.week, apia)
    assert week.key == "2011-12-26"
    assert hours(week) == 6 * 24


# --- day / quarter / year / none ---------------------------------------------------------------


def test_day_quarter_year() -> None:
    instant = datetime(2026, 11, 18, 14, tzinfo=BERLIN)
    day = period_containing(instant, Period.day, BERLIN)
    assert (day.key, day.start, day.end) == (
        "2026-11-18",
        utc(2026, 11, 17, 23),
        utc(2026, 11, 18, 23),
    )
    quarter = period_containing(instant, Period.quarter, BERLIN)
    assert (quarter.key, quarter.start, quarter.end) == (
        "2026-10-01",
        utc(2026, 9, 30, 22),
        utc(2026, 12, 31, 23),
    )
    year = period_containing(instant, Period.year, BERLIN)
    assert (year.key, year.start, year.end) == (
        "2026-01-01",
        utc(2025, 12, 31, 23),
        utc(2026, 12, 31, 23),
    )
    # 20:00 UTC on 22 March is already 01:30 on 23 March in Kolkata.
    kolkata_day = period_containing(utc(2026, 3, 22, 20), Period.day, KOLKATA)
    assert (kolkata_day.key, kolkata_day.start) == ("2026-03-23", utc(2026, 3, 22, 18, 30))
    assert period_containing(utc(2026, 3, 22, 20), Period.day, ZoneInfo("UTC")).key == "2026-03-22"


@pytest.mark.parametrize(
    ("day", "period", "bounds"),
    [
        (date(2026, 3, 23), Period.day, (date(2026, 3, 23), date(2026, 3, 24))),
        (date(2026, 12, 31), Period.day, (date(2026, 12, 31), date(2027, 1, 1))),
        (date(2026, 3, 29), Period.week, (date(2026, 3, 23), date(2026, 3, 30))),
        (date(2026, 3, 23), Period.week, (date(2026, 3, 23), date(2026, 3, 30))),
        (date(2026, 12, 31), Period.week, (date(2026, 12, 28), date(2027, 1, 4))),
        (date(2028, 2, 29), Period.month, (date(2028, 2, 1), date(2028, 3, 1))),
        (date(2026, 12, 5), Period.month, (date(2026, 12, 1), date(2027, 1, 1))),
        (date(2026, 3, 31), Period.quarter, (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 4, 1), Period.quarter, (date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 9, 30), Period.quarter, (date(2026, 7, 1), date(2026, 10, 1))),
        (date(2026, 11, 18), Period.quarter, (date(2026, 10, 1), date(2027, 1, 1))),
        (date(2026, 7, 4), Period.year, (date(2026, 1, 1), date(2027, 1, 1))),
    ],
)
def test_local_bounds(day: date, period: Period, bounds: tuple[date, date]) -> None:
    assert local_bounds(day, period) == bounds


def test_local_bounds_rejects_none() -> None:
    with pytest.raises(ValueError, match="none"):
        local_bounds(date(2026, 1, 1), Period.none)


def test_period_none_contains_everything() -> None:
    w = period_containing(datetime(2026, 11, 18, 14, tzinfo=BERLIN), Period.none, BERLIN)
    assert w == PeriodWindow(Period.none, None, None, "all")
    for instant in (utc(1, 1, 1), utc(2026, 1, 1), datetime.max.replace(tzinfo=UTC)):
        assert w.contains(instant)
        assert w.is_active(instant)
    assert period_by_key("all", Period.none, BERLIN) == w
    with pytest.raises(ValueError, match="2026-01-01"):
        period_by_key("2026-01-01", Period.none, BERLIN)


def test_period_values_are_strings() -> None:
    assert [p.value for p in Period] == ["none", "day", "week", "month", "quarter", "year"]
    assert Period("week") is Period.week


# --- keys and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "period"),
    [
        ("2026-03-24", Period.week),  # a Tuesday
        ("2026-03-02", Period.month),
        ("2026-02-01", Period.quarter),
        ("2026-04-01", Period.year),
        ("20260323", Period.week),  # accepted by date.fromisoformat in 3.11, but not a key
        ("2026-W13-1", Period.week),
        ("2026-3-23", Period.week),
        ("2026-02-30", Period.day),
        ("all", Period.week),
        ("", Period.day),
        ("2026-03-23T00:00", Period.week),
        (" 2026-03-23", Period.week),
    ],
)
def test_period_by_key_rejects_bad_keys(key: str, period: Period) -> None:
    with pytest.raises(ValueError, match=r"key|first day"):
        period_by_key(key, period, BERLIN)


def test_naive_instant_rejected() -> None:
    naive = datetime(2026, 11, 18, 14)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        period_containing(naive, Period.week, BERLIN)
    with pytest.raises(ValueError, match="naive"):
        period_containing(naive, Period.none, BERLIN)
    w = period_containing(utc(2026, 11, 18), Period.week, BERLIN)
    with pytest.raises(ValueError, match="naive"):
        w.contains(naive)
    with pytest.raises(ValueError, match="naive"):
        w.is_active(naive)


def test_parse_zone() -> None:
    assert parse_zone("Europe/Berlin") == BERLIN
    assert parse_zone("UTC").key == "UTC"


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "America", "a\x00b", "utc "]
)
def test_parse_zone_rejects_unknown(name: str) -> None:
    with pytest.raises(ValueError, match="time zone") as info:
        parse_zone(name)
    assert repr(name) in str(info.value)


# --- properties --------------------------------------------------------------------------------

ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Berlin",
        "Australia/Sydney",
        "America/New_York",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "America/Santiago",
        "Asia/Tehran",
        "UTC",
        "America/Havana",
        "Asia/Beirut",
        "Australia/Lord_Howe",
    )
]
PERIODS = [p for p in Period if p is not Period.none]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LO_US = (datetime(1990, 1, 1, tzinfo=UTC) - EPOCH) // US
HI_US = (datetime(2061, 1, 1, tzinfo=UTC) - EPOCH) // US

IS_FIRST_DAY: dict[Period, Callable[[date], bool]] = {
    Period.day: lambda d: True,
    Period.week: lambda d: d.weekday() == 0,
    Period.month: lambda d: d.day == 1,
    Period.quarter: lambda d: d.day == 1 and d.month in (1, 4, 7, 10),
    Period.year: lambda d: d.day == 1 and d.month == 1,
}


def oracle_start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """First instant whose local date is `day` or later, found by scanning (hours, minutes, s)."""
    t = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=16)
    assert t.astimezone(zone).date() < day
    for step in (HOUR, timedelta(minutes=1), timedelta(seconds=1)):
        while (t + step).astimezone(zone).date() < day:
            t += step
    return t + timedelta(seconds=1)


def oracle_window(instant: datetime, period: Period, zone: ZoneInfo) -> PeriodWindow:
    one = timedelta(days=1)
    first = instant.astimezone(zone).date()
    while not IS_FIRST_DAY[period](first):
        first -= one
    nxt = first + one
    while not IS_FIRST_DAY[period](nxt):
        nxt += one
    return PeriodWindow(
        period, oracle_start_of_day(first, zone), oracle_start_of_day(nxt, zone), first.isoformat()
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[datetime, Period, ZoneInfo]:
    zone = draw(st.sampled_from(ZONES))
    period = draw(st.sampled_from(PERIODS))
    if draw(st.booleans()):
        instant = EPOCH + draw(st.integers(LO_US, HI_US)) * US
    else:  # near a local midnight, where the interesting things happen
        day = draw(st.dates(date(1990, 1, 2), date(2060, 12, 30)))
        offset = draw(st.integers(-3 * 3600 * 10**6, 3 * 3600 * 10**6))
        instant = oracle_start_of_day(day, zone) + offset * US
    shown_in = draw(st.sampled_from([UTC, zone, *ZONES]))
    return instant.astimezone(shown_in), period, zone


@settings(max_examples=examples(400), deadline=None)
@given(cases())
def test_properties(case: tuple[datetime, Period, ZoneInfo]) -> None:
    instant, period, zone = case
    w = period_containing(instant, period, zone)
    assert w.start is not None
    assert w.end is not None
    assert w.start.tzinfo is UTC
    assert w.end.tzinfo is UTC
    assert w.period is period
    assert w.start <= instant < w.end
    assert w.contains(instant)
    assert w.is_active(instant)
    assert not w.contains(w.end)
    assert not w.contains(w.start - US)

    local_day = instant.astimezone(zone).date()
    first, nxt = local_bounds(local_day, period)
    assert w.key == first.isoformat()
    assert w.start.astimezone(zone).date() == first
    assert (w.start - US).astimezone(zone).date() < first
    assert w.start == start_of_local_day(first, zone)
    assert w.end == start_of_local_day(nxt, zone)

    following = period_containing(w.end, period, zone)
    assert following.start == w.end
    assert following.key == nxt.isoformat()
    assert period_containing(w.start - US, period, zone).end == w.start

    assert period_by_key(w.key, period, zone) == w
    assert oracle_window(instant, period, zone) == w


@settings(max_examples=examples(200), deadline=None)
@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.sampled_from(ZONES))
def test_start_of_local_day_matches_oracle(day: date, zone: ZoneInfo) -> None:
    assert start_of_local_day(day, zone) == oracle_start_of_day(day, zone)


@settings(max_examples=examples(300))
@given(cases())
def test_previous_window_ends_where_the_current_one_starts(
    case: tuple[datetime, Period, ZoneInfo],
) -> None:
    """The window before is the one holding the instant just before the current window's
    start, and ends exactly there (DST changes and skipped days included)."""
    instant, period, zone = case
    current = period_containing(instant, period, zone)
    before = previous_window(instant, period, zone)
    assert current.start is not None and before.start is not None
    assert before.end == current.start
    assert before == period_containing(current.start - US, period, zone)
    assert before.start < before.end


def test_previous_window_of_all_time_is_all_time() -> None:
    now = utc(2026, 11, 18)
    assert previous_window(now, Period.none, BERLIN) == period_containing(now, Period.none, BERLIN)
