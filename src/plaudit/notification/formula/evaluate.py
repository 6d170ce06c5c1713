"""Working out a formula's value from its aggregates' values, and the threshold test."""

from __future__ import annotations

import math
from collections.abc import Sequence

from plaudit.notification.formula.syntax import (
    Aggregation,
    Expr,
    FormulaOperator,
    Negative,
    Number,
)
from plaudit.rules.model import Operator
from plaudit.rules.oracle import compare

_OPERATORS = {
    FormulaOperator.GT: Operator.MORE_THAN,
    FormulaOperator.GTE: Operator.AT_LEAST,
    FormulaOperator.LT: Operator.LESS_THAN,
    FormulaOperator.LTE: Operator.AT_MOST,
    FormulaOperator.EQ: Operator.EXACTLY,
}


def evaluate(expr: Expr, values: Sequence[float | None]) -> float | None:
    """The value of `expr` given each aggregate call's value; None is *no value*.

    Recursion goes one call per level of :data:`MAX_DEPTH` or so, never one per term."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Aggregation):
        return values[expr.index]
    if isinstance(expr, Negative):
        inner = evaluate(expr.operand, values)
        return None if inner is None else -inner
    result = evaluate(expr.first, values)
    for op, operand in expr.rest:
        right = evaluate(operand, values)
        if result is None or right is None:
            return None
        if op == "+":
            result = result + right
        elif op == "-":
            result = result - right
        elif op == "*":
            result = result * right
        else:
            if right == 0:
                return None
            result = result / right
        if not math.isfinite(result):
            return None
    return result


def meets(operator: FormulaOperator, value: float | None, threshold: float) -> bool:
    """Whether a result meets the threshold (tolerantly, as rules compare); no value never does."""
    if value is None:
        return False
    return compare(_OPERATORS[operator], value, threshold)


def crosses(
    operator: FormulaOperator, before: float | None, after: float | None, threshold: float
) -> bool:
    """Whether a change of the result from `before` to `after` crosses the threshold: it did
    not meet it before (a number that does not, or no value) and does now. Every operator alike:
    with ``<`` a result that was no value (``avg`` of no records) and is now below fires."""
    return not meets(operator, before, threshold) and meets(operator, after, threshold)
