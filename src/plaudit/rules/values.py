"""Typed field values: coerce raw JSON values to comparable ones, check record data, match filters.

A value that is missing or null is *absent*. Dates are ISO date strings; datetimes are ISO
datetime strings with a UTC offset and compare as aware UTC instants.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

from plaudit.rules.model import LIST_OPS, FieldType, Filter, FilterOp
from plaudit.rules.problems import RuleProblem

Comparable: TypeAlias = int | float | str | bool | date | datetime
"""A coerced field value; two values coerced from the same field type compare with each other."""

MAX_NUMBER = 2**53
"""The largest magnitude of a number field's value: every integer up to it is exact as a float
(and in JavaScript), and no sum of such values can overflow a float in SQL or Python."""

_ORDER: dict[FilterOp, Callable[[Any, Any], bool]] = {
    FilterOp.GT: operator.gt,
    FilterOp.GTE: operator.ge,
    FilterOp.LT: operator.lt,
    FilterOp.LTE: operator.le,
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def coerce_value(field_type: FieldType, raw: Any) -> Comparable:
    """`raw` as a comparable value of `field_type`; raises ``ValueError`` if it does not fit.

    number -> int or float (not bool; finite, within ±2**53); string -> str; boolean -> bool;
    date -> ``date`` from an ISO date string; datetime -> aware UTC ``datetime`` from an ISO
    datetime string that carries an offset (``Z`` or ``+02:00``).
    """
    if field_type is FieldType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"expected a number, got {_show(raw)}")
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError(f"expected a finite number, got {_show(raw)}")
        if abs(raw) > MAX_NUMBER:
            raise ValueError(f"expected a number between -2**53 and 2**53, got {_show(raw)}")
        return raw
    if field_type is FieldType.STRING:
        if not isinstance(raw, str):
            raise ValueError(f"expected a string, got {_show(raw)}")
        return raw
    if field_type is FieldType.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueError(f"expected true or false, got {_show(raw)}")
        return raw
    if field_type is FieldType.DATE:
        return _parse_date(raw)
    if field_type is FieldType.DATETIME:
        return _parse_datetime(raw)
    raise ValueError(f"unknown field type {_show(field_type)}")


def _parse_date(raw: Any) -> date:
    expected = f"expected an ISO date such as '2024-05-31', got {_show(raw)}"
    if not isinstance(raw, str):
        raise ValueError(expected)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(expected) from None


def _parse_datetime(raw: Any) -> datetime:
    expected = (
        "expected an ISO datetime with a UTC offset such as "
        f"'2024-05-31T14:30:00+02:00', got {_show(raw)}"
    )
    if not isinstance(raw, str):
        raise ValueError(expected)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(expected) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(expected + " (it has no offset)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 has no UTC equivalent
        raise ValueError(expected + " (it is out of range in UTC)") from None


def read_value(
    field_type: FieldType | None, data: Mapping[str, Any], field: str
) -> Comparable | None:
    """The coerced value of `field` in `data`, or None when absent.

    Absent means missing, null, a field the source does not define (`field_type` None), or a
    stored value that no longer fits the field's type.
    """
    raw = data.get(field)
    if raw is None or field_type is None:
        return None
    try:
        return coerce_value(field_type, raw)
    except ValueError:
        return None


def check_record_data(
    fields: Mapping[str, FieldType], data: Mapping[str, Any]
) -> list[RuleProblem]:
    """Problems with a record's data against its source's fields; loc is ``(field_name,)``.

    Unknown fields and values of the wrong type are problems; missing or null fields are not.
    """
    return coerce_record_data(fields, data)[1]


def coerce_record_data(
    fields: Mapping[str, FieldType], data: Mapping[str, Any]
) -> tuple[dict[str, Comparable], list[RuleProblem]]:
    """The record's data coerced (present, known and fitting fields, in `data`'s order), and
    its problems as ``check_record_data`` gives them; each value is coerced once."""
    values: dict[str, Comparable] = {}
    problems: list[RuleProblem] = []
    for name, raw in data.items():
        field_type = fields.get(name)
        if field_type is None:
            known = ", ".join(sorted(fields)) or "none"
            problems.append(
                RuleProblem((name,), f"unknown field {name!r}; this source's fields: {known}")
            )
            continue
        if raw is None:
            continue
        try:
            values[name] = coerce_value(field_type, raw)
        except ValueError as exc:
            problems.append(RuleProblem((name,), f"{name!r} is a {field_type} field: {exc}"))
    return values, problems


def matches(filter: Filter, field_type: FieldType | None, data: Mapping[str, Any]) -> bool:
    """Whether a record's `data` passes `filter`, given the type of the filter's field.

    An absent value (see :func:`read_value`) matches only ``exists false``, ``ne`` and
    ``not_in``. A filter whose value does not fit the field's type matches no record
    (validation refuses such filters). ``contains`` is a case-sensitive substring test.
    """
    value = read_value(field_type, data, filter.field)
    if filter.op is FilterOp.EXISTS:
        return (value is not None) == bool(filter.value)
    if value is None:
        return filter.op in (FilterOp.NE, FilterOp.NOT_IN)
    assert field_type is not None  # a present value was coerced with it
    try:
        if filter.op in LIST_OPS:
            targets = [coerce_value(field_type, item) for item in filter.value]
            return (value in targets) == (filter.op is FilterOp.IN)
        target = coerce_value(field_type, filter.value)
    except ValueError:
        return False
    if filter.op is FilterOp.EQ:
        return value == target
    if filter.op is FilterOp.NE:
        return value != target
    if filter.op is FilterOp.CONTAINS:
        return isinstance(value, str) and isinstance(target, str) and target in value
    compare = _ORDER[filter.op]
    try:
        return compare(value, target)
    except TypeError:  # e.g. a date against a datetime; cannot happen once types agree
        return False
