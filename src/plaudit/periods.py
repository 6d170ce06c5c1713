"""Validity periods: the period (day, week, month, quarter, year) containing an instant,
computed in the organisation's time zone.

This module is pure: it imports only the standard library. Boundaries are found on the local
calendar (plain `date` arithmetic) and only then mapped to instants, so a week that contains a
daylight-saving change lasts 167 or 169 hours, and a day whose local midnight is skipped starts
at the first instant that does exist. No boundary is ever computed by adding a timedelta to an
aware datetime. All returned instants are aware and in UTC; windows are half-open [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Period",
    "PeriodWindow",
    "local_bounds",
    "parse_zone",
    "period_by_key",
    "period_containing",
    "start_of_local_day",
]

ALL_KEY = "all"


class Period(StrEnum):
    none = "none"
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise ValueError(f"naive datetime not allowed (no time zone): {instant!r}")


@dataclass(frozen=True)
class PeriodWindow:
    """One validity period: [start, end) in UTC, identified by `key` within its period kind."""

    period: Period
    start: datetime | None
    end: datetime | None
    key: str

    def contains(self, instant: datetime) -> bool:
        """Whether `instant` (aware) lies in [start, end). Period.none contains everything."""
        _require_aware(instant)
        if self.start is None or self.end is None:
            return True
        return self.start <= instant < self.end

    def is_active(self, now: datetime) -> bool:
        """An award for this period stays active until the period ends: same as `contains`."""
        return self.contains(now)


def local_bounds(day: date, period: Period) -> tuple[date, date]:
    """First local calendar day of the period containing `day`, and first day of the next one.
    Weeks run Monday..Sunday; quarters start Jan/Apr/Jul/Oct. Raises ValueError for Period.none."""
    period = Period(period)
    if period is Period.day:
        return day, day + timedelta(days=1)
    if period is Period.week:
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=7)
    if period is Period.month:
        first = day.replace(day=1)
        if day.month == 12:
            return first, date(day.year + 1, 1, 1)
        return first, date(day.year, day.month + 1, 1)
    if period is Period.quarter:
        month = 3 * ((day.month - 1) // 3) + 1
        first = date(day.year, month, 1)
        if month == 10:
            return first, date(day.year + 1, 1, 1)
        return first, date(day.year, month + 3, 1)
    if period is Period.year:
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    raise ValueError(f"period {period!s} has no calendar bounds")


def _local_date(ts: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(ts, UTC).astimezone(zone).date()


@lru_cache(maxsize=8192)  # pure; called per record and per award on hot paths
def start_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant (aware UTC) of local calendar day `day` in `zone`.

    Right when local midnight does not exist (DST gap at midnight, e.g. America/Havana,
    Asia/Beirut, America/Santiago): then the day starts at the first existing instant after the
    gap. When midnight occurs twice, the earlier one is taken."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    early = midnight.astimezone(UTC)  # fold=0: the earlier of two midnights, if repeated
    if early.astimezone(zone).replace(tzinfo=None) == midnight.replace(tzinfo=None):
        return early
    # Midnight falls in a gap. fold=1 reads it with the post-transition offset (an instant
    # before the gap), fold=0 with the pre-transition one (an instant after it). The day
    # starts at the transition between them: the first whole second whose local date is
    # `day` or later. Offsets and transitions are whole seconds, so bisect on seconds.
    lo = int(midnight.replace(fold=1).timestamp())
    hi = int(midnight.replace(fold=0).timestamp())
    if lo > hi:
        lo, hi = hi, lo
    while lo < hi:
        mid = (lo + hi) // 2
        if _local_date(mid, zone) >= day:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


def _window(period: Period, first: date, nxt: date, zone: ZoneInfo) -> PeriodWindow:
    start, end = start_of_local_day(first, zone), start_of_local_day(nxt, zone)
    return PeriodWindow(period=period, start=start, end=end, key=first.isoformat())


def _all() -> PeriodWindow:
    return PeriodWindow(period=Period.none, start=None, end=None, key=ALL_KEY)


def period_containing(instant: datetime, period: Period, zone: ZoneInfo) -> PeriodWindow:
    """The window of kind `period` containing `instant`. Raises ValueError for a naive instant.

    Converts the instant to its local date in `zone`, takes local_bounds of that date, and maps
    both dates to instants with start_of_local_day. Never computes a boundary by adding a
    timedelta to an aware datetime."""
    _require_aware(instant)
    period = Period(period)
    if period is Period.none:
        return _all()
    first, nxt = local_bounds(instant.astimezone(zone).date(), period)
    return _window(period, first, nxt, zone)


def previous_window(instant: datetime, period: Period, zone: ZoneInfo) -> PeriodWindow:
    """The window of kind `period` just before the one containing `instant` (all time for
    `none`): found from local dates too, the day before the current window's first day."""
    _require_aware(instant)
    period = Period(period)
    if period is Period.none:
        return _all()
    first, _ = local_bounds(instant.astimezone(zone).date(), period)
    before, nxt = local_bounds(first - timedelta(days=1), period)
    return _window(period, before, nxt, zone)


def previous_start(instant: datetime, period: Period, zone: ZoneInfo) -> datetime:
    """The first instant of the window before the one containing `instant`; `instant` itself
    for `none` (all time has nothing before it)."""
    return previous_window(instant, period, zone).start or instant


@lru_cache(maxsize=8192)  # pure (windows are frozen); an award row needs one per key
def period_by_key(key: str, period: Period, zone: ZoneInfo) -> PeriodWindow:
    """Inverse of .key: rebuild the window from its key (ValueError on a malformed key or a key that
    is not the first day of such a period)."""
    period = Period(period)
    if period is Period.none:
        if key != ALL_KEY:
            raise ValueError(f"key for period none must be {ALL_KEY!r}, got {key!r}")
        return _all()
    try:
        first = date.fromisoformat(key)
    except (TypeError, ValueError):
        raise ValueError(f"malformed period key {key!r}: expected YYYY-MM-DD") from None
    if first.isoformat() != key:  # fromisoformat also accepts e.g. "20260323", "2026-W13-1"
        raise ValueError(f"malformed period key {key!r}: expected YYYY-MM-DD")
    start, nxt = local_bounds(first, period)
    if start != first:
        raise ValueError(f"{key!r} is not the first day of a {period!s} period")
    if start_of_local_day(first, zone) >= start_of_local_day(nxt, zone):
        raise ValueError(f"{key!r}: that {period!s} has no instants in time zone {zone.key}")
    return _window(period, first, nxt, zone)


def parse_zone(name: str) -> ZoneInfo:
    """ZoneInfo(name), but raise ValueError with a clear message (naming the zone) for unknown or
    malformed names: ZoneInfoNotFoundError, and also the ValueError / IsADirectoryError etc. that
    ZoneInfo raises for things like '../etc', 'America' or ''."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: expected an IANA name like 'Europe/Berlin'"
        ) from exc
