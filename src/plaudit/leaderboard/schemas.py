"""Leaderboard query and response shapes."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from plaudit.kit.schemas import InputSchema, Instant, OutputSchema, TextInt
from plaudit.periods import Period
from plaudit.rules.model import Aggregate


class LeaderboardQuery(InputSchema):
    """What to rank by. Each refusal names the query parameter at fault (``query.field``):
    the checks run parameter by parameter, in this order, each seeing the ones before it."""

    period: Period = Period.month
    team_id: TextInt | None = None
    at: Instant | None = None
    source: str | None = None
    aggregate: Aggregate | None = Field(default=None, validate_default=True)
    field: str | None = Field(default=None, validate_default=True)
    limit: TextInt = 100

    @field_validator("source", "field", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        # `?field=` is what a form sends for "none": the same as leaving the parameter out.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("aggregate")
    @classmethod
    def _aggregate_needs_source(
        cls, aggregate: Aggregate | None, info: ValidationInfo
    ) -> Aggregate | None:
        if "source" not in info.data:  # the source itself was refused; that error is reported
            return aggregate
        if info.data["source"] is None:
            if aggregate is not None:
                raise ValueError("'aggregate' needs 'source': the source whose records it ranks")
            return None
        return aggregate or Aggregate.COUNT

    @field_validator("field")
    @classmethod
    def _field_fits_aggregate(cls, field: str | None, info: ValidationInfo) -> str | None:
        if "source" not in info.data or "aggregate" not in info.data:
            return field  # refused already, and reported under its own name
        aggregate: Aggregate | None = info.data["aggregate"]
        if aggregate is None:
            if field is not None:
                raise ValueError("'field' needs 'source': the source the field belongs to")
            return None
        if aggregate is Aggregate.COUNT and field is not None:
            raise ValueError(
                "'count' counts records and takes no field; use aggregate 'count_distinct' "
                "to count distinct values of a field"
            )
        if aggregate is not Aggregate.COUNT and field is None:
            raise ValueError(f"aggregate '{aggregate}' needs 'field'")
        return field

    @field_validator("limit")
    @classmethod
    def _limit_in_range(cls, limit: int) -> int:
        if not 1 <= limit <= 10_000:
            raise ValueError("limit must be between 1 and 10000")
        return limit


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
