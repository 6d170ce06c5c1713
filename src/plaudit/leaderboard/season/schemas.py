"""Season query and answer shapes (GET /leaderboard/seasons)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from plaudit.kit.schemas import MAX_ID, Id, InputSchema, OutputSchema, TextInt, Timestamp
from plaudit.leaderboard.schemas import BoardShown, LeaderboardMember
from plaudit.periods import Period


class SeasonPeriod(StrEnum):
    """The periods a season can be (a seasonal board's period)."""

    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


MeasureName = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class SeasonQuery(InputSchema):
    """Which ended seasons to list, newest first: of one `board` or of every board the
    viewer may see, narrowed by `period`, `measure` and `team_id`."""

    board: Id | None = Field(
        default=None, description="One board's seasons (GET /leaderboard/boards)."
    )
    period: SeasonPeriod | None = Field(
        default=None, description="Only the seasons of boards of this period."
    )
    measure: MeasureName | None = Field(
        default=None,
        description="The measure in words, as boards and seasons name it: `points`, "
        "`sum(deals.value)`.",
    )
    team_id: Id | None = None
    limit: TextInt = Field(default=20, ge=1, le=100, description="Seasons per page.")
    offset: TextInt = Field(default=0, ge=0, le=MAX_ID)
    rows: TextInt = Field(
        default=100, ge=1, le=10_000, description="Standings rows per season, from the top."
    )


class StandingRead(OutputSchema):
    rank: int
    member: LeaderboardMember
    score: float


class SeasonWinnerRead(OutputSchema):
    """A season award due to a member: given (`award_id`), or refused with the reason (a
    record already held for that period, say)."""

    top: int
    achievement_id: int
    achievement_name: str
    member_id: int
    member_name: str
    award_id: int | None
    refused: str | None


class SeasonRead(OutputSchema):
    id: int
    board: BoardShown
    period: Period
    period_key: str
    period_start: Timestamp
    period_end: Timestamp
    measure: str
    team_id: int | None
    closed_at: Timestamp
    standings: list[StandingRead]
    awards: list[SeasonWinnerRead]


class SeasonPage(OutputSchema):
    seasons: list[SeasonRead]
    total: int = Field(description="How many seasons match, on every page.")
    limit: int
    offset: int
