"""Leaderboard query and response shapes."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, ValidationInfo, field_validator

from plaudit.kit.schemas import (
    Id,
    InputSchema,
    Instant,
    OutputSchema,
    TextInt,
    error_message,
    unstorable,
)
from plaudit.leaderboard.measure import aggregate_for, field_for, where_needs_source
from plaudit.limits import MAX_FILTERS, MAX_LEADERBOARD_WHERE
from plaudit.periods import Period
from plaudit.rules.model import Aggregate, Filter, Filters

_FILTERS: TypeAdapter[list[Filter]] = TypeAdapter(Filters)


class LeaderboardQuery(InputSchema):
    """What to rank by. Each refusal names the query parameter at fault (``query.field``):
    the checks run parameter by parameter, in this order, each seeing the ones before it.
    A `board` brings its own measure (and default period and team): it takes no `source`,
    `aggregate`, `field` or `where`."""

    period: Period = Period.month
    team_id: Id | None = None
    at: Instant | None = None
    board: Id | None = Field(
        default=None,
        description="A saved board (GET /leaderboard/boards) to show: its measure, and its "
        "period and team unless `period` or `team_id` are given. Members may ask for points "
        "or a published board only.",
    )
    source: str | None = None
    aggregate: Aggregate | None = Field(default=None, validate_default=True)
    field: str | None = Field(default=None, validate_default=True)
    where: str | None = Field(
        default=None,
        validate_default=True,
        max_length=MAX_LEADERBOARD_WHERE,
        description="The records the measure counts, as a JSON list of filters like a rule's "
        '`where`, e.g. `[{"field":"status","op":"eq","value":"Approved"}]` (URL-encoded); '
        "all of them must hold. Needs `source`; left out, every record of the source counts.",
    )
    limit: TextInt = Field(default=100, ge=1, le=10_000)

    @field_validator("source", "field", "where", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        # `?field=` is what a form sends for "none": the same as leaving the parameter out.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("source")
    @classmethod
    def _source_not_with_board(cls, source: str | None, info: ValidationInfo) -> str | None:
        _not_with_board("source", source, info)
        return source

    @field_validator("aggregate")
    @classmethod
    def _aggregate_needs_source(
        cls, aggregate: Aggregate | None, info: ValidationInfo
    ) -> Aggregate | None:
        _not_with_board("aggregate", aggregate, info)
        if "source" not in info.data:  # the source itself was refused; that error is reported
            return aggregate
        return aggregate_for(info.data["source"], aggregate)

    @field_validator("field")
    @classmethod
    def _field_fits_aggregate(cls, field: str | None, info: ValidationInfo) -> str | None:
        _not_with_board("field", field, info)
        if "source" not in info.data or "aggregate" not in info.data:
            return field  # refused already, and reported under its own name
        return field_for(info.data["aggregate"], field)

    @field_validator("where")
    @classmethod
    def _where_is_filters(cls, where: str | None, info: ValidationInfo) -> str | None:
        if where is None:
            return None
        _not_with_board("where", where, info)
        if "source" in info.data:
            where_needs_source(info.data["source"])
        try:
            filters = _FILTERS.validate_json(where)
        except ValidationError as exc:
            problems = "; ".join(
                f"{_filter_loc(e['loc'])}: {error_message(e)}" for e in exc.errors()[:5]
            )
            raise ValueError(
                f"must be a JSON list of at most {MAX_FILTERS} filters such as "
                f'[{{"field":"status","op":"eq","value":"Approved"}}]: {problems}'
            ) from None
        if (problem := unstorable([f.model_dump() for f in filters])) is not None:
            raise ValueError(problem)  # NUL in a value: PostgreSQL cannot compare with it
        return where

    @property
    def has_measure(self) -> bool:
        """Whether the query chooses a measure of its own (not points, not a board)."""
        return self.source is not None or self.where is not None

    @cached_property
    def filters(self) -> list[Filter]:
        """The filters of `where` (none when it is left out), parsed once."""
        return [] if self.where is None else _FILTERS.validate_json(self.where)


def _not_with_board(name: str, value: object, info: ValidationInfo) -> None:
    if value is not None and info.data.get("board") is not None:
        raise ValueError(f"'{name}' cannot be used with 'board': a board brings its own measure")


def _filter_loc(loc: tuple[int | str, ...]) -> str:
    """("0", "op") -> "filter 0, op"; () -> "the list"."""
    if not loc:
        return "the list"
    head, *rest = loc
    return ", ".join([f"filter {head}", *map(str, rest)])


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
    secret: bool = False


class LevelShown(OutputSchema):
    """The level a member is at (computed from their points, whatever the board measures)."""

    id: int
    name: str


class LeaderboardRow(OutputSchema):
    rank: int
    member: LeaderboardMember
    score: float
    badges: list[BadgeIcon]
    level: LevelShown | None = None


class BoardShown(OutputSchema):
    """The saved board a leaderboard shows."""

    id: int
    name: str


class Leaderboard(OutputSchema):
    board: BoardShown | None = None
    period: Period
    period_start: str | None
    period_end: str | None
    measure: str
    rows: list[LeaderboardRow]
