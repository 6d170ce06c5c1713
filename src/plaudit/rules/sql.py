"""Compile rules to SQL over a JSON data column, for SQLite and PostgreSQL alike.

The semantics are those of ``values.matches`` and ``oracle.aggregate`` on canonical data
(see ``canonical``): an absent value matches only ``exists false``, ``ne`` and ``not_in``;
``contains`` is case-sensitive; a filter value that does not fit its field matches nothing.
Every user value is a bound parameter: nothing is spliced into SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Float, and_, false, func, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from plaudit.rules.canonical import canonical_scalar
from plaudit.rules.model import LIST_OPS, Aggregate, FieldType, Filter, FilterOp, Rule


class _Position(FunctionElement[int]):
    """Case-sensitive substring position: instr() on SQLite, strpos() on PostgreSQL."""

    inherit_cache = True
    name = "position"


@compiles(_Position)
def _position_default(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _position_postgresql(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


JSONColumn = Any
"""A JSON column or expression (an ORM attribute such as ``Record.data`` works)."""


def value_of(data: JSONColumn, field: str, field_type: FieldType) -> ColumnElement[Any]:
    """The typed value of `data[field]`; NULL when absent."""
    element = data[field]
    if field_type is FieldType.NUMBER:
        return element.as_float()  # type: ignore[no-any-return]
    if field_type is FieldType.BOOLEAN:
        return element.as_boolean()  # type: ignore[no-any-return]
    return element.as_string()  # type: ignore[no-any-return]


def _literal(field_type: FieldType, raw: Any) -> Any:
    return canonical_scalar(field_type, raw)


def filter_clause(
    flt: Filter, field_type: FieldType | None, data: JSONColumn
) -> ColumnElement[bool]:
    if field_type is None:  # a field the source does not have is always absent
        if flt.op is FilterOp.EXISTS:
            return true() if not flt.value else false()
        return true() if flt.op in (FilterOp.NE, FilterOp.NOT_IN) else false()
    value = value_of(data, flt.field, field_type)
    if flt.op is FilterOp.EXISTS:
        return value.is_not(None) if flt.value else value.is_(None)
    try:
        if flt.op in LIST_OPS:
            targets = [_literal(field_type, item) for item in flt.value]
        else:
            target = _literal(field_type, flt.value)
    except ValueError:
        return false()
    if flt.op is FilterOp.IN:
        return and_(value.is_not(None), value.in_(targets))
    if flt.op is FilterOp.NOT_IN:
        return or_(value.is_(None), not_(value.in_(targets)))
    if flt.op is FilterOp.EQ:
        return and_(value.is_not(None), value == target)
    if flt.op is FilterOp.NE:
        return or_(value.is_(None), value != target)
    if flt.op is FilterOp.CONTAINS:
        if field_type is not FieldType.STRING:
            return false()
        return and_(value.is_not(None), _Position(value, str(target)) > 0)
    if field_type is FieldType.BOOLEAN:
        return false()
    comparisons = {
        FilterOp.GT: value > target,
        FilterOp.GTE: value >= target,
        FilterOp.LT: value < target,
        FilterOp.LTE: value <= target,
    }
    return and_(value.is_not(None), comparisons[flt.op])


def rule_clause(
    rule: Rule, fields: Mapping[str, FieldType], data: JSONColumn
) -> ColumnElement[bool]:
    """AND of the rule's filters (true when it has none)."""
    if not rule.where:
        return true()
    return and_(*(filter_clause(f, fields.get(f.field), data) for f in rule.where))


def aggregate_expr(
    rule: Rule, fields: Mapping[str, FieldType], data: JSONColumn
) -> ColumnElement[Any]:
    """The rule's aggregate, for ``SELECT member_id, <this> ... GROUP BY member_id``."""
    if rule.aggregate is Aggregate.COUNT:
        return func.count()
    assert rule.field is not None
    field_type = fields.get(rule.field)
    if field_type is None:
        return (
            func.count() * 0
            if rule.aggregate is Aggregate.COUNT_DISTINCT
            else func.sum(func.nullif(1, 1)).cast(Float)
        )
    value = value_of(data, rule.field, field_type)
    if rule.aggregate is Aggregate.COUNT_DISTINCT:
        return func.count(value.distinct())
    if rule.aggregate is Aggregate.SUM:
        return func.coalesce(func.sum(value), 0.0)
    if rule.aggregate is Aggregate.AVG:
        return func.avg(value)
    if rule.aggregate is Aggregate.MIN:
        return func.min(value)
    return func.max(value)
