"""The demo's seasonal board: approved deal value per month, with last month already
archived as a season, so that a newcomer finds standings and season awards on
/leaderboard/seasons at once (a season is otherwise archived only when a month ends).

The season is archived through the same code as the closer (`archive_season`), over the
demo's deals of last month; its top three get "Deal podium", a membership given only by
seasons (no rules), with `source` `season`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.achievement import service as achievements
from plaudit.achievement.schemas import AchievementCreate
from plaudit.kit.roles import SYSTEM
from plaudit.leaderboard.board.schemas import BoardCreate
from plaudit.leaderboard.board.service import create_board
from plaudit.leaderboard.season.closing import archive_season
from plaudit.models import Achievement
from plaudit.periods import PeriodWindow

PODIUM = {
    "key": "deal-podium",
    "name": "Deal podium",
    "description": "Finish a month in the top three for approved deal value",
    "category": "membership",
    "points": 30,
    "icon": "medal",
    "background_color": "#8a5a00",
    "period": "month",
    "requirements": [],
}
BOARD = {
    "name": "Monthly deal value",
    "measure": {
        "source": "deals",
        "aggregate": "sum",
        "field": "value",
        "where": [{"field": "status", "op": "eq", "value": "Approved"}],
    },
    "period": "month",
    "published": True,
    "seasonal": True,
}


def demo_season(
    session: Session, last_month: PeriodWindow, *, now: datetime, zone: ZoneInfo
) -> Achievement:
    """Create the podium and the seasonal board, and archive last month; return the podium."""
    podium = achievements.create_achievement(
        session, AchievementCreate.model_validate(PODIUM), actor=SYSTEM, now=now, zone=zone
    )
    achievements.activate_achievement(session, podium.id, actor=SYSTEM, now=now, zone=zone)
    body = {**BOARD, "season_awards": [{"top": 3, "achievement_id": podium.id}]}
    board = create_board(session, BoardCreate.model_validate(body), actor=SYSTEM, now=now)
    archive_season(session, board, last_month, now=now, zone=zone)
    return podium
