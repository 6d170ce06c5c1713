"""The formula language on its own: grammar, precedence, positions of mistakes, no value, and a
property test against Python's own arithmetic over the same numbers."""

from __future__ import annotations

import inspect
import math
import sys
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plaudit.notification.formula import (
    MAX_DEPTH,
    Aggregation,
    Chain,
    FormulaOperator,
    FormulaSyntaxError,
    evaluate,
    meets,
    parse_formula,
    resolve_formula,
)
from plaudit.rules.model import Aggregate, FieldType, FilterOp
from tests.hypothesis_profiles import examples

SOURCES = {
    "deals": {"value": FieldType.NUMBER, "status": FieldType.STRING, "closed": FieldType.DATE},
    "calls": {"minutes": FieldType.NUMBER, "won": FieldType.BOOLEAN},
    "partner.events-v2": {"kind": FieldType.STRING},
}


def value_of(text: str, *values: float | None) -> float | None:
    parsed = parse_formula(text)
    assert len(parsed.calls) == len(values)
    return evaluate(parsed.expr, list(values))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("8 / 4 / 2", 1.0),  # left to right
        ("10 - 4 - 3", 3.0),
        ("2 * 3 + 4 * 5", 26.0),
        ("2 * (3 + 4) * 5", 70.0),
        ("-2 * 3", -6.0),
        ("2 * -3", -6.0),
        ("- -2", 2.0),
        ("+4 - -4", 8.0),
        ("1 - 2 * 3 / 4 + 5", 4.5),
        ("1e3 / .5", 2000.0),
        ("7", 7.0),
    ],
)
def test_arithmetic_and_precedence(text: str, expected: float) -> None:
    assert value_of(text) == expected


def test_the_brief_example_reads_two_aggregates_in_order() -> None:
    parsed = parse_formula("sum(deals.value where status = 'approved') / count(calls)")
    rules, problems = resolve_formula(parsed, SOURCES)
    assert problems == []
    deals, calls = rules
    assert (deals.source, deals.aggregate, deals.field) == ("deals", Aggregate.SUM, "value")
    assert [(f.field, f.op, f.value) for f in deals.where] == [("status", FilterOp.EQ, "approved")]
    assert (calls.source, calls.aggregate, calls.field, calls.where) == (
        "calls",
        Aggregate.COUNT,
        None,
        [],
    )
    assert evaluate(parsed.expr, [50_000.0, 20.0]) == 2500.0


def test_every_condition_form_becomes_a_rule_filter() -> None:
    parsed = parse_formula(
        "count(deals where status in ('won', \"lost\") and value >= -5 and closed exists "
        "and status not in ('x') and status contains 'o' and value not exists "
        "and status != 'it\\'s' and value <> 1.5 and value < 2 and value <= 3 and value > 0 "
        "and value == 4)"
    )
    rules, problems = resolve_formula(parsed, SOURCES)
    assert problems == []
    ops = [(f.field, f.op, f.value) for f in rules[0].where]
    assert ops == [
        ("status", FilterOp.IN, ["won", "lost"]),
        ("value", FilterOp.GTE, -5),
        ("closed", FilterOp.EXISTS, True),
        ("status", FilterOp.NOT_IN, ["x"]),
        ("status", FilterOp.CONTAINS, "o"),
        ("value", FilterOp.EXISTS, False),
        ("status", FilterOp.NE, "it's"),
        ("value", FilterOp.NE, 1.5),
        ("value", FilterOp.LT, 2),
        ("value", FilterOp.LTE, 3),
        ("value", FilterOp.GT, 0),
        ("value", FilterOp.EQ, 4),
    ]


def test_keywords_and_aggregates_ignore_case_and_sources_may_have_dots_and_dashes() -> None:
    parsed = parse_formula(
        "COUNT_DISTINCT(partner.events-v2.kind WHERE kind = 'a' AND kind "
        "EXISTS) + Count(calls where won = TRUE)"
    )
    rules, problems = resolve_formula(parsed, SOURCES)
    assert problems == []
    assert (rules[0].source, rules[0].aggregate, rules[0].field) == (
        "partner.events-v2",
        Aggregate.COUNT_DISTINCT,
        "kind",
    )
    assert [(f.field, f.value) for f in rules[1].where] == [("won", True)]


@pytest.mark.parametrize(
    "text",
    ["1 / 0", "count(calls) / (2 - 2)", "(1 / 0) + 5", "-(1 / 0)", "2 * (3 / (1 - 1))"],
)
def test_division_by_zero_is_no_value(text: str) -> None:
    parsed = parse_formula(text)
    assert evaluate(parsed.expr, [3.0] * len(parsed.calls)) is None


def test_no_value_propagates_and_never_meets_a_threshold() -> None:
    assert value_of("max(deals.value) + 1", None) is None
    assert value_of("1e300 * 1e300") is None  # too large for a float
    for operator in FormulaOperator:
        assert not meets(operator, None, 0)
    assert meets(FormulaOperator.GTE, 0.1 + 0.2, 0.3)  # tolerant, as rules compare
    assert not meets(FormulaOperator.GT, 0.1 + 0.2, 0.3)
    assert meets(FormulaOperator.EQ, 2.0, 2)
    assert meets(FormulaOperator.LT, 1.0, 2) and meets(FormulaOperator.LTE, 2.0, 2)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("sum(deals.value where)", 1, 22, "expected a field name"),
        ("sum(deals.value", 1, 16, "ends too early"),
        ("1 +", 1, 4, "ends too early"),
        ("2 3", 1, 3, "unexpected '3'"),
        ("count(calls where won = yes)", 1, 25, "expected '-', a number, a quoted text"),
        ("count(calls where won = 'yes)", 1, 25, "never closed"),
        ("count(calls) >= 2", 1, 14, "goes in 'operator' and 'threshold'"),
        ("count(calls) % 2", 1, 14, "unexpected character '%'"),
        ("count(calls)\n  + sum(deals.value where status = )", 2, 36, "expected"),
        ("", 1, 1, "empty"),
        ("(1 + 2", 1, 7, "ends too early; expected ')'"),
        ("1e999", 1, 1, "too large"),
    ],
)
def test_syntax_errors_point_at_the_mistake(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    [problem] = caught.value.problems
    assert (problem.position.line, problem.position.column) == (line, column), problem
    assert message in problem.message
    text_line, caret = problem.snippet.split("\n")
    assert caret == " " * (column - 1) + "^"
    assert text_line == (text.splitlines() or [""])[line - 1]


def test_too_deep_nesting_is_a_clear_error_not_a_crash() -> None:
    depth = MAX_DEPTH + 10
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula("(" * depth + "1" + ")" * depth)
    assert "nested too deeply" in caught.value.problems[0].message
    with pytest.raises(FormulaSyntaxError):
        parse_formula("-" * 500 + "1")


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH + 1),
        ("(" * 999 + "1" + ")" * 999, MAX_DEPTH + 1),  # as deep as 2,000 characters go
        ("-" * 1998 + "1", MAX_DEPTH + 1),
        ("1" + "+(1" * 100 + ")" * 100, 3 * MAX_DEPTH + 3),
        ("1 + " + "-(" * 40 + "1" + ")" * 40, 4 + 2 * 32 + 1),  # a sign and a '(' each count
    ],
)
def test_nesting_is_counted_in_parentheses_and_signs(text: str, column: int) -> None:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    [problem] = caught.value.problems
    assert "nested too deeply (more than 64 levels" in problem.message
    assert (problem.position.line, problem.position.column) == (1, column)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1" + "+1" * 999, 1000.0),  # 1,999 characters: a sum of 1,000 terms
        ("1" + "+1" * 65, 66.0),
        ("1000" + "-1" * 998, 2.0),
        ("3" + "*1" * 998, 3.0),
        ("1024" + "/2" * 10 + "*3" * 5, 243.0),
        ("1" + "+2*3" * 300, 1801.0),
        ("(" * MAX_DEPTH + "7" + ")" * MAX_DEPTH, 7.0),
        ("-" * MAX_DEPTH + "7", 7.0),
    ],
)
def test_long_flat_chains_are_one_level_whatever_their_length(text: str, expected: float) -> None:
    assert value_of(text) == expected


def test_calls_in_a_long_chain_keep_their_order() -> None:
    parsed = parse_formula(" - ".join(["count(calls)", "max(calls.minutes)"] * 70))
    assert len(parsed.calls) == 140
    assert [c.function for c in parsed.calls[:3]] == ["count", "max", "count"]
    assert isinstance(parsed.expr, Chain)
    assert parsed.expr.first == Aggregation(0)
    assert parsed.expr.rest == tuple(("-", Aggregation(i)) for i in range(1, 140))
    assert evaluate(parsed.expr, [10_000.0] + [1.0] * 139) == 10_000.0 - 139


def test_the_deepest_formulas_stay_far_below_the_recursion_limit() -> None:
    """Parsing and evaluating recurse about three frames per level of nesting and none per
    term, so the deepest accepted formula needs a few hundred frames at most, wherever it
    runs (a request handler's thread starts some way down the stack)."""
    deepest = [
        "1+2*(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
        "-" * MAX_DEPTH + "1",
        "1" + "+1" * 999,
        "1" + "*1" * 999,
    ]
    budget = len(inspect.stack()) + 3 * MAX_DEPTH + 60
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(budget)
    try:
        values = [evaluate(parse_formula(text).expr, []) for text in deepest]
    finally:
        sys.setrecursionlimit(limit)
    assert values[1:] == [1.0, 1000.0, 1.0]


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("count(cals)", 7, "unknown source 'cals'; known sources: 'calls', 'deals'"),
        ("sum(deals.valu)", 11, "source 'deals' has no field 'valu'; its fields:"),
        ("sum(deals)", 5, "'sum' needs a field: write sum(deals.<field>)"),
        ("count(deals.value)", 13, "'count' counts records and takes no field"),
        ("total(deals.value)", 1, "unknown aggregate 'total'"),
        ("sum(deals.status)", 11, "'sum' needs a number field"),
        ("count(deals where status > 'a')", 26, "'gt' works only on number"),
        ("count(deals where value = 'a')", 27, "'value' is a number field"),
        ("count(deals where nope = 1)", 19, "source 'deals' has no field 'nope'"),
        ("count(calls where minutes contains 'x')", 27, "'contains' works only on string"),
        ("count(deals where status contains 1)", 35, "'status' is a string field"),
        ("count(calls) + count(deals where closed = 'soon')", 43, "expected an ISO date"),
    ],
)
def test_unknown_sources_and_fields_point_at_the_name(text: str, column: int, message: str) -> None:
    _, problems = resolve_formula(parse_formula(text), SOURCES)
    assert len(problems) == 1, problems
    assert problems[0].position.column == column, problems[0]
    assert message in problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    _, problems = resolve_formula(parse_formula("sum(deals.x) / count(nope) + avg(calls)"), SOURCES)
    assert [p.position.column for p in problems] == [11, 22, 34]


# ---------------------------------------------------------------- property: Python's arithmetic

Tree = tuple[Any, ...]
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
TERMS = ["count(calls)", "sum(deals.value where status = 'won')", "max(calls.minutes)"]

numbers = st.one_of(
    st.integers(min_value=0, max_value=10).map(float),
    st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
)
leaves = st.one_of(numbers.map(lambda x: ("num", x)), st.integers(0, 2).map(lambda i: ("agg", i)))
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("bin"), st.sampled_from("+-*/"), inner, inner),
        st.tuples(st.just("neg"), inner),
    ),
    max_leaves=12,
)
term_values = st.lists(
    st.one_of(st.none(), st.integers(-5, 5).map(float), st.floats(-1e9, 1e9)),
    min_size=3,
    max_size=3,
)


def depth(tree: Tree) -> int:
    if tree[0] == "bin":
        return 1 + max(depth(tree[2]), depth(tree[3]))
    if tree[0] == "neg":
        return 1 + depth(tree[1])
    return 0


def precedence(tree: Tree) -> int:
    return PRECEDENCE[tree[1]] if tree[0] == "bin" else 3


def render(tree: Tree, *, minimal: bool) -> str:
    """The formula text of a tree: with as few parentheses as precedence allows, or with
    parentheses around every operation."""
    kind = tree[0]
    if kind == "num":
        return repr(tree[1])
    if kind == "agg":
        return TERMS[tree[1]]
    if kind == "neg":
        inner = render(tree[1], minimal=minimal)
        wrap = not minimal or precedence(tree[1]) < 3
        return f"-({inner})" if wrap else f"- {inner}"
    _, op, left, right = tree
    left_text, right_text = render(left, minimal=minimal), render(right, minimal=minimal)
    if not minimal or precedence(left) < PRECEDENCE[op]:
        left_text = f"({left_text})"
    if not minimal or precedence(right) <= PRECEDENCE[op]:
        right_text = f"({right_text})"
    return f"{left_text} {op} {right_text}"


def oracle(tree: Tree, values: list[float | None]) -> float | None:
    """Python's arithmetic on the same numbers; no value where it divides by zero, overflows,
    or meets an aggregate without a value."""
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "agg":
        return values[tree[1]]
    if kind == "neg":
        inner = oracle(tree[1], values)
        return None if inner is None else -inner
    _, op, left_tree, right_tree = tree
    left, right = oracle(left_tree, values), oracle(right_tree, values)
    if left is None or right is None:
        return None
    try:
        result = {"+": left + right, "-": left - right, "*": left * right}.get(op)
        if result is None:
            result = left / right
    except ZeroDivisionError:
        return None
    return result if math.isfinite(result) else None


def calls_in_order(tree: Tree) -> list[int]:
    if tree[0] == "agg":
        return [tree[1]]
    if tree[0] == "neg":
        return calls_in_order(tree[1])
    if tree[0] == "bin":
        return calls_in_order(tree[2]) + calls_in_order(tree[3])
    return []


@settings(max_examples=examples(300), deadline=None)
@given(trees, term_values)
def test_evaluation_matches_python_arithmetic(tree: Tree, values: list[float | None]) -> None:
    assume(depth(tree) <= 30)
    expected = oracle(tree, values)
    for minimal in (True, False):
        parsed = parse_formula(render(tree, minimal=minimal))
        in_text_order = [values[i] for i in calls_in_order(tree)]
        got = evaluate(parsed.expr, in_text_order)
        assert got == expected or (
            got is not None
            and expected is not None
            and math.isclose(got, expected, rel_tol=0, abs_tol=0)
        ), (render(tree, minimal=minimal), got, expected)
