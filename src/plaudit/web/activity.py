"""Awards and points over time, for the activity chart: one GROUP BY over the awards.

The buckets are periods (day, week, month) in the organisation's time zone, computed with
`plaudit.periods` from local calendar dates; their bounds are passed to the database, which
places each award in its bucket with a CASE over `awarded_at` and groups by it. So it runs the
same on SQLite and PostgreSQL, and reads only the awards inside the chosen range.
Revoked awards are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from plaudit.award.schemas import AwardFilters
from plaudit.award.service import award_filter_clauses
from plaudit.models import Award
from plaudit.periods import Period, PeriodWindow, period_containing


@dataclass(frozen=True)
class Range:
    key: str
    label: str
    period: Period
    count: int


RANGES: dict[str, Range] = {
    r.key: r
    for r in (
        Range("12m", "Last 12 months, by month", Period.month, 12),
        Range("8w", "Last 8 weeks, by week", Period.week, 8),
        Range("30d", "Last 30 days, by day", Period.day, 30),
    )
}
DEFAULT_RANGE = "12m"


@dataclass(frozen=True)
class Bucket:
    """One period of the chart: its label (short for the axis, long for the table)."""

    short: str
    label: str
    start: datetime
    end: datetime
    awards: int
    points: int


def windows(now: datetime, period: Period, count: int, zone: ZoneInfo) -> list[PeriodWindow]:
    """The `count` periods up to and including the one containing `now`, oldest first."""
    found = [period_containing(now, period, zone)]
    while len(found) < count:
        start = found[-1].start
        assert start is not None  # day, week and month windows are bounded
        found.append(period_containing(start - timedelta(microseconds=1), period, zone))
    return list(reversed(found))


def _labels(window: PeriodWindow, zone: ZoneInfo) -> tuple[str, str]:
    assert window.start is not None
    local = window.start.astimezone(zone)
    day = f"{local.day} {local:%b}"
    if window.period is Period.month:
        return f"{local:%b} {local:%y}", f"{local:%B %Y}"
    if window.period is Period.week:
        return day, f"Week of {day} {local.year}"
    return day, f"{day} {local.year}"


def activity(
    session: Session,
    chosen: Range,
    *,
    now: datetime,
    zone: ZoneInfo,
    filters: AwardFilters | None = None,
) -> list[Bucket]:
    """Awards (not revoked) and their points per period of `chosen`, oldest first; periods
    without awards are included with zeros."""
    spans = windows(now, chosen.period, chosen.count, zone)
    first, last = spans[0].start, spans[-1].end
    assert first is not None and last is not None
    bucket = case(
        *[(Award.awarded_at < w.end, index) for index, w in enumerate(spans)], else_=-1
    ).label("bucket")
    inner = (
        select(bucket, Award.points.label("points"))
        .where(
            Award.revoked.is_(False),
            Award.awarded_at >= first,
            Award.awarded_at < last,
            *award_filter_clauses(filters or AwardFilters(), now=now),
        )
        .subquery()
    )
    query = select(
        inner.c.bucket, func.count(), func.coalesce(func.sum(inner.c.points), 0)
    ).group_by(inner.c.bucket)
    totals = {int(b): (int(n), int(p)) for b, n, p in session.execute(query)}
    result = []
    for index, window in enumerate(spans):
        assert window.start is not None and window.end is not None
        short, label = _labels(window, zone)
        awards, points = totals.get(index, (0, 0))
        result.append(Bucket(short, label, window.start, window.end, awards, points))
    return result
