"""The values a source's field takes in its recent records: what the rule builder suggests
for a filter (Unifyr lists the active campaigns when a rule is about campaign activations).

Only the most recent records are read (``SAMPLE`` of them, newest first by id), so that the
answer costs the same on a source with a million records as on one with a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from plaudit.errors import InvalidInput
from plaudit.models import Record
from plaudit.rules.sql import value_of
from plaudit.rules.validation import unknown_field
from plaudit.source.service import get_source

SAMPLE = 10_000
"""How many of the newest records are read."""
MAX_LIMIT = 200


@dataclass(frozen=True)
class ValueCount:
    value: Any
    count: int


@dataclass(frozen=True)
class FieldValues:
    field: str
    values: list[ValueCount]
    sampled: int
    """How many records were read (at most ``SAMPLE``)."""


def field_values(session: Session, key: str, field: str, limit: int = 50) -> FieldValues:
    """The distinct present values of `field` in the newest records of source `key`, most
    frequent first (then by value); raises NotFound or InvalidInput naming the field."""
    source = get_source(session, key)
    types = source.field_types()
    if field not in types:
        raise InvalidInput(detail=unknown_field(key, field, types), field="field")
    recent = (
        select(Record.data)
        .where(Record.source_id == source.id)
        .order_by(desc(Record.id))
        .limit(SAMPLE)
        .subquery()
    )
    value = value_of(recent.c.data, field, types[field]).label("value")
    # One pass over the sample: absent values form a group of their own (counted in
    # `sampled`, never offered); at most SAMPLE groups come back.
    rows = session.execute(
        select(value, func.count().label("n")).group_by(value).order_by(desc("n"), value)
    ).all()
    present = [ValueCount(v, n) for v, n in rows if v is not None]
    return FieldValues(field, present[: min(max(limit, 1), MAX_LIMIT)], sum(n for _, n in rows))
