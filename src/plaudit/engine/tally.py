"""Tallies: the running aggregates that rules read, identified by their shape.

A rule needs one of three kinds of running aggregate over the records of its source that pass
its filters, inside its achievement's effective window, per member and period:

* ``count``: how many records match (``count`` rules);
* ``sum``: how many match, how many of those have the number field, and its sum (``sum``,
  ``avg``);
* ``values``: how many match, and the multiset of the field's values (``min``, ``max``,
  ``count_distinct``).

The shape (source, filters, kind, field, period kind, window) is the tally's identity: rules
of different achievements that differ only in their operator and target (tiers such as 5, 10
and 50 deals a month) share one tally, so a record updates it once for all of them.

This module says what a tally is and how to compute one with SQL over any table holding
record-shaped rows (the records themselves, or a staged batch); it writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, func, literal, null, true
from sqlalchemy.sql.elements import ColumnElement

from plaudit.periods import Period
from plaudit.rules.model import Aggregate, FieldType, Filter, Rule
from plaudit.rules.sql import filter_clause, value_of


class TallyKind(StrEnum):
    COUNT = "count"
    SUM = "sum"
    VALUES = "values"


def tally_kind(aggregate: Aggregate) -> TallyKind:
    if aggregate is Aggregate.COUNT:
        return TallyKind.COUNT
    if aggregate in (Aggregate.SUM, Aggregate.AVG):
        return TallyKind.SUM
    return TallyKind.VALUES


@dataclass(frozen=True, eq=False)
class TallySpec:
    """What one tally aggregates; equal (and hashed) by its signature."""

    signature: str
    source: str
    kind: TallyKind
    field: str | None
    field_type: FieldType | None
    where: tuple[Filter, ...]
    fields: Mapping[str, FieldType]
    """The source's field types, which decide how the filters compare."""
    period: Period
    effective_from: datetime | None
    effective_until: datetime | None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TallySpec) and other.signature == self.signature

    def __hash__(self) -> int:
        return hash(self.signature)

    def in_window(self, instant: datetime) -> bool:
        return (self.effective_from is None or instant >= self.effective_from) and (
            self.effective_until is None or instant < self.effective_until
        )

    @property
    def numeric(self) -> bool:
        """Whether the tally keeps a number of values and a sum."""
        return self.kind is TallyKind.SUM and self.field_type is FieldType.NUMBER

    @property
    def keeps_values(self) -> bool:
        return self.kind is TallyKind.VALUES and self.field_type is not None


def _instant(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") if value is not None else None


def spec_for(
    rule: Rule,
    fields: Mapping[str, FieldType],
    period: Period,
    effective_from: datetime | None,
    effective_until: datetime | None,
) -> TallySpec:
    kind = tally_kind(rule.aggregate)
    field = rule.field if kind is not TallyKind.COUNT else None
    where = tuple(
        sorted(rule.where, key=lambda f: json.dumps(f.model_dump(mode="json"), sort_keys=True))
    )
    definition = {
        "source": rule.source,
        "kind": kind.value,
        "field": field,
        "where": [f.model_dump(mode="json") for f in where],
        "period": period.value,
        "from": _instant(effective_from),
        "until": _instant(effective_until),
    }
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return TallySpec(
        signature=hashlib.sha256(text.encode()).hexdigest(),
        source=rule.source,
        kind=kind,
        field=field,
        field_type=fields.get(field) if field else None,
        where=where,
        fields=dict(fields),
        period=period,
        effective_from=effective_from,
        effective_until=effective_until,
    )


def definition_of(spec: TallySpec) -> dict[str, Any]:
    """The JSON-ready identity of a tally, stored beside it for people reading the database."""
    return {
        "source": spec.source,
        "kind": spec.kind.value,
        "field": spec.field,
        "where": [f.model_dump(mode="json") for f in spec.where],
        "period": spec.period.value,
        "from": _instant(spec.effective_from),
        "until": _instant(spec.effective_until),
    }


# --- SQL over record-shaped rows ------------------------------------------------------------


def where_clause(spec: TallySpec, data: Any, occurred_at: Any) -> ColumnElement[bool]:
    """Rows in the tally's window that pass its filters."""
    clauses: list[ColumnElement[bool]] = [
        filter_clause(f, spec.fields.get(f.field), data) for f in spec.where
    ]
    if spec.effective_from is not None:
        clauses.append(occurred_at >= spec.effective_from)
    if spec.effective_until is not None:
        clauses.append(occurred_at < spec.effective_until)
    return and_(*clauses) if clauses else true()


def number_of(spec: TallySpec, data: Any) -> ColumnElement[Any]:
    """The tally's number field (NULL when absent, or when the tally keeps no sum)."""
    if spec.numeric:
        assert spec.field is not None
        return value_of(data, spec.field, FieldType.NUMBER)
    return cast(null(), Float)


def progress_columns(
    spec: TallySpec, data: Any, sign: Any | None = None
) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """Aggregates (matched, n_values, total) for ``GROUP BY member, period``.

    `sign` is a column of +1 (a record added) and -1 (a record taken back) in a staged batch,
    or None when every row counts once (building from the records)."""
    number = number_of(spec, data)
    if sign is None:
        return func.count(), func.count(number), func.coalesce(func.sum(number), 0.0)
    return (
        func.sum(sign),
        func.coalesce(func.sum(case((number.is_not(None), sign), else_=0)), 0),
        func.coalesce(func.sum(sign * number), 0.0),
    )


def value_columns(
    spec: TallySpec, data: Any
) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """(present, value_key, numeric) of the tally's field, the SQL twin of
    ``canonical.distinct_key``: numbers by float value, booleans as 'true'/'false', anything
    else by its canonical text."""
    assert spec.field is not None and spec.field_type is not None
    value = value_of(data, spec.field, spec.field_type)
    if spec.field_type is FieldType.NUMBER:
        return value.is_not(None), cast(literal(""), String), value
    zero = cast(literal(0.0), Float)
    if spec.field_type is FieldType.BOOLEAN:
        return value.is_not(None), case((value, "true"), else_="false"), zero
    return value.is_not(None), value, zero
