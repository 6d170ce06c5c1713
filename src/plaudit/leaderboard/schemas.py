"""Leaderboard query and response shapes."""

from __future__ import annotations

from pydantic import model_validator

from plaudit.kit.schemas import InputSchema, Instant, OutputSchema
from plaudit.periods import Period
from plaudit.rules.model import Aggregate


class LeaderboardQuery(InputSchema):
    period: Period = Period.month
    team_id: int | None = None
    at: Instant | None = None
    source: str | None = None
    aggregate: Aggregate | None = None
    field: str | None = None
    limit: int = 100

    @model_validator(mode="after")
    def _measure_complete(self) -> LeaderboardQuery:
        if self.aggregate is not None and self.source is None:
            raise ValueError("a measure needs 'source' as well as 'aggregate'")
        if self.source is not None and self.aggregate is None:
            self.aggregate = Aggregate.COUNT
        if self.aggregate not in (None, Aggregate.COUNT) and not self.field:
            raise ValueError(f"aggregate '{self.aggregate}' needs 'field'")
        if not 1 <= self.limit <= 10_000:
            raise ValueError("limit must be between 1 and 10000")
        return self


class LeaderboardMember(OutputSchema):
    id: int
    name: str
    team_id: int | None


class BadgeIcon(OutputSchema):
    achievement_id: int
    key: str
    name: str
    icon: str | None
    badge_url: str | None


class LeaderboardRow(OutputSchema):
    rank: int
    member: LeaderboardMember
    score: float
    badges: list[BadgeIcon]


class Leaderboard(OutputSchema):
    period: Period
    period_start: str | None
    period_end: str | None
    measure: str
    rows: list[LeaderboardRow]
