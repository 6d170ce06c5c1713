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
This module is pure: it imports neither a database nor a web framework.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Literal, TypeAlias

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from pydantic import ValidationError

from plaudit.kit.schemas import error_message
from plaudit.rules.model import Aggregate, FieldType, Filter, FilterOp, Operator, Rule
from plaudit.rules.oracle import compare
from plaudit.rules.validation import validate_requirements

MAX_DEPTH = 64
"""Deepest nesting accepted: parentheses and signs (unary ``-`` and ``+``) inside each other.

A chain of ``+`` and ``-`` (or of ``*`` and ``/``) is one level however long it is: it is kept
as one :class:`Chain`, not as a tree as deep as the chain is long. So every expression is at
most about three nodes deep per level, and building and evaluating it, which recurse, stay far
below Python's recursion limit for any formula of the accepted length.
"""

GRAMMAR = r"""
?start: sum
?sum: product
    | sum PLUS product    -> add
    | sum MINUS product   -> sub
?product: unary
    | product STAR unary  -> mul
    | product SLASH unary -> div
?unary: atom
    | MINUS unary -> neg
    | PLUS unary  -> pos
?atom: NUMBER -> number
    | call
    | LPAR sum RPAR -> group
call: NAME LPAR REF [where_clause] RPAR
where_clause: WHERE condition (AND condition)*
condition: NAME OP value                                  -> compare
    | NAME [NOT] IN LPAR value (COMMA value)* RPAR         -> member
    | NAME CONTAINS value                                 -> contains
    | NAME [NOT] EXISTS                                   -> exists
value: STRING | MINUS? NUMBER | TRUE | FALSE
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
LPAR: "("
RPAR: ")"
COMMA: ","
WHERE: "where"i
AND: "and"i
NOT: "not"i
IN: "in"i
CONTAINS: "contains"i
EXISTS: "exists"i
TRUE: "true"i
FALSE: "false"i
OP: /==|!=|<>|>=|<=|=|>|</
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
REF: /[A-Za-z0-9_][A-Za-z0-9_.\-]*/
STRING: /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/
%ignore /[ \t\r\n]+/
"""

_EXPECTED_WORDS = {
    "NUMBER": "a number",
    "REF": "a source (such as calls, or deals.value)",
    "STRING": "a quoted text such as 'approved'",
    "OP": "a comparison (=, !=, <, <=, >, >=)",
    "LPAR": "'('",
    "RPAR": "')'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "COMMA": "','",
    "WHERE": "'where'",
    "AND": "'and'",
    "NOT": "'not'",
    "IN": "'in'",
    "CONTAINS": "'contains'",
    "EXISTS": "'exists'",
    "TRUE": "true",
    "FALSE": "false",
    "$END": "the end of the formula",
}

AGGREGATES: dict[str, Aggregate] = {a.value: a for a in Aggregate}

_COMPARISONS = {
    "=": FilterOp.EQ,
    "==": FilterOp.EQ,
    "!=": FilterOp.NE,
    "<>": FilterOp.NE,
    ">": FilterOp.GT,
    ">=": FilterOp.GTE,
    "<": FilterOp.LT,
    "<=": FilterOp.LTE,
}


BinaryOperator: TypeAlias = Literal["+", "-", "*", "/"]

_BINARY_OPS: dict[str, BinaryOperator] = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
}
_ALIKE = {
    "add": ("add", "sub"),
    "sub": ("add", "sub"),
    "mul": ("mul", "div"),
    "div": ("mul", "div"),
}


class FormulaOperator(StrEnum):
    """How a formula's result is compared with the threshold."""

    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="
    EQ = "=="


_OPERATORS = {
    FormulaOperator.GT: Operator.MORE_THAN,
    FormulaOperator.GTE: Operator.AT_LEAST,
    FormulaOperator.LT: Operator.LESS_THAN,
    FormulaOperator.LTE: Operator.AT_MOST,
    FormulaOperator.EQ: Operator.EXACTLY,
}


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


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)


def snippet(text: str, position: Position) -> str:
    lines = text.splitlines() or [""]
    line = lines[min(position.line, len(lines)) - 1]
    return f"{line}\n{' ' * (position.column - 1)}^"


def problem_at(text: str, position: Position, message: str) -> FormulaProblem:
    return FormulaProblem(position, message, snippet(text, position))


def _end_of(text: str) -> Position:
    lines = text.split("\n")
    return Position(len(lines), len(lines[-1]) + 1)


def _expected(names: set[str] | frozenset[str]) -> str:
    # A name where a number could stand is an aggregate call; anywhere else it is a field.
    name = "an aggregate such as count(calls)" if "NUMBER" in names else "a field name"
    words = sorted({name if n == "NAME" else _EXPECTED_WORDS.get(n, n) for n in names})
    if not words:
        return "nothing more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _syntax_problem(text: str, exc: UnexpectedInput) -> FormulaProblem:
    if isinstance(exc, UnexpectedCharacters):
        position = Position(exc.line, exc.column)
        char = exc.char
        if char in "'\"":
            return problem_at(text, position, "this quoted text is never closed")
        return problem_at(
            text, position, f"unexpected character {char!r}; expected {_expected(exc.allowed)}"
        )
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        expected = _reachable(exc.expected, text, token.start_pos or 0)
        message = f"unexpected {str(token)!r}; expected {_expected(expected)}"
        if token.type == "OP" and "WHERE" not in expected:
            message += " (the comparison goes in 'operator' and 'threshold', not in the formula)"
        return problem_at(text, Position(token.line or 1, token.column or 1), message)
    expected = _reachable(getattr(exc, "expected", None) or set(), text, len(text))
    return problem_at(
        text, _end_of(text), f"the formula ends too early; expected {_expected(expected)}"
    )


def _reachable(names: set[str] | frozenset[str], text: str, offset: int) -> set[str]:
    """The expected terminals, less a ')' that would close nothing (LALR lookahead offers it)."""
    depth, quote = 0, ""
    for char in text[:offset]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
    return set(names) if depth > 0 else set(names) - {"RPAR"}


def _at(token: Token) -> Position:
    return Position(token.line or 1, token.column or 1)


class _Builder:
    """Turns Lark's tree into the formula's own expressions, collecting the aggregate calls."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[Call] = []

    def fail(self, position: Position, message: str) -> FormulaSyntaxError:
        return FormulaSyntaxError([problem_at(self.text, position, message)])

    def expr(self, node: Tree[Token] | Token, depth: int = 0) -> Expr:
        """`node` as an expression; `depth` counts the parentheses and signs around it."""
        assert isinstance(node, Tree)
        kind = node.data
        children = node.children
        if kind == "number":
            token = children[0]
            assert isinstance(token, Token)
            value = float(token)
            if not math.isfinite(value):
                raise self.fail(_at(token), f"the number {str(token)!r} is too large")
            return Number(value)
        if kind in ("group", "neg", "pos"):
            opening, inner = children[0], children[1]
            assert isinstance(opening, Token) and isinstance(inner, Tree | Token)
            if depth >= MAX_DEPTH:
                raise self.fail(
                    _at(opening),
                    f"the formula is nested too deeply (more than {MAX_DEPTH} levels of "
                    "parentheses and signs)",
                )
            inner_expr = self.expr(inner, depth + 1)
            return Negative(inner_expr) if kind == "neg" else inner_expr
        if kind in _ALIKE:
            # Lark nests `a + b - c` as sub(add(a, b), c): walk down the left spine (a loop, so
            # a long chain costs no recursion), then build the operands in the order written,
            # which is the order the aggregate calls are numbered in.
            rest: list[tuple[BinaryOperator, Tree[Token] | Token]] = []
            first: Tree[Token] | Token = node
            while isinstance(first, Tree) and first.data in _ALIKE[str(kind)]:
                left, _, right = first.children
                assert isinstance(left, Tree | Token) and isinstance(right, Tree | Token)
                rest.append((_BINARY_OPS[str(first.data)], right))
                first = left
            head = self.expr(first, depth)
            operands: list[tuple[BinaryOperator, Expr]] = []
            for op, right in reversed(rest):  # a loop, not a generator: one frame less a level
                operands.append((op, self.expr(right, depth)))
            return Chain(head, tuple(operands))
        if kind == "call":
            return self.call(node)
        raise AssertionError(f"unexpected node {kind!r}")  # pragma: no cover - grammar bug

    def call(self, node: Tree[Token]) -> Aggregation:
        name, _, ref, where, _ = node.children
        assert isinstance(name, Token) and isinstance(ref, Token)
        conditions: list[Condition] = []
        if isinstance(where, Tree):
            for child in where.children:
                if isinstance(child, Tree):
                    conditions.append(self.condition(child))
        self.calls.append(Call(str(name), _at(name), str(ref), _at(ref), tuple(conditions)))
        return Aggregation(len(self.calls) - 1)

    def condition(self, node: Tree[Token]) -> Condition:
        field = node.children[0]
        assert isinstance(field, Token)
        kind = node.data
        tokens = [c for c in node.children if isinstance(c, Token)]
        values = [c for c in node.children if isinstance(c, Tree)]
        negated = any(t.type == "NOT" for t in tokens)
        op_token = tokens[1]
        if kind == "compare":
            op = _COMPARISONS[str(op_token)]
            value, value_at = self.value(values[0])
        elif kind == "member":
            op = FilterOp.NOT_IN if negated else FilterOp.IN
            items = [self.value(v) for v in values]
            value, value_at = [v for v, _ in items], items[0][1]
        elif kind == "contains":
            op = FilterOp.CONTAINS
            value, value_at = self.value(values[0])
        else:
            op, value, value_at = FilterOp.EXISTS, not negated, _at(op_token)
        return Condition(str(field), _at(field), op, _at(op_token), value, value_at)

    def value(self, node: Tree[Token]) -> tuple[Any, Position]:
        tokens = [c for c in node.children if isinstance(c, Token)]
        first, last = tokens[0], tokens[-1]
        if last.type == "STRING":
            return _unquote(str(last)), _at(first)
        if last.type == "TRUE":
            return True, _at(first)
        if last.type == "FALSE":
            return False, _at(first)
        text = str(last)
        number: float | int = float(text) if any(c in text for c in ".eE") else int(text)
        if not math.isfinite(number):
            raise self.fail(_at(last), f"the number {text!r} is too large")
        return (-number if first.type == "MINUS" else number), _at(first)


def _unquote(quoted: str) -> str:
    body = quoted[1:-1]
    out: list[str] = []
    escaped = False
    for char in body:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def parse_formula(text: str) -> ParsedFormula:
    """Parse `text`; raises :class:`FormulaSyntaxError` with the position of the mistake."""
    if not text.strip():
        raise FormulaSyntaxError([problem_at(text, Position(1, 1), "the formula is empty")])
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise FormulaSyntaxError([_syntax_problem(text, exc)]) from None
    builder = _Builder(text)
    expr = builder.expr(tree)
    return ParsedFormula(text, expr, tuple(builder.calls))


SourceFields: TypeAlias = Mapping[str, Mapping[str, FieldType]]


def _unknown_source(name: str, sources: SourceFields) -> str:
    known = ", ".join(repr(s) for s in sorted(sources)) or "none are defined yet"
    return f"unknown source {name!r}; known sources: {known}"


class _RefError(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _split_ref(call: Call, aggregate: Aggregate, sources: SourceFields) -> tuple[str, str | None]:
    """(source, field) of the call's reference; raises _RefError with the place to blame."""
    ref = call.ref
    source, dot, field = ref.rpartition(".")
    if aggregate is Aggregate.COUNT:
        if ref in sources:
            return ref, None
        if dot and source in sources:
            raise _RefError(
                "'count' counts records and takes no field: write "
                f"count({source}); count_distinct({ref}) counts distinct values",
                Position(call.ref_at.line, call.ref_at.column + len(source) + 1),
            )
        raise _RefError(_unknown_source(ref, sources), call.ref_at)
    if dot and source in sources:
        return source, field
    if ref in sources:
        raise _RefError(
            f"'{aggregate}' needs a field: write {aggregate}({ref}.<field>)", call.ref_at
        )
    raise _RefError(_unknown_source(source if dot else ref, sources), call.ref_at)


def resolve_formula(
    parsed: ParsedFormula, sources: SourceFields
) -> tuple[list[Rule], list[FormulaProblem]]:
    """Each aggregate call as a rule (its operator and value are unused), checked against the
    sources' fields exactly as rules are; every problem carries its position."""
    rules: list[Rule] = []
    problems: list[FormulaProblem] = []
    text = parsed.text
    for call in parsed.calls:
        aggregate = AGGREGATES.get(call.function.lower())
        if aggregate is None:
            known = ", ".join(AGGREGATES)
            problems.append(
                problem_at(
                    text,
                    call.function_at,
                    f"unknown aggregate {call.function!r}; use one of {known}",
                )
            )
            continue
        try:
            source, field = _split_ref(call, aggregate, sources)
        except _RefError as exc:
            problems.append(problem_at(text, exc.position, exc.message))
            continue
        field_at = Position(call.ref_at.line, call.ref_at.column + len(source) + 1)
        try:
            where = [Filter(field=c.field, op=c.op, value=c.value) for c in call.conditions]
            rule = Rule(
                source=source,
                where=where,
                aggregate=aggregate,
                field=field,
                operator=Operator.AT_LEAST,
                value=0.0,
            )
        except ValidationError as exc:
            message = "; ".join(error_message(e) for e in exc.errors())
            problems.append(problem_at(text, call.ref_at, message))
            continue
        for found in validate_requirements([[rule]], sources, repeatable=False):
            loc = found.loc[2:]
            position = call.ref_at
            if loc[:1] == ("field",):
                position = field_at
            elif loc[:1] == ("where",) and len(loc) >= 3:
                index = loc[1]
                assert isinstance(index, int)
                condition = call.conditions[index]
                position = {"field": condition.field_at, "op": condition.op_at}.get(
                    str(loc[2]), condition.value_at
                )
            problems.append(problem_at(text, position, found.message))
        rules.append(rule)
    return rules, problems


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
