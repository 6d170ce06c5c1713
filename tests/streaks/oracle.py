"""A from-scratch oracle of streaks: records (UTC instant, value) in, current and longest out.

Written apart from plaudit.streak: periods are found by walking local calendar days one by one
(each day named by its period's first day, computed here), and the run is scanned over a list
of statuses. The rule is "sum of value at least `threshold`" (a period with no records is
not met)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def first_day(day: date, kind: str) -> date:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return date(day.year, day.month, 1)


@dataclass(frozen=True)
class Expected:
    current: int
    longest: int
    last_met: date | None
    freezes_used: int
    at_risk: bool


def expected_streak(
    records: Iterable[tuple[datetime, float]],
    *,
    zone: ZoneInfo,
    now: datetime,
    kind: str,
    threshold: float,
    freezes: int,
    weekdays: set[int],
    holidays: set[date],
) -> Expected:
    today = now.astimezone(zone).date()
    current = first_day(today, kind)
    sums: dict[date, float] = defaultdict(float)
    for at, value in records:
        local = at.astimezone(zone).date()
        if first_day(local, kind) <= current:
            sums[first_day(local, kind)] += value
    met = {p for p, total in sums.items() if total >= threshold}
    if not met:
        return Expected(0, 0, None, 0, False)

    def counted(day: date) -> bool:
        return kind != "day" or (day.isoweekday() in weekdays and day not in holidays)

    periods: list[date] = []
    day = min(met)
    while day <= today:
        p = first_day(day, kind)
        if counted(day) and (not periods or periods[-1] != p):
            periods.append(p)
        day += timedelta(days=1)
    statuses = ["met" if p in met else ("open" if p == current else "missed") for p in periods]
    length = longest = used = 0
    for status in statuses:
        if status == "met":
            length += 1
        elif status == "missed":
            if length and used < freezes:
                used += 1
            else:
                length, used = 0, 0
        longest = max(longest, length)
    last_met = max((p for p in periods if p in met), default=None)
    at_risk = length > 0 and bool(statuses) and statuses[-1] == "open"
    return Expected(length, longest, last_met, used, at_risk)
