"""validate_requirements: every bad case is located and named; good requirements pass."""

from __future__ import annotations

from typing import Any

import pytest

from plaudit.rules import FieldType, Rule, RuleProblem, validate_requirements

SOURCES: dict[str, dict[str, FieldType]] = {
    "deal": {
        "value": FieldType.NUMBER,
        "status": FieldType.STRING,
        "won": FieldType.BOOLEAN,
        "closed_on": FieldType.DATE,
        "closed_at": FieldType.DATETIME,
    },
    "activation": {"campaign_id": FieldType.STRING},
    "company_profile_updated": {},
}


def rule(**changes: Any) -> Rule:
    raw: dict[str, Any] = {
        "source": "deal",
        "aggregate": "count",
        "operator": "at_least",
        "value": 1,
    }
    return Rule.model_validate({**raw, **changes})


def where(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op} | ({} if value is None else {"value": value})


def problems_of(*rules: Rule, repeatable: bool = False) -> list[RuleProblem]:
    return validate_requirements([list(rules)], SOURCES, repeatable=repeatable)


def only(*rules: Rule, repeatable: bool = False) -> RuleProblem:
    problems = problems_of(*rules, repeatable=repeatable)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_requirements_have_no_problems() -> None:
    good = [
        [rule(source="company_profile_updated")],
        [rule(source="activation", aggregate="count_distinct", field="campaign_id", value=5)],
        [
            rule(
                where=[
                    where("status", "eq", "Approved"),
                    where("value", "gt", 0),
                    where("closed_on", "gte", "2024-01-01"),
                    where("closed_at", "lt", "2025-01-01T00:00:00Z"),
                    where("status", "contains", "App"),
                    where("won", "in", [True]),
                    where("status", "not_in", ["Lost"]),
                    where("won", "exists", False),
                ],
                aggregate="sum",
                field="value",
                value=50000,
            ),
            rule(aggregate="avg", field="value", operator="exactly", value=-2.5),
            rule(aggregate="min", field="value", operator="less_than", value=3),
            rule(aggregate="max", field="value", operator="at_most", value=3),
            rule(aggregate="count_distinct", field="closed_at", operator="more_than", value=0),
        ],
    ]
    assert validate_requirements(good, SOURCES, repeatable=False) == []


def test_no_requirements_is_fine_unless_repeatable() -> None:
    assert validate_requirements([], SOURCES, repeatable=False) == []
    problems = validate_requirements([], SOURCES, repeatable=True)
    assert [(p.loc, "exactly one rule group" in p.message) for p in problems] == [((), True)]


def test_repeatable_needs_exactly_one_group() -> None:
    groups = [[rule()], [rule()]]
    problems = validate_requirements(groups, SOURCES, repeatable=True)
    assert [p.loc for p in problems] == [()]
    assert "got 2" in problems[0].message


def test_empty_group_refused() -> None:
    problems = validate_requirements([[rule()], []], SOURCES, repeatable=False)
    assert [p.loc for p in problems] == [(1,)]
    assert "no rules" in problems[0].message


def test_unknown_source_names_it_and_lists_known_ones() -> None:
    problem = only(
        rule(source="dael", where=[where("nope", "eq", 1)], aggregate="sum", field="nope")
    )
    assert problem.loc == (0, 0, "source")
    assert "'dael'" in problem.message
    assert "'activation', 'company_profile_updated', 'deal'" in problem.message
    empty = validate_requirements([[rule()]], {}, repeatable=False)
    assert "none are defined" in empty[0].message


def test_locations_point_at_the_right_group_and_rule() -> None:
    groups = [
        [rule()],
        [rule(), rule(where=[where("status", "eq", "x"), where("bogus", "eq", "x")])],
    ]
    problems = validate_requirements(groups, SOURCES, repeatable=False)
    assert [p.loc for p in problems] == [(1, 1, "where", 1, "field")]


@pytest.mark.parametrize(
    ("filt", "loc_tail", "needles"),
    [
        (where("bogus", "eq", 1), ("field",), ["'bogus'", "'deal'", "'closed_at'"]),
        (where("status", "gt", "a"), ("op",), ["'gt'", "'status'", "string"]),
        (where("won", "lte", True), ("op",), ["'lte'", "'won'", "boolean"]),
        (where("value", "contains", "1"), ("op",), ["'contains'", "'value'", "number"]),
        (where("closed_on", "contains", "2024"), ("op",), ["'contains'", "date"]),
        (where("value", "eq", "12"), ("value",), ["'value'", "number", "'12'"]),
        (where("value", "eq", True), ("value",), ["'value'", "number"]),
        (where("status", "ne", 3), ("value",), ["'status'", "string"]),
        (where("won", "eq", "yes"), ("value",), ["'won'", "boolean"]),
        (where("closed_on", "gte", "01/02/2024"), ("value",), ["'closed_on'", "ISO date"]),
        (where("closed_at", "gte", "2024-01-01T00:00:00"), ("value",), ["'closed_at'", "offset"]),
        (where("status", "in", ["ok", 1]), ("value", 1), ["'status'", "string", "1"]),
        (where("value", "not_in", [1, "x"]), ("value", 1), ["'value'", "number", "'x'"]),
    ],
)
def test_bad_filters(filt: dict[str, Any], loc_tail: tuple[Any, ...], needles: list[str]) -> None:
    problem = only(rule(where=[where("status", "eq", "ok"), filt]))
    assert problem.loc == (0, 0, "where", 1, *loc_tail)
    for needle in needles:
        assert needle in problem.message


@pytest.mark.parametrize(
    ("changes", "loc_tail", "needles"),
    [
        ({"aggregate": "sum", "field": "bogus"}, ("field",), ["'bogus'", "'deal'"]),
        ({"aggregate": "sum", "field": "status"}, ("field",), ["'sum'", "number", "'status'"]),
        ({"aggregate": "avg", "field": "won"}, ("field",), ["'avg'", "number", "'won'"]),
        ({"aggregate": "min", "field": "closed_on"}, ("field",), ["'min'", "not supported"]),
        ({"aggregate": "max", "field": "closed_at"}, ("field",), ["'max'", "not supported"]),
        ({"value": 1.5}, ("value",), ["'count'", "whole number", "1.5"]),
        ({"value": -1}, ("value",), ["'count'", ">= 0", "-1"]),
        (
            {"aggregate": "count_distinct", "field": "status", "value": 2.5},
            ("value",),
            ["'count_distinct'", "whole number"],
        ),
    ],
)
def test_bad_aggregates_and_targets(
    changes: dict[str, Any], loc_tail: tuple[Any, ...], needles: list[str]
) -> None:
    problem = only(rule(**changes))
    assert problem.loc == (0, 0, *loc_tail)
    for needle in needles:
        assert needle in problem.message


def test_count_distinct_accepts_any_field_and_sum_any_target() -> None:
    for field in SOURCES["deal"]:
        assert problems_of(rule(aggregate="count_distinct", field=field)) == []
    assert problems_of(rule(aggregate="sum", field="value", value=-0.25)) == []


def test_repeatable_rules() -> None:
    assert (
        problems_of(rule(value=3), rule(aggregate="sum", field="value", value=0.5), repeatable=True)
        == []
    )
    problems = problems_of(
        rule(), rule(aggregate="max", field="value", operator="exactly", value=0), repeatable=True
    )
    assert [p.loc for p in problems] == [(0, 1, "aggregate"), (0, 1, "operator"), (0, 1, "value")]
    assert "'max'" in problems[0].message
    assert "'exactly'" in problems[1].message
    assert "above 0" in problems[2].message
    zero_count = problems_of(rule(value=0), repeatable=True)
    assert [p.loc for p in zero_count] == [(0, 0, "value")]
    assert problems_of(rule(value=0)) == []  # fine when not repeatable
