"""The language of formula triggers, parsed by a grammar (Lark, LALR) and never by ``eval``.

A formula is arithmetic over aggregates of sources for one member in one period::

    sum(deals.value where status = 'approved') / count(calls)

- numbers (``2``, ``0.5``, ``1e3``), ``+ - * /``, unary minus, parentheses; ``*`` and ``/``
  bind tighter than ``+`` and ``-``, and all four associate to the left;
- aggregate calls ``count(source)``, ``sum|min|max|avg(source.field)``,
  ``count_distinct(source.field)``, each with an optional ``where`` of conditions joined by
  ``and``: ``field = 'text'``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``field in (1, 2)``,
  ``field not in ('a')``, ``field contains 'x'``, ``field exists``, ``field not exists``.
  Each call is the rules' own aggregate over the rules' own filters.

A result is a number or *no value*: division by zero, ``min``/``max``/``avg`` over no
values, or a result too large for a float, all give no value, which meets no threshold.
This package is pure: it imports neither a database nor a web framework.
"""

from plaudit.notification.formula.evaluate import crosses, evaluate, meets
from plaudit.notification.formula.parser import AGGREGATES, parse_formula, problem_at, snippet
from plaudit.notification.formula.resolve import SourceFields, resolve_formula
from plaudit.notification.formula.syntax import (
    MAX_DEPTH,
    Aggregation,
    BinaryOperator,
    Call,
    Chain,
    Condition,
    Expr,
    FormulaOperator,
    FormulaProblem,
    FormulaSyntaxError,
    Negative,
    Number,
    ParsedFormula,
    Position,
)

__all__ = [
    "AGGREGATES",
    "MAX_DEPTH",
    "Aggregation",
    "BinaryOperator",
    "Call",
    "Chain",
    "Condition",
    "Expr",
    "FormulaOperator",
    "FormulaProblem",
    "FormulaSyntaxError",
    "Negative",
    "Number",
    "ParsedFormula",
    "Position",
    "SourceFields",
    "crosses",
    "evaluate",
    "meets",
    "parse_formula",
    "problem_at",
    "resolve_formula",
    "snippet",
]
