"""The formula's syntax tree, its operators and the problems found in a text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from plaudit.rules.model import FilterOp

MAX_DEPTH = 64
"""Deepest nesting accepted: parentheses and signs (unary ``-`` and ``+``) inside each other.

A chain of ``+`` and ``-`` (or of ``*`` and ``/``) is one level however long it is: it is kept
as one :class:`Chain`, not as a tree as deep as the chain is long. So every expression is at
most about three nodes deep per level, and building and evaluating it, which recurse, stay far
below Python's recursion limit for any formula of the accepted length.
"""


BinaryOperator: TypeAlias = Literal["+", "-", "*", "/"]


class FormulaOperator(StrEnum):
    """How a formula's result is compared with the threshold."""

    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="
    EQ = "=="


@dataclass(frozen=True)
class Position:
    """1-based line and column in the formula text."""

    line: int
    column: int


@dataclass(frozen=True)
class FormulaProblem:
    """One mistake: where it is, what is wrong, and the line with a caret under the place."""

    position: Position
    message: str
    snippet: str

    def describe(self) -> str:
        return f"line {self.position.line}, column {self.position.column}: {self.message}"


class FormulaSyntaxError(ValueError):
    def __init__(self, problems: list[FormulaProblem]) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Negative:
    operand: Expr


@dataclass(frozen=True)
class Chain:
    """``first op operand op operand ...`` worked out left to right: a sum or a product.

    All the operators of a chain bind alike (all ``+``/``-`` or all ``*``/``/``)."""

    first: Expr
    rest: tuple[tuple[BinaryOperator, Expr], ...]


@dataclass(frozen=True)
class Aggregation:
    """The value of the formula's `index`-th aggregate call."""

    index: int


Expr: TypeAlias = Number | Negative | Chain | Aggregation


@dataclass(frozen=True)
class Condition:
    field: str
    field_at: Position
    op: FilterOp
    op_at: Position
    value: Any
    value_at: Position


@dataclass(frozen=True)
class Call:
    function: str
    function_at: Position
    ref: str
    ref_at: Position
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class ParsedFormula:
    text: str
    expr: Expr
    calls: tuple[Call, ...]
