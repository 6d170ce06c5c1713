"""Base classes for request and response schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)


class InputSchema(BaseModel):
    """Request bodies: unknown fields are refused so that typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _iso(value: datetime) -> str:
    return value.isoformat()


Timestamp = Annotated[datetime, PlainSerializer(_iso, return_type=str)]
"""A timestamp in answers: ISO 8601 with its offset."""

AwareTimestamp = AwareDatetime
MAX_ID = 2**63 - 1
"""The largest id any database here stores: larger numbers are refused before a query sees them
(SQLite cannot even bind them)."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _in_calendar_range(value: datetime) -> datetime:
    """Stored in UTC and placed in periods (whose bounds may lie a year on): both must fit."""
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not 2 <= year <= 9998:
        raise ValueError("must be between the years 2 and 9998")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_calendar_range)]
"""An aware instant in input that can be stored in UTC and placed in any period."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OptionalText = Annotated[str, StringConstraints(max_length=200)]
Key = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
]
Color = Annotated[
    str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
]
