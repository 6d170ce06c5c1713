"""Periods and instants as people read them, in the organisation's time zone:
"the month 2026-11-01 to 2026-11-30", "2026-11-18 13:00" (numbers: plaudit.web.numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from plaudit.periods import Period, PeriodWindow, period_by_key


def day(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d")


def moment(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def last_day(end: datetime, zone: ZoneInfo) -> str:
    """The last local day of a half-open window ending at `end`."""
    return day(end - timedelta(seconds=1), zone)


def window_words(window: PeriodWindow, zone: ZoneInfo) -> str:
    """`the month 2026-11-01 to 2026-11-30`, `the day 2026-11-18`, or `all time`."""
    if window.period is Period.none or window.start is None or window.end is None:
        return "all time"
    first, last = day(window.start, zone), last_day(window.end, zone)
    span = first if first == last else f"{first} to {last}"
    return f"the {window.period.value} {span}"


def key_words(key: str, period: Period, zone: ZoneInfo) -> str:
    """A period key (`2026-11-01`) in words; the key itself if it is not one of `period`."""
    try:
        return window_words(period_by_key(key, period, zone), zone)
    except ValueError:
        return key
