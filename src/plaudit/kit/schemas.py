"""Base classes for request and response schemas."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
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
    StrictInt,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)

_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")


def without_validator_prefix(message: str) -> str:
    """`message` without the "Value error, " pydantic puts before the text of a validator's
    own ValueError (which already says what is wrong)."""
    for prefix in _VALIDATOR_PREFIXES:
        message = message.removeprefix(prefix)
    return message


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message, without the validator prefix."""
    return without_validator_prefix(str(error.get("msg", "invalid value")))


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
    or numbers no database can store as sent are refused, naming the field.

    Numbers and flags in JSON bodies are declared strict (`StrictInt`, `StrictFloat`,
    `StrictBool`, `StrictId`): pydantic's lax mode would take `true` as the id 1, `"3"` as 3
    and `0` as false, which is bad input accepted silently. Strictness is per field, not in
    the config, because request bodies are validated as Python objects, where strict mode
    would also refuse ISO text for datetimes and values for enums. Query models, whose
    values arrive as text, keep the lax types.
    tests/api/test_strict_bodies.py checks every body field of the API."""

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
MAX_ID = 2**31 - 1
"""The largest id every database here stores: ids are INTEGER columns, 32 bits on PostgreSQL
(SQLite's are 64). Larger numbers are refused by name before a query sees them, so one
document and one answer hold for both databases."""
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")


def _whole_number_text(value: Any) -> Any:
    """Lax mode would read "1.0", "+0.0" and "1_000" as integers: text must be one."""
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(f"must be a whole number such as 3, not {value[:50]!r}")
    return value


WHOLE_NUMBER_TEXT = BeforeValidator(_whole_number_text)
"""Put it after any bounds in an `Annotated` (`Annotated[int, Query(ge=1), WHOLE_NUMBER_TEXT]`):
bounds declared outside an alias that holds a validator reach the OpenAPI document as `ge` and
`le`, words no client reads, instead of `minimum` and `maximum`."""
TextInt = Annotated[int, WHOLE_NUMBER_TEXT]
"""An integer in a query string or a path, where every value arrives as text: the text of an
integer, so `/teams/1.0` is not team 1. Bounds go on the model field (`Field(ge=1)`), or use
WHOLE_NUMBER_TEXT directly in a parameter's `Annotated`."""
Id = Annotated[int, Field(ge=1, le=MAX_ID), WHOLE_NUMBER_TEXT]
"""An id in a query string or a path."""
StrictId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
"""An id in a JSON body: a JSON integer, never `true` or `"3"` (see InputSchema)."""


def _in_calendar_range(value: datetime) -> datetime:
    """Stored in UTC and placed in periods (whose bounds may lie a year on): both must fit."""
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not 2 <= year <= 9998:
        raise ValueError("must be between the years 2 and 9998")
    return value


def not_a_number(expected: str) -> BeforeValidator:
    """Refuses numbers where a time is expected. Pydantic would read 20261118 (or "2026") as
    seconds since 1970, and 0 as 1970-01-01: refuse, do not guess."""

    def check(value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number or (text and text.lstrip("+-").replace(".", "", 1).isdigit()):
            raise ValueError(f"must be {expected}, not a number")
        return value

    return BeforeValidator(check)


INSTANT_EXAMPLE = "2026-11-18T10:00:00+01:00"


def _worded_instant_errors(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Pydantic's own words for a bad aware datetime mislead: a date alone is refused with
    "Input should have timezone info", and unreadable text with "a valid datetime or date"
    although no date is taken. Say what is needed instead."""
    try:
        return handler(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "timezone_aware":
            raise ValueError(
                f"needs an offset (Z or +01:00, say), e.g. {INSTANT_EXAMPLE}: "
                "a date or a time without one is ambiguous"
            ) from None
        if error["type"] in ("datetime_from_date_parsing", "datetime_parsing"):
            reason = error.get("ctx", {}).get("error")
            because = f" ({reason})" if reason else ""
            raise ValueError(
                f"must be an ISO 8601 date-time with an offset, e.g. {INSTANT_EXAMPLE}{because}"
            ) from None
        raise


Instant = Annotated[
    AwareDatetime,
    WrapValidator(_worded_instant_errors),
    not_a_number(f"an ISO 8601 date-time with an offset, e.g. {INSTANT_EXAMPLE}"),
    AfterValidator(_in_calendar_range),
]
"""An aware instant in input (ISO 8601 with an offset) that can be stored in UTC and placed in
any period."""
SPACE_OR_CONTROL = r"\x00-\x20\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""The inside of a character class of every control and space character, for patterns that
must mean one thing everywhere. `\\s` does not: JSON Schema's patterns are ECMA-262's, where
U+0085 is not a space, while pydantic's (Rust) and Python's regexes call it one, so a client
following the published schema sent an address the server refused."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
OptionalText = Annotated[str, StringConstraints(max_length=200)]
Key = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
]
Color = Annotated[
    str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
]
