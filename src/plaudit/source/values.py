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
from plaudit.rules.model import FieldType
from plaudit.rules.sql import value_of
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
        known = ", ".join(repr(name) for name in sorted(types)) or "none"
        raise InvalidInput(
            detail=f"source {key!r} has no field {field!r}; its fields: {known}", field="field"
        )
    recent = (
        select(Record.data)
        .where(Record.source_id == source.id)
        .order_by(desc(Record.id))
        .limit(SAMPLE)
        .subquery()
    )
    value = value_of(recent.c.data, field, FieldType(types[field])).label("value")
    counted = (
        select(value, func.count().label("n"))
        .where(value.is_not(None))
        .group_by(value)
        .order_by(desc("n"), value)
        .limit(min(max(limit, 1), MAX_LIMIT))
    )
    sampled = session.scalar(select(func.count()).select_from(recent)) or 0
    rows = session.execute(counted).all()
    return FieldValues(field, [ValueCount(v, n) for v, n in rows], sampled)
