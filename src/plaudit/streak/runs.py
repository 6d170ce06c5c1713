"""A member's streak from the periods in which the streak's rule was met (pure).

The rules, also in docs/streaks.md:

* Periods are local calendar days, weeks (Monday to Sunday) or months in the organisation's
  time zone, each named by its first day. A daily streak counts working days only (the
  calendar's working weekdays, minus holidays): a non-working day neither extends nor breaks
  it, even when the rule was met on it.
* Walking the counted periods oldest first, a met period adds one to the run. A missed
  period breaks the run, unless the run is under way (length above zero) and fewer than K
  freezes have been spent in it: then one freeze is spent and the run goes on. A frozen
  period does not count toward the length. A broken run starts again from zero with all K
  freezes.
* The current period (the one containing "now") is still open: met, it counts; not met yet,
  it neither breaks the run nor spends a freeze, and the streak is "at risk".
* Longest: the greatest length the run ever reached. Periods after the current one (records
  dated in the future) are not looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from plaudit.calendar.workdays import WorkCalendar
from plaudit.periods import Period, local_bounds

STREAK_PERIODS = (Period.day, Period.week, Period.month)


@dataclass(frozen=True)
class StreakState:
    current: int
    longest: int
    last_met: date | None
    freezes_used: int
    freezes_left: int
    at_risk: bool


def period_start(day: date, period: Period) -> date:
    """The first day of the period of kind `period` containing the local date `day`."""
    return local_bounds(day, period)[0]


def counted_periods(
    first: date, last: date, period: Period, calendar: WorkCalendar
) -> Iterator[date]:
    """The first days of the periods from the one containing `first` to the one containing
    `last`, oldest first; for days, the working days only."""
    current = period_start(first, period)
    end = period_start(last, period)
    while current <= end:
        if period is not Period.day or calendar.is_working(current):
            yield current
        current = local_bounds(current, period)[1]


def streak_state(
    met: Iterable[date],
    today: date,
    period: Period,
    calendar: WorkCalendar,
    freezes: int,
) -> StreakState:
    """The streak on local date `today`, given the first days of the periods in which the rule
    was met (`met`; other dates are ignored)."""
    met_set = {day for day in met}
    current_start = period_start(today, period)
    past = [day for day in met_set if day <= current_start]
    if not past:
        return StreakState(0, 0, None, 0, freezes, False)
    length = longest = used = 0
    last_met: date | None = None
    for start in counted_periods(min(past), today, period, calendar):
        if start in met_set:
            length += 1
            longest = max(longest, length)
            last_met = start
        elif start == current_start:
            pass  # still open
        elif length > 0 and used < freezes:
            used += 1
        else:
            length = used = 0
    current_counted = period is not Period.day or calendar.is_working(current_start)
    at_risk = length > 0 and current_counted and current_start not in met_set
    return StreakState(length, longest, last_met, used, freezes - used, at_risk)
