"""A seasonal board with three archived months, for the seasons page, its browser test and
the axe walk: approved deal value per month (August to October 2026), first place a record
("Deal champion"), the top three a membership ("Podium"); Cem and Dee tie for third."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.demo.seasons import BOARD as DEMO_BOARD
from plaudit.kit.roles import SYSTEM
from plaudit.leaderboard.board.schemas import BoardCreate
from plaudit.leaderboard.board.service import create_board
from plaudit.leaderboard.season.closing import close_seasons
from tests.web.portal_data import NOW, UTC_ZONE, achievement, deals, member

STARTED = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
MONTHS = {  # approved deal values of each member, per month
    "2026-08": {"Ama": [900.0, 400.0], "Ben": [1200.0], "Cem": [300.0], "Dee": [300.0]},
    "2026-09": {"Ama": [2500.0], "Ben": [800.0, 150.0], "Cem": [40.0]},
    "2026-10": {"Ben": [700.0], "Cem": [650.0, 900.0], "Dee": [75.0], "Eli": [5.0]},
}


@dataclass(frozen=True)
class Seasons:
    board_id: int
    champion_id: int
    podium_id: int


def seasonal_board(engine: Engine, name: str = "Monthly deal value") -> Seasons:
    champion = achievement(
        engine,
        active=False,
        key="deal-champion",
        name="Deal champion",
        category="record",
        period="month",
        icon="trophy",
        requirements=[],
    )
    podium = achievement(
        engine,
        active=False,
        key="podium",
        name="Podium",
        category="membership",
        period="month",
        icon="medal",
        requirements=[],
    )
    people = {n: member(engine, n) for n in ("Ama", "Ben", "Cem", "Dee", "Eli")}
    for month, values in MONTHS.items():
        for person, amounts in values.items():
            at = datetime.fromisoformat(f"{month}-12T10:00:00+00:00")
            deals(engine, people[person], *amounts, status="Approved", at=at)
    body = {
        **DEMO_BOARD,  # the demo's board: approved deal value per month, published, seasonal
        "name": name,
        "season_awards": [
            {"top": 1, "achievement_id": champion},
            {"top": 3, "achievement_id": podium},
        ],
    }
    with unit_of_work(build_sessionmaker(engine)) as session:
        board = create_board(session, BoardCreate.model_validate(body), actor=SYSTEM, now=STARTED)
        board_id = board.id
    with unit_of_work(build_sessionmaker(engine)) as session:
        close_seasons(session, now=NOW, zone=UTC_ZONE)
    return Seasons(board_id=board_id, champion_id=champion, podium_id=podium)
