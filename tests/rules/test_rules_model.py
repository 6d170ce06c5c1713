"""The rule model: JSON round-trip, defaults and the self-contained shape checks."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from plaudit.rules import (
    Aggregate,
    Filter,
    FilterOp,
    Operator,
    Requirements,
    Rule,
    dump_requirements,
    parse_requirements,
)

SEED_REQUIREMENTS: list[list[dict[str, Any]]] = [
    [
        {
            "source": "company_profile_updated",
            "aggregate": "count",
            "operator": "at_least",
            "value": 1,
        }
    ],
    [
        {
            "source": "activation",
            "aggregate": "count_distinct",
            "field": "campaign_id",
            "operator": "at_least",
            "value": 5,
        }
    ],
    [
        {
            "source": "deal",
            "where": [
                {"field": "status", "op": "eq", "value": "Approved"},
                {"field": "currency", "op": "eq", "value": "EUR"},
            ],
            "aggregate": "sum",
            "field": "value",
            "operator": "at_least",
            "value": 50000,
        },
        {
            "source": "deal",
            "where": [
                {"field": "tags", "op": "in", "value": ["a", "b"]},
                {"field": "note", "op": "exists"},
            ],
            "aggregate": "avg",
            "field": "value",
            "operator": "more_than",
            "value": 0.5,
        },
    ],
]

RULE_DEFAULTS: dict[str, Any] = {"where": [], "field": None}


def _with_defaults(raw: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    out = []
    for group in raw:
        rules = []
        for rule in group:
            full = {**RULE_DEFAULTS, **rule}
            full["where"] = [
                {"value": True, **flt} if flt["op"] == "exists" else flt for flt in full["where"]
            ]
            rules.append(full)
        out.append(rules)
    return out


def test_round_trip_equals_input_modulo_defaults() -> None:
    parsed = parse_requirements(SEED_REQUIREMENTS)
    assert dump_requirements(parsed) == _with_defaults(SEED_REQUIREMENTS)
    assert parse_requirements(dump_requirements(parsed)) == parsed


def test_rule_model_validate_and_dump() -> None:
    raw = SEED_REQUIREMENTS[2][0]
    rule = Rule.model_validate(raw)
    assert rule.aggregate is Aggregate.SUM
    assert rule.operator is Operator.AT_LEAST
    assert rule.where[0].op is FilterOp.EQ
    assert rule.model_dump(mode="json") == {**RULE_DEFAULTS, **raw}
    assert Rule.model_validate_json(rule.model_dump_json()) == rule


def test_usable_as_a_field_of_another_model() -> None:
    class Achievement(BaseModel):
        name: str
        requirements: Requirements = []

    achievement = Achievement.model_validate({"name": "x", "requirements": SEED_REQUIREMENTS})
    assert achievement.model_dump(mode="json")["requirements"] == _with_defaults(SEED_REQUIREMENTS)
    assert Achievement(name="manual").requirements == []
    with pytest.raises(ValidationError) as info:
        Achievement.model_validate({"name": "x", "requirements": [[]]})
    assert info.value.errors()[0]["loc"] == ("requirements", 0)


def test_exists_defaults_to_true() -> None:
    assert Filter(field="note", op=FilterOp.EXISTS).value is True
    assert Filter.model_validate({"field": "note", "op": "exists", "value": False}).value is False


def _errors(model: type[BaseModel], raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(raw)
    return [(err["loc"], err["msg"]) for err in info.value.errors()]


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"field": "f", "op": "in", "value": []}, "non-empty list"),
        ({"field": "f", "op": "not_in", "value": "a"}, "non-empty list"),
        ({"field": "f", "op": "in", "value": ["a", None]}, "list item 1"),
        ({"field": "f", "op": "in", "value": [["a"]]}, "list item 0"),
        ({"field": "f", "op": "exists", "value": "yes"}, "true or false"),
        ({"field": "f", "op": "exists", "value": 1}, "true or false"),
        ({"field": "f", "op": "eq"}, "'eq' needs one"),
        ({"field": "f", "op": "gt", "value": [1]}, "'gt' needs one"),
        ({"field": "f", "op": "eq", "value": {"a": 1}}, "'eq' needs one"),
        ({"field": "f", "op": "lt", "value": float("nan")}, "'lt' needs one"),
    ],
)
def test_filter_value_shape(raw: dict[str, Any], needle: str) -> None:
    errors = _errors(Filter, raw)
    assert [loc for loc, _ in errors] == [("value",)]
    assert needle in errors[0][1]


def test_filter_rejects_unknown_keys_and_ops() -> None:
    assert _errors(Filter, {"field": "f", "op": "like", "value": "a"})[0][0] == ("op",)
    assert _errors(Filter, {"field": "f", "op": "eq", "value": 1, "x": 1})[0][0] == ("x",)
    assert _errors(Filter, {"field": "", "op": "eq", "value": 1})[0][0] == ("field",)


BASE_RULE: dict[str, Any] = {
    "source": "s",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}


@pytest.mark.parametrize(
    ("changes", "loc", "needle"),
    [
        ({"value": float("inf")}, ("value",), "finite"),
        ({"value": float("nan")}, ("value",), "finite"),
        ({"value": "5"}, ("value",), "valid number"),
        ({"value": True}, ("value",), "valid number"),
        ({"field": "x"}, ("field",), "takes no field"),
        ({"aggregate": "sum"}, ("field",), "'sum' needs a field"),
        ({"aggregate": "count_distinct"}, ("field",), "'count_distinct' needs a field"),
        ({"aggregate": "median", "field": "x"}, ("aggregate",), "count"),
        ({"operator": "over"}, ("operator",), "at_least"),
        ({"source": ""}, ("source",), "at least 1"),
        ({"extra": 1}, ("extra",), "not permitted"),
    ],
)
def test_rule_shape(changes: dict[str, Any], loc: tuple[str, ...], needle: str) -> None:
    errors = _errors(Rule, {**BASE_RULE, **changes})
    assert [error_loc for error_loc, _ in errors] == [loc]
    assert needle in errors[0][1]


def test_every_aggregate_but_count_accepts_a_field() -> None:
    for agg in Aggregate:
        if agg is not Aggregate.COUNT:
            assert Rule.model_validate({**BASE_RULE, "aggregate": agg, "field": "x"}).field == "x"


def test_empty_group_refused_by_parser() -> None:
    with pytest.raises(ValidationError):
        parse_requirements([[]])
    assert parse_requirements([]) == []
