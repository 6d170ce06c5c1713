"""Level request and response shapes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from plaudit.kit.schemas import InputSchema, OutputSchema, Timestamp

MAX_LEVEL_POINTS = 2_000_000_000

LevelName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
LevelPoints = Annotated[StrictInt, Field(ge=1, le=MAX_LEVEL_POINTS)]


class LevelScope(StrEnum):
    """Which points count: every non-revoked award, or those of the current calendar year
    (in the organisation's zone); a yearly level is reached again each year."""

    all_time = "all_time"
    year = "year"


class LevelCreate(InputSchema):
    name: LevelName
    points: LevelPoints = Field(description="The points from which a member is at this level.")
    scope: LevelScope = LevelScope.all_time


class LevelUpdate(InputSchema):
    name: LevelName | None = None
    points: LevelPoints | None = None
    scope: LevelScope | None = None


class LevelRead(OutputSchema):
    id: int
    name: str
    points: int
    scope: LevelScope
    created_at: Timestamp


class MemberLevel(OutputSchema):
    """Where a member stands on the ladder now, computed from their points."""

    member_id: int
    level: LevelRead | None
    points: int = Field(description="Points of all the member's non-revoked awards.")
    points_this_year: int = Field(description="Of those, the points of the current year.")
    next_level: LevelRead | None
    points_to_next: int | None = Field(
        description="Points still missing for the next level, counted in its scope."
    )
