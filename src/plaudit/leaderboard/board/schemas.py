"""Board request and response shapes. A board's measure is checked as GET /leaderboard
checks its `source`, `aggregate`, `field` and `where` (plaudit.leaderboard.measure)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp
from plaudit.leaderboard.measure import aggregate_for, field_for
from plaudit.limits import MAX_FILTERS
from plaudit.periods import Period
from plaudit.rules.model import Aggregate, Filter

SourceKey = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class BoardMeasure(InputSchema):
    """An aggregate of a source's records: `count` by default, of `field` where the
    aggregate needs one, over the records that pass every filter of `where`."""

    source: SourceKey
    aggregate: Aggregate | None = Field(default=None, validate_default=True)
    field: FieldName | None = Field(default=None, validate_default=True)
    where: list[Filter] = Field(default_factory=list, max_length=MAX_FILTERS)

    @field_validator("aggregate")
    @classmethod
    def _count_by_default(cls, aggregate: Aggregate | None, info: ValidationInfo) -> Any:
        return aggregate_for(info.data.get("source", ""), aggregate)

    @field_validator("field")
    @classmethod
    def _field_fits_aggregate(cls, field: str | None, info: ValidationInfo) -> str | None:
        if "aggregate" not in info.data:
            return field  # the aggregate was refused; that error is reported
        return field_for(info.data["aggregate"], field)


MAX_SEASON_AWARDS = 10
SEASON_PERIODS = frozenset({Period.week, Period.month, Period.quarter, Period.year})


class SeasonAward(InputSchema):
    """When a season ends, the members ranked `top` or better get the achievement (members
    tied within the top all do), through the award service and its category rules."""

    top: Annotated[StrictInt, Field(ge=1, le=1000)]
    achievement_id: StrictId


SeasonAwards = Annotated[list[SeasonAward], Field(max_length=MAX_SEASON_AWARDS)]

SEASONAL_DESCRIPTION = (
    "Whether the final standings of each period (week, month, quarter or year) are archived "
    "when it ends (GET /leaderboard/seasons) and its `season_awards` given."
)
SEASON_AWARDS_DESCRIPTION = (
    'Seasonal boards only: `[{top, achievement_id}]`, e.g. `[{"top": 1, "achievement_id": '
    '4}, {"top": 3, "achievement_id": 5}]`.'
)

MEASURE_DESCRIPTION = (
    "What members are ranked by: null for award points, else "
    '`{source, aggregate?, field?, where?}`, e.g. `{"source": "deals", "aggregate": "sum", '
    '"field": "value", "where": [{"field": "status", "op": "eq", "value": "Approved"}]}`.'
)


class BoardCreate(InputSchema):
    name: Name
    measure: BoardMeasure | None = Field(default=None, description=MEASURE_DESCRIPTION)
    period: Period = Field(
        default=Period.month,
        description="The period shown unless the reader asks for another ('none': all time).",
    )
    team_id: StrictId | None = Field(
        default=None, description="The team shown unless the reader asks for another."
    )
    published: StrictBool = Field(default=False, description="Whether members see the board.")
    seasonal: StrictBool = Field(default=False, description=SEASONAL_DESCRIPTION)
    season_awards: SeasonAwards = Field(default_factory=list, description=SEASON_AWARDS_DESCRIPTION)


class BoardUpdate(InputSchema):
    """Only the fields sent change; `measure` is replaced as a whole (null: points), and
    `team_id: null` shows every team."""

    # `| SkipJsonSchema[None]`: left out means "keep", but null is refused (below), so the
    # document does not offer null for these.
    name: Name | SkipJsonSchema[None] = None
    measure: BoardMeasure | None = Field(default=None, description=MEASURE_DESCRIPTION)
    period: Period | SkipJsonSchema[None] = None
    team_id: StrictId | None = None
    published: StrictBool | SkipJsonSchema[None] = None
    seasonal: StrictBool | SkipJsonSchema[None] = Field(
        default=None, description=SEASONAL_DESCRIPTION
    )
    season_awards: SeasonAwards | SkipJsonSchema[None] = Field(
        default=None, description=SEASON_AWARDS_DESCRIPTION
    )

    @field_validator("name", "period", "published", "seasonal", "season_awards")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"'{info.field_name}' cannot be null; leave it out to keep it")
        return value


class BoardMeasureRead(OutputSchema):
    source: str
    aggregate: Aggregate
    field: str | None
    where: list[Filter]


class SeasonAwardRead(OutputSchema):
    top: int
    achievement_id: int


class BoardRead(OutputSchema):
    id: int
    name: str
    measure: BoardMeasureRead | None
    measure_name: str = Field(
        description="The measure in words, as GET /leaderboard names it: `points`, "
        '`sum(deals.value) where status eq "Approved"`.'
    )
    period: Period
    team_id: int | None
    published: bool
    seasonal: bool
    season_awards: list[SeasonAwardRead]
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp
