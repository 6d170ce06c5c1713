"""Form helpers for the people pages (members, users, tokens): ids from text, the period a
manual award is given for, and schema errors as per-field messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from plaudit.kit.schemas import MAX_ID
from plaudit.periods import Period, period_containing, previous_start, previous_window
from plaudit.web.forms.common import GENERAL, FieldErrors
from plaudit.web.forms.plain import Friendly, schema_errors

SchemaT = TypeVar("SchemaT", bound=BaseModel)
MAX_REASON = 2000
USER_FRIENDLY = {
    ("username", "string_pattern_mismatch"): "Use letters, digits, '.', '_', '@' or '-', "
    "without spaces.",
}
PERIOD_CHOICES = (("current", "Current period"), ("previous", "Previous period"))
PERIOD_WORDS = {
    Period.none: "",
    Period.day: "daily",
    Period.week: "weekly",
    Period.month: "monthly",
    Period.quarter: "quarterly",
    Period.year: "yearly",
}


def parse_id(value: str | None) -> int | None:
    """A positive database id from text, or None for anything else (junk never reaches SQL)."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_page(value: str | None) -> int:
    """A page number from the query: 1 for anything that is not a sensible number."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 6:
        return 1
    return max(1, int(value))


@dataclass(frozen=True)
class GiveValues:
    """What the "Give achievement" form holds (as typed, for re-rendering)."""

    achievement_id: str = ""
    period: str = "current"
    reason: str = ""


def give_instant(choice: str, now: datetime, period: Period, zone: ZoneInfo) -> datetime:
    """An instant inside the chosen period: now, or the start of the previous period."""
    return previous_start(now, period, zone) if choice == "previous" else now


def period_examples(now: datetime, zone: ZoneInfo) -> list[tuple[str, str, str]]:
    """(kind, current key, previous key) for each period kind, shown as a hint."""
    out = []
    for period in (Period.day, Period.week, Period.month, Period.quarter, Period.year):
        current = period_containing(now, period, zone)
        out.append((period.value, current.key, previous_window(now, period, zone).key))
    return out


def parse_schema(
    schema: type[SchemaT],
    body: dict[str, object],
    *,
    model_field: str,
    friendly: Friendly | None = None,
) -> tuple[SchemaT | None, FieldErrors]:
    """Validate `body`; errors of the whole model (no field) go to `model_field`."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as exc:
        errors = schema_errors(exc, friendly=friendly)
        if GENERAL in errors:
            errors.setdefault(model_field, errors.pop(GENERAL))
        return None, errors


@dataclass(frozen=True)
class CredentialValues:
    """The fields a user or a token shares: a name, a role and the member of role member."""

    name: str = ""
    role: str = ""
    member_id: str = ""


def credential_body(
    values: CredentialValues, name_field: str
) -> tuple[dict[str, object], FieldErrors]:
    """The schema body for a user or token form; a member chosen for another role is ignored
    (the select stays filled in when the role changes), junk ids are refused here."""
    errors: FieldErrors = {}
    member_id = parse_id(values.member_id)
    if values.role == "member" and values.member_id and member_id is None:
        errors["member_id"] = "Choose a member."
    elif values.role == "member" and member_id is None:
        errors["member_id"] = "Choose the member this role acts as."
    body: dict[str, object] = {
        name_field: values.name,
        "role": values.role,
        "member_id": member_id if values.role == "member" else None,
    }
    return body, errors
