"""Check requirements against the sources they read: names, field types, targets, repeatability.

Shape checks a rule can make on its own run in :mod:`plaudit.rules.model`; everything that
needs the sources (or the achievement's `repeatable` flag) runs here and is reported as a list
of :class:`RuleProblem`, each located relative to the requirements list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from plaudit.rules.model import (
    LIST_OPS,
    ORDER_OPS,
    Aggregate,
    FieldType,
    Filter,
    FilterOp,
    Operator,
    Rule,
)
from plaudit.rules.problems import RuleProblem
from plaudit.rules.values import coerce_value

__all__ = ["RuleProblem", "unknown_field", "validate_filters", "validate_requirements"]

Loc = tuple[str | int, ...]

_ORDERED_TYPES = frozenset({FieldType.NUMBER, FieldType.DATE, FieldType.DATETIME})
_COUNTING = frozenset({Aggregate.COUNT, Aggregate.COUNT_DISTINCT})
_REPEATABLE_AGGREGATES = frozenset({Aggregate.COUNT, Aggregate.SUM})


def validate_requirements(
    requirements: Sequence[Sequence[Rule]],
    sources: Mapping[str, Mapping[str, FieldType]],
    *,
    repeatable: bool,
) -> list[RuleProblem]:
    """Every problem with `requirements` given the `sources` (name -> field name -> type).

    No requirements at all is fine for a non-repeatable achievement (it is given manually
    only); a repeatable one needs exactly one group whose rules all count or sum records
    with ``at_least`` and a target above zero.
    """
    problems: list[RuleProblem] = []
    if repeatable and len(requirements) != 1:
        problems.append(
            RuleProblem(
                (),
                "a repeatable achievement needs exactly one rule group "
                f"(AND-ed rules), got {len(requirements)}",
            )
        )
    for g, group in enumerate(requirements):
        if not group:
            problems.append(
                RuleProblem(
                    (g,),
                    f"rule group {g} has no rules; every group needs "
                    "at least one rule (remove the group instead)",
                )
            )
        for r, rule in enumerate(group):
            problems.extend(_check_rule((g, r), rule, sources))
            if repeatable:
                problems.extend(_check_repeatable((g, r), rule))
    return problems


def _check_rule(
    loc: Loc, rule: Rule, sources: Mapping[str, Mapping[str, FieldType]]
) -> list[RuleProblem]:
    problems = _check_target(loc, rule)
    fields = sources.get(rule.source)
    if fields is None:
        known = ", ".join(repr(name) for name in sorted(sources)) or "none are defined yet"
        problems.append(
            RuleProblem((*loc, "source"), f"unknown source {rule.source!r}; known sources: {known}")
        )
        return problems
    problems.extend(validate_filters(rule.where, rule.source, fields, loc=(*loc, "where")))
    if rule.field is not None:
        problems.extend(_check_aggregate_field(loc, rule, fields))
    return problems


def validate_filters(
    where: Sequence[Filter], source: str, fields: Mapping[str, FieldType], *, loc: Loc = ()
) -> list[RuleProblem]:
    """Every problem of the filters `where` on the records of `source` (field name -> type),
    each located at `loc` + the filter's index."""
    problems: list[RuleProblem] = []
    for i, flt in enumerate(where):
        problems.extend(_check_filter((*loc, i), source, flt, fields))
    return problems


def _check_target(loc: Loc, rule: Rule) -> list[RuleProblem]:
    if not math.isfinite(rule.value):
        return [
            RuleProblem((*loc, "value"), f"the target must be a finite number, got {rule.value!r}")
        ]
    if rule.aggregate in _COUNTING and (rule.value < 0 or not float(rule.value).is_integer()):
        return [
            RuleProblem(
                (*loc, "value"),
                f"'{rule.aggregate}' counts, so its target must "
                f"be a whole number >= 0, got {rule.value:g}",
            )
        ]
    return []


def unknown_field(source: str, field: str, fields: Mapping[str, FieldType]) -> str:
    """What to say of a field the source does not have."""
    known = ", ".join(repr(name) for name in sorted(fields)) or "none"
    return f"source {source!r} has no field {field!r}; its fields: {known}"


def _check_filter(
    loc: Loc, source: str, flt: Filter, fields: Mapping[str, FieldType]
) -> list[RuleProblem]:
    field_type = fields.get(flt.field)
    if field_type is None:
        return [RuleProblem((*loc, "field"), unknown_field(source, flt.field, fields))]
    if flt.op in ORDER_OPS and field_type not in _ORDERED_TYPES:
        return [
            RuleProblem(
                (*loc, "op"),
                f"'{flt.op}' works only on number, date or datetime "
                f"fields; {flt.field!r} is a {field_type} field",
            )
        ]
    if flt.op is FilterOp.CONTAINS and field_type is not FieldType.STRING:
        return [
            RuleProblem(
                (*loc, "op"),
                f"'contains' works only on string fields; {flt.field!r} is a {field_type} field",
            )
        ]
    if flt.op is FilterOp.EXISTS:
        if not isinstance(flt.value, bool):
            return [
                RuleProblem((*loc, "value"), f"'exists' takes true or false, got {flt.value!r}")
            ]
        return []
    if flt.op in LIST_OPS:
        if not isinstance(flt.value, list) or not flt.value:
            return [RuleProblem((*loc, "value"), f"'{flt.op}' needs a non-empty list of values")]
        problems: list[RuleProblem] = []
        for j, item in enumerate(flt.value):
            problems.extend(_check_filter_value((*loc, "value", j), flt.field, field_type, item))
        return problems
    return _check_filter_value((*loc, "value"), flt.field, field_type, flt.value)


def _check_filter_value(
    loc: Loc, field: str, field_type: FieldType, value: Any
) -> list[RuleProblem]:
    try:
        coerce_value(field_type, value)
    except ValueError as exc:
        return [RuleProblem(loc, f"{field!r} is a {field_type} field: {exc}")]
    return []


def _check_aggregate_field(
    loc: Loc, rule: Rule, fields: Mapping[str, FieldType]
) -> list[RuleProblem]:
    assert rule.field is not None
    field_type = fields.get(rule.field)
    if field_type is None:
        return [RuleProblem((*loc, "field"), unknown_field(rule.source, rule.field, fields))]
    if rule.aggregate in (Aggregate.SUM, Aggregate.AVG) and field_type is not FieldType.NUMBER:
        return [
            RuleProblem(
                (*loc, "field"),
                f"'{rule.aggregate}' needs a number field; {rule.field!r} is a {field_type} field",
            )
        ]
    if rule.aggregate in (Aggregate.MIN, Aggregate.MAX) and field_type is not FieldType.NUMBER:
        return [
            RuleProblem(
                (*loc, "field"),
                f"'{rule.aggregate}' needs a number field "
                f"(dates and datetimes are not supported); "
                f"{rule.field!r} is a {field_type} field",
            )
        ]
    return []


def _check_repeatable(loc: Loc, rule: Rule) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    if rule.aggregate not in _REPEATABLE_AGGREGATES:
        problems.append(
            RuleProblem(
                (*loc, "aggregate"),
                "a repeatable achievement's rules must "
                f"use 'count' or 'sum', not '{rule.aggregate}'",
            )
        )
    if rule.operator is not Operator.AT_LEAST:
        problems.append(
            RuleProblem(
                (*loc, "operator"),
                f"a repeatable achievement's rules must use 'at_least', not '{rule.operator}'",
            )
        )
    if not rule.value > 0:
        problems.append(
            RuleProblem(
                (*loc, "value"),
                f"a repeatable achievement's rules need a target above 0, got {rule.value:g}",
            )
        )
    return problems
