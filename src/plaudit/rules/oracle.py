"""A from-scratch, in-memory evaluator of requirements: the test oracle and the basis of explain.

It recomputes every rule's aggregate from record data and compares it with the target. Float
comparisons are tolerant (:func:`approx_equal`) so that sums like 0.1 + 0.2 meet a target of
0.3; any faster engine should compare through :func:`compare` and :func:`times_reached` too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plaudit.rules.model import Aggregate, FieldType, Operator, Rule
from plaudit.rules.values import matches, read_value

REL_TOL = 1e-9
ABS_TOL = 1e-9

_NEVER_NONE = frozenset({Aggregate.COUNT, Aggregate.SUM, Aggregate.COUNT_DISTINCT})

MAX_COMPLETIONS = 10_000
"""Completions of a repeatable achievement per member and period: a target far below the
values recorded (a sum at least 0.0000001, a record of 1e9) would otherwise write billions of
awards in one request."""
_NUMERIC = frozenset({Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX})


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome: where it is, its current aggregate, its target, and whether it is met."""

    group_index: int
    rule_index: int
    current: float | None
    target: float
    met: bool


@dataclass(frozen=True)
class Evaluation:
    """All rules' outcomes (in order), each group's outcome, and whether any group is met."""

    results: tuple[RuleResult, ...]
    groups_met: tuple[bool, ...]
    complete: bool


def approx_equal(a: float, b: float) -> bool:
    """Equal up to float error (relative 1e-9, absolute 1e-9)."""
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def compare(operator: Operator, current: float, target: float) -> bool:
    """`current` <operator> `target`, treating approximately equal values as equal."""
    close = approx_equal(current, target)
    if operator is Operator.AT_LEAST:
        return close or current > target
    if operator is Operator.MORE_THAN:
        return not close and current > target
    if operator is Operator.AT_MOST:
        return close or current < target
    if operator is Operator.LESS_THAN:
        return not close and current < target
    if operator is Operator.EXACTLY:
        return close
    raise ValueError(f"unknown operator {operator!r}")


def aggregate(
    rule: Rule, fields: Mapping[str, FieldType], datas: Iterable[Mapping[str, Any]]
) -> float | None:
    """The rule's aggregate over the record datas that pass its filters.

    `fields` are the rule's source's fields (name -> type). count: matching records; sum:
    total of the field over matching records that have it (0 when none); min/max/avg: None
    when no matching record has the field; count_distinct: distinct present values (compared
    as typed values, so datetimes in different offsets of the same instant are one value).
    Raises ``ValueError`` if sum/avg/min/max name a field that is not a number field.
    """
    matching = [
        data
        for data in datas
        if all(matches(flt, fields.get(flt.field), data) for flt in rule.where)
    ]
    if rule.aggregate is Aggregate.COUNT:
        return float(len(matching))
    if rule.field is None:
        raise ValueError(f"'{rule.aggregate}' needs a field to aggregate")
    field_type = fields.get(rule.field)
    if rule.aggregate in _NUMERIC and field_type not in (None, FieldType.NUMBER):
        raise ValueError(
            f"'{rule.aggregate}' needs a number field; {rule.field!r} is a {field_type} field"
        )
    values = [
        value
        for data in matching
        if (value := read_value(field_type, data, rule.field)) is not None
    ]
    if rule.aggregate is Aggregate.COUNT_DISTINCT:
        return float(len(set(values)))
    numbers = [
        float(value)
        for value in values
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    if rule.aggregate is Aggregate.SUM:
        return math.fsum(numbers)
    if not numbers:
        return None
    if rule.aggregate is Aggregate.AVG:
        return math.fsum(numbers) / len(numbers)
    if rule.aggregate is Aggregate.MIN:
        return min(numbers)
    if rule.aggregate is Aggregate.MAX:
        return max(numbers)
    raise ValueError(f"unknown aggregate {rule.aggregate!r}")


def rule_met(rule: Rule, current: float | None) -> bool:
    """Whether `current` meets the rule. None (no values) meets nothing, except that for
    count, sum and count_distinct None is read as 0."""
    if current is None:
        if rule.aggregate not in _NEVER_NONE:
            return False
        current = 0.0
    return compare(rule.operator, current, rule.value)


def times_reached(current: float | None, target: float) -> int:
    """The largest k >= 0 with `current` at least k x `target` (tolerantly); `target` > 0."""
    if not target > 0:
        raise ValueError(f"a repeat target must be above 0, got {target!r}")
    if current is None or current <= 0:
        return 0
    k = max(0, math.floor(current / target))
    while compare(Operator.AT_LEAST, current, (k + 1) * target):
        k += 1
    while k > 0 and not compare(Operator.AT_LEAST, current, k * target):
        k -= 1
    return k


def repeat_count(progress: Iterable[tuple[float | None, float]]) -> int:
    """Completions of a repeatable group from its rules' (current, target) pairs: the minimum
    of :func:`times_reached` over the rules, at most :data:`MAX_COMPLETIONS`; 0 for no rules."""
    counts = [times_reached(current, target) for current, target in progress]
    return min(*counts, MAX_COMPLETIONS) if counts else 0


def evaluate(
    requirements: Sequence[Sequence[Rule]],
    sources: Mapping[str, Mapping[str, FieldType]],
    records_by_source: Mapping[str, Sequence[Mapping[str, Any]]],
) -> Evaluation:
    """Evaluate every rule over the record datas of its source.

    A group is met when it has rules and all are met (an empty group is never met); the
    requirements are complete when any group is met (never when there are none). A source
    missing from `sources` has no fields; one missing from `records_by_source` has no records.
    """
    results: list[RuleResult] = []
    groups_met: list[bool] = []
    for g, group in enumerate(requirements):
        group_results: list[RuleResult] = []
        for r, rule in enumerate(group):
            current = aggregate(
                rule, sources.get(rule.source, {}), records_by_source.get(rule.source, ())
            )
            group_results.append(RuleResult(g, r, current, rule.value, rule_met(rule, current)))
        groups_met.append(bool(group_results) and all(res.met for res in group_results))
        results.extend(group_results)
    return Evaluation(tuple(results), tuple(groups_met), complete=any(groups_met))


def completions(
    requirements: Sequence[Sequence[Rule]],
    sources: Mapping[str, Mapping[str, FieldType]],
    records_by_source: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    repeatable: bool,
) -> int:
    """How many times the achievement has been earned by these records.

    Non-repeatable: 1 if complete, else 0. Repeatable: the minimum over the single group's
    rules of floor(current / target) (see :func:`times_reached`); 0 with no requirements.
    Raises ``ValueError`` for a repeatable achievement with more than one group.
    """
    evaluation = evaluate(requirements, sources, records_by_source)
    if not repeatable:
        return 1 if evaluation.complete else 0
    if not requirements:
        return 0
    if len(requirements) != 1:
        raise ValueError(
            f"a repeatable achievement needs exactly one rule group, got {len(requirements)}"
        )
    return repeat_count((res.current, res.target) for res in evaluation.results)
