"""The pure streak walk (plaudit.streak.runs) on cases worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

from plaudit.calendar.workdays import WorkCalendar
from plaudit.periods import Period
from plaudit.streak.runs import streak_state

WEEKDAYS = WorkCalendar()
WED = date(2026, 11, 18)  # a Wednesday


def days(*offsets: int) -> set[date]:
    return {WED - timedelta(days=n) for n in offsets}


def test_weekends_neither_extend_nor_break_a_daily_streak() -> None:
    # Thu 12, Fri 13, (weekend), Mon 16, Tue 17, Wed 18
    state = streak_state(days(6, 5, 2, 1, 0), WED, Period.day, WEEKDAYS, 0)
    assert (state.current, state.longest, state.at_risk) == (5, 5, False)
    # A record on Saturday 14 does not count either.
    assert streak_state(days(6, 5, 4, 2, 1, 0), WED, Period.day, WEEKDAYS, 0).current == 5


def test_a_holiday_is_skipped_and_a_missed_working_day_breaks() -> None:
    met = days(6, 2, 1)  # Thu 12, Mon 16, Tue 17; Fri 13 missed
    assert streak_state(met, WED, Period.day, WEEKDAYS, 0).current == 2
    holiday = WorkCalendar(holidays=frozenset({date(2026, 11, 13)}))
    state = streak_state(met, WED, Period.day, holiday, 0)
    assert (state.current, state.at_risk) == (3, True)  # Wednesday not met yet


def test_freezes_bridge_misses_without_counting() -> None:
    weeks = {date(2026, 11, 16) - timedelta(weeks=n) for n in (0, 2, 3, 5)}
    none = streak_state(weeks, WED, Period.week, WEEKDAYS, 0)
    assert (none.current, none.longest) == (1, 2)
    one = streak_state(weeks, WED, Period.week, WEEKDAYS, 1)
    # One freeze per run: week 4 spends it, so the miss in week 1 breaks the run.
    assert (one.current, one.longest, one.freezes_used, one.freezes_left) == (1, 3, 0, 1)
    two = streak_state(weeks, WED, Period.week, WEEKDAYS, 2)
    assert (two.current, two.freezes_used, two.freezes_left) == (4, 2, 0)


def test_the_open_period_is_at_risk_but_not_broken() -> None:
    months = {date(2026, 9, 1), date(2026, 10, 1)}
    state = streak_state(months, WED, Period.month, WEEKDAYS, 0)
    assert (state.current, state.at_risk, state.last_met) == (2, True, date(2026, 10, 1))
    later = streak_state(months, date(2026, 12, 2), Period.month, WEEKDAYS, 0)
    assert (later.current, later.longest, later.at_risk) == (0, 2, False)


def test_nothing_met_and_future_periods() -> None:
    assert streak_state(set(), WED, Period.week, WEEKDAYS, 3).freezes_left == 3
    future = streak_state({date(2026, 12, 1)}, WED, Period.month, WEEKDAYS, 0)
    assert (future.current, future.longest, future.last_met) == (0, 0, None)
