"""The rule builder offers exactly what the server accepts: each offered choice validates,
and the choices it leaves out for a field type are ones the validator refuses."""

from __future__ import annotations

from typing import Any

import pytest

from plaudit.rules.model import LIST_OPS, Aggregate, FieldType, FilterOp, Rule
from plaudit.rules.validation import validate_requirements
from plaudit.web.forms.rule_builder import AGGREGATE_FIELD_TYPES, catalogue, filter_ops_for

SAMPLE: dict[FieldType, Any] = {
    FieldType.NUMBER: 5,
    FieldType.STRING: "Approved",
    FieldType.BOOLEAN: True,
    FieldType.DATE: "2026-01-01",
    FieldType.DATETIME: "2026-01-01T10:00:00+00:00",
}
FIELDS = {f"f_{t.value}": t for t in FieldType}
SOURCES = {"src": FIELDS}


def problems(rule: dict[str, Any], *, repeatable: bool = False) -> list[Any]:
    return validate_requirements([[Rule.model_validate(rule)]], SOURCES, repeatable=repeatable)


def filter_rule(field_type: FieldType, op: FilterOp) -> dict[str, Any]:
    value: Any = SAMPLE[field_type]
    if op in LIST_OPS:
        value = [value]
    if op is FilterOp.EXISTS:
        value = True
    return {
        "source": "src",
        "aggregate": "count",
        "operator": "at_least",
        "value": 1,
        "where": [{"field": f"f_{field_type.value}", "op": op.value, "value": value}],
    }


@pytest.mark.parametrize("field_type", list(FieldType))
def test_offered_filter_ops_validate_and_left_out_order_ops_do_not(field_type: FieldType) -> None:
    offered = filter_ops_for(field_type)
    assert FilterOp.EQ in offered and FilterOp.EXISTS in offered
    for op in FilterOp:
        found = problems(filter_rule(field_type, op))
        if op in offered:
            assert found == [], (field_type, op, found)
        elif op not in LIST_OPS:  # lists on booleans are valid, only pointless
            assert found, (field_type, op)


@pytest.mark.parametrize("aggregate", [a for a in Aggregate if a is not Aggregate.COUNT])
def test_aggregates_offer_exactly_the_field_types_they_accept(aggregate: Aggregate) -> None:
    accepted = AGGREGATE_FIELD_TYPES[aggregate]
    assert accepted is not None
    for field_type in FieldType:
        rule = {
            "source": "src",
            "aggregate": aggregate.value,
            "field": f"f_{field_type.value}",
            "operator": "at_least",
            "value": 1,
        }
        assert (problems(rule) == []) == (field_type in accepted), (aggregate, field_type)


def test_count_takes_no_field() -> None:
    assert AGGREGATE_FIELD_TYPES[Aggregate.COUNT] is None
    assert (
        problems({"source": "src", "aggregate": "count", "operator": "at_least", "value": 1}) == []
    )


def test_repeatable_choices_are_accepted_for_repeatable_rules() -> None:
    data = catalogue([])
    for aggregate in data["repeatable"]["aggregates"]:
        for operator in data["repeatable"]["operators"]:
            rule: dict[str, Any] = {
                "source": "src",
                "aggregate": aggregate,
                "operator": operator,
                "value": 3,
            }
            if aggregate != "count":
                rule["field"] = "f_number"
            assert problems(rule, repeatable=True) == []


def test_catalogue_is_json_ready_and_names_every_choice() -> None:
    data = catalogue([])
    assert data["sources"] == []
    assert {a["value"] for a in data["aggregates"]} == {a.value for a in Aggregate}
    assert set(data["filter_ops"]) == {t.value for t in FieldType}
    number_only = next(a for a in data["aggregates"] if a["value"] == "sum")
    assert number_only["field_types"] == ["number"]
