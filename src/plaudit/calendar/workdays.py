"""Working days (pure): the calendar's working weekdays minus its holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MONDAY_TO_FRIDAY = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (ISO numbers, 1 Monday .. 7 Sunday) and the holidays among them."""

    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()

    def is_working(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays
