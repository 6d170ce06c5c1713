"""Canonical record data: one spelling per value, so that SQL can compare what Python compares.

Dates are stored as ``YYYY-MM-DD`` and datetimes as aware UTC ISO text with microseconds;
both then order correctly as plain text in any database. Numbers stay JSON numbers, booleans
JSON booleans; absent and null fields are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from plaudit.rules.model import FieldType
from plaudit.rules.problems import RuleProblem
from plaudit.rules.values import Comparable, coerce_record_data, coerce_value


def canonical_scalar(field_type: FieldType, raw: Any) -> Any:
    """`raw` (already known to fit) in its canonical JSON form."""
    return _canonical_form(coerce_value(field_type, raw))


def _canonical_form(value: Comparable) -> Any:
    """A coerced value in its canonical JSON form."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def checked_canonical_data(
    fields: Mapping[str, FieldType], data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[RuleProblem]]:
    """A record's data in canonical form (each present, known field's ``canonical_scalar``)
    and ``check_record_data``'s problems, in one pass: each value is coerced once. The data
    is only meaningful when there are no problems."""
    values, problems = coerce_record_data(fields, data)
    return {name: _canonical_form(value) for name, value in values.items()}, problems


def distinct_key(field_type: FieldType, value: Any) -> tuple[str, float]:
    """The identity of a canonical value for distinct counts and min/max bookkeeping.

    Numbers are identified by their float value (so 5 and 5.0 are one value, as in Python);
    everything else by its canonical text, booleans as "true"/"false".
    """
    if field_type is FieldType.NUMBER:
        return "", float(value)
    if isinstance(value, bool):
        return ("true" if value else "false"), 0.0
    return str(value), 0.0
