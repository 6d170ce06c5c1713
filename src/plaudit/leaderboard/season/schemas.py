"""Season query and answer shapes (GET /leaderboard/seasons)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from plaudit.kit.schemas import MAX_ID, Id, InputSchema, OutputSchema, TextInt, Timestamp
from plaudit.leaderboard.schemas import BoardShown, LeaderboardMember
from plaudit.periods import Period

MeasureName = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class SeasonQuery(InputSchema):
    """Which ended seasons to list: those of one `board`, or of every board counting `period`
    (narrowed by `measure` and `team_id`); newest first."""

    board: Id | None = Field(
        default=None, description="One board's seasons (GET /leaderboard/boards)."
    )
    period: Period | None = Field(
        default=None,
        validate_default=True,
        description="week, month, quarter or year; needed unless `board` is given.",
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

    @field_validator("measure", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("period")
    @classmethod
    def _period_or_board(cls, period: Period | None, info: ValidationInfo) -> Period | None:
        if period is None and info.data.get("board") is None and "board" in info.data:
            raise ValueError(
                "give the seasons' 'period' (week, month, quarter or year) or a 'board'"
            )
        if period in (Period.none, Period.day):
            raise ValueError(f"seasons are weeks, months, quarters or years, not {period}")
        return period


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
