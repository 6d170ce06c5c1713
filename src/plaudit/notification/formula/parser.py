"""Formula text to syntax tree: the Lark grammar, the tree builder and located syntax errors."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from plaudit.notification.formula.syntax import (
    MAX_DEPTH,
    Aggregation,
    BinaryOperator,
    Call,
    Chain,
    Condition,
    Expr,
    FormulaProblem,
    FormulaSyntaxError,
    Negative,
    Number,
    ParsedFormula,
    Position,
)
from plaudit.rules.model import Aggregate, FilterOp

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
