"""Streak request and response shapes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictInt, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp
from plaudit.rules.model import Rule

MAX_TARGET = 1000
MAX_FREEZES = 100


Target = Annotated[StrictInt, Field(ge=1, le=MAX_TARGET)]
Freezes = Annotated[StrictInt, Field(ge=0, le=MAX_FREEZES)]


class StreakPeriod(StrEnum):
    day = "day"
    week = "week"
    month = "month"


RULE_DESCRIPTION = (
    "One rule of the requirements language, met in a period when at least one of the "
    "member's records passes its filters and the aggregate compares true, e.g. "
    '`{"source": "calls", "aggregate": "count", "operator": "at_least", "value": 10}`.'
)


ACHIEVEMENT_DESCRIPTION = (
    "An achievement given, exactly once per member (within its category's limits), when a "
    "record makes the member's current run reach `target`; null: the streak is only shown."
)


class StreakCreate(InputSchema):
    name: Name
    rule: Rule = Field(description=RULE_DESCRIPTION)
    period: StreakPeriod = Field(
        default=StreakPeriod.week,
        description="day (working days of the calendar only), week or month, in the "
        "organisation's time zone.",
    )
    target: StrictInt = Field(
        ge=1, le=MAX_TARGET, description="N: the periods in a row the streak aims at."
    )
    freezes: StrictInt = Field(
        default=0,
        ge=0,
        le=MAX_FREEZES,
        description="K: missed periods a run survives (frozen periods do not count).",
    )
    achievement_id: StrictId | None = Field(default=None, description=ACHIEVEMENT_DESCRIPTION)


class StreakUpdate(InputSchema):
    """Only the fields sent change."""

    name: Name | SkipJsonSchema[None] = None
    rule: Rule | SkipJsonSchema[None] = Field(default=None, description=RULE_DESCRIPTION)
    period: StreakPeriod | SkipJsonSchema[None] = None
    target: Target | SkipJsonSchema[None] = None
    freezes: Freezes | SkipJsonSchema[None] = None
    achievement_id: StrictId | None = Field(default=None, description=ACHIEVEMENT_DESCRIPTION)

    @field_validator("name", "rule", "period", "target", "freezes")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"'{info.field_name}' cannot be null; leave it out to keep it")
        return value


class StreakRead(OutputSchema):
    id: int
    name: str
    rule: Rule
    period: StreakPeriod
    target: int
    freezes: int
    achievement_id: int | None
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp


class MemberStreak(OutputSchema):
    """One streak of one member, as of now."""

    streak_id: int
    name: str
    period: StreakPeriod
    target: int
    current: int = Field(description="Periods met in the current run (frozen ones not counted).")
    longest: int = Field(description="The longest run ever reached.")
    reached: bool = Field(description="Whether the current run is at least the target.")
    last_met_period: date | None = Field(
        description="First day of the latest period in which the rule was met."
    )
    freezes: int
    achievement_id: int | None
    freezes_used: int = Field(description="Freezes spent in the current run.")
    freezes_left: int
    at_risk: bool = Field(description="A run is under way and the current period is not met yet.")
