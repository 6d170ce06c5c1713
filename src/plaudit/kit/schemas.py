"""Base classes for request and response schemas."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)

MAX_INPUT_DEPTH = 64
"""How deeply lists and objects may nest in input (answers are serialised only so deep)."""


def unstorable(value: Any) -> str | None:
    """Why `value` (input, at any depth) cannot be stored and answered as sent, or None.

    PostgreSQL refuses NUL characters in text and JSON, no database can encode an unpaired
    UTF-16 surrogate as UTF-8, JSON has no NaN or Infinity (which Python's parser admits), and
    very deep nesting could be stored but not answered: refusing these up front answers the
    same 422 on every database, never a half-stored value. Walked with a stack, not recursion.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        at = f" at {where}" if where else ""
        if depth > MAX_INPUT_DEPTH:
            return f"the value{at} is nested more than {MAX_INPUT_DEPTH} levels deep"
        if isinstance(item, str):
            if "\x00" in item:
                return f"text{at} contains a NUL character (\\u0000), which cannot be stored"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"text{at} contains an unpaired UTF-16 surrogate, which is not valid Unicode"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"the number{at} is not finite: NaN and Infinity are not JSON numbers"
        elif isinstance(item, dict | BaseModel):
            pairs = item.items() if isinstance(item, dict) else dict(item).items()
            for key, inner in pairs:
                path = f"{where}.{key}" if where else str(key)
                key_at = f"{where} (a key)" if where else "a key"
                stack += [(inner, path, depth + 1), (key, key_at, depth + 1)]
        elif isinstance(item, list | tuple | set | frozenset):
            stack += [
                (inner, f"{where}.{i}" if where else str(i), depth + 1)
                for i, inner in enumerate(item)
            ]
    return None


class InputSchema(BaseModel):
    """Request bodies: unknown fields are refused so that typos do not pass silently, and text
    or numbers no database can store as sent are refused, naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if problem := unstorable(value):
            raise ValueError(problem)
        return value


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


def _not_a_number(value: Any) -> Any:
    """Pydantic would read 20261118 (or "2026") as seconds since 1970: refuse, do not guess."""
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, int | float) or (text and text.lstrip("+-").replace(".", "", 1).isdigit()):
        raise ValueError(
            "must be an ISO 8601 date-time with an offset, e.g. 2026-11-18T10:00:00+01:00, "
            "not a number"
        )
    return value


Instant = Annotated[
    AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_in_calendar_range)
]
"""An aware instant in input (ISO 8601 with an offset) that can be stored in UTC and placed in
any period."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OptionalText = Annotated[str, StringConstraints(max_length=200)]
Key = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
]
Color = Annotated[
    str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
]
