"""A member's streaks as the portal and the member page show them: "3 of 5 weeks in a row"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.streak.schemas import MemberStreak, StreakPeriod
from plaudit.streak.service import member_streaks
from plaudit.web.numbers import format_number

UNITS = {
    StreakPeriod.day: ("working day", "working days"),
    StreakPeriod.week: ("week", "weeks"),
    StreakPeriod.month: ("month", "months"),
}


def units(period: StreakPeriod, count: int) -> str:
    one, many = UNITS[period]
    return one if count == 1 else many


@dataclass(frozen=True)
class StreakTile:
    streak: MemberStreak
    headline: str
    """ "3 of 5 weeks in a row" """
    longest: str
    freezes: str | None
    last_met: str | None


def streak_tiles(
    session: Session, member_id: int, *, now: datetime, zone: ZoneInfo
) -> list[StreakTile]:
    out = []
    for s in member_streaks(session, member_id, now=now, zone=zone):
        out.append(
            StreakTile(
                streak=s,
                headline=(
                    f"{format_number(s.current)} of {format_number(s.target)} "
                    f"{units(s.period, s.target)} in a row"
                ),
                longest=f"{format_number(s.longest)} {units(s.period, s.longest)}",
                freezes=(
                    f"{format_number(s.freezes_left)} of {format_number(s.freezes)} left"
                    if s.freezes
                    else None
                ),
                last_met=s.last_met_period.strftime("%d %b %Y") if s.last_met_period else None,
            )
        )
    return out
