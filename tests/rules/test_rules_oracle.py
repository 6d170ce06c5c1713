"""The reference evaluator: seed examples, AND/OR, every aggregate and operator, completions."""

from __future__ import annotations

from typing import Any

import pytest

from plaudit.rules import (
    Aggregate,
    FieldType,
    Operator,
    Rule,
    RuleResult,
    aggregate,
    compare,
    completions,
    evaluate,
    parse_requirements,
    repeat_count,
    rule_met,
    times_reached,
)

SOURCES: dict[str, dict[str, FieldType]] = {
    "company_profile_updated": {},
    "activation": {"campaign_id": FieldType.STRING},
    "deal": {
        "value": FieldType.NUMBER,
        "status": FieldType.STRING,
        "currency": FieldType.STRING,
        "closed_at": FieldType.DATETIME,
    },
}

PROFILE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
CAMPAIGNS = {
    "source": "activation",
    "aggregate": "count_distinct",
    "field": "campaign_id",
    "operator": "at_least",
    "value": 5,
}
BIG_DEALS = {
    "source": "deal",
    "where": [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "currency", "op": "eq", "value": "EUR"},
    ],
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 50000,
}


def deal(value: float | None, status: str = "Approved", currency: str = "EUR") -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "currency": currency}
    if value is not None:
        data["value"] = value
    return data


def test_profile_updated_at_least_once() -> None:
    reqs = parse_requirements([[PROFILE]])
    assert not evaluate(reqs, SOURCES, {}).complete
    done = evaluate(reqs, SOURCES, {"company_profile_updated": [{}]})
    assert done.complete
    assert done.results == (RuleResult(0, 0, 1.0, 1.0, True),)


def test_five_distinct_campaigns() -> None:
    reqs = parse_requirements([[CAMPAIGNS]])
    four = [{"campaign_id": c} for c in "abcdaa"] + [{}, {"campaign_id": None}]
    ev = evaluate(reqs, SOURCES, {"activation": four})
    assert (ev.results[0].current, ev.complete) == (4.0, False)
    ev = evaluate(reqs, SOURCES, {"activation": [*four, {"campaign_id": "e"}]})
    assert (ev.results[0].current, ev.complete) == (5.0, True)


def test_approved_eur_deals_total_50000() -> None:
    reqs = parse_requirements([[BIG_DEALS]])
    records = [
        deal(30000),
        deal(15000),
        deal(90000, status="Pending"),
        deal(90000, currency="USD"),
        deal(None),
    ]
    ev = evaluate(reqs, SOURCES, {"deal": records})
    assert (ev.results[0].current, ev.complete) == (45000.0, False)
    ev = evaluate(reqs, SOURCES, {"deal": [*records, deal(5000)]})
    assert (ev.results[0].current, ev.complete) == (50000.0, True)


def test_groups_are_or_and_rules_are_and() -> None:
    reqs = parse_requirements([[PROFILE, CAMPAIGNS], [BIG_DEALS]])
    campaigns = [{"campaign_id": str(i)} for i in range(5)]
    only_profile = evaluate(reqs, SOURCES, {"company_profile_updated": [{}]})
    assert only_profile.groups_met == (False, False)
    assert not only_profile.complete
    both = evaluate(reqs, SOURCES, {"company_profile_updated": [{}], "activation": campaigns})
    assert both.groups_met == (True, False)
    assert both.complete
    deals = evaluate(reqs, SOURCES, {"deal": [deal(60000)]})
    assert deals.groups_met == (False, True)
    assert deals.complete
    assert [(r.group_index, r.rule_index, r.met) for r in deals.results] == [
        (0, 0, False),
        (0, 1, False),
        (1, 0, True),
    ]


def test_empty_requirements_and_empty_groups_never_complete() -> None:
    assert not evaluate([], SOURCES, {}).complete
    assert not evaluate([[]], SOURCES, {}).complete
    assert completions([], SOURCES, {}, repeatable=False) == 0
    assert completions([], SOURCES, {}, repeatable=True) == 0


def _rule(agg: str, operator: str = "at_least", value: float = 1, **extra: Any) -> Rule:
    field = None if agg == "count" else "value"
    return Rule.model_validate(
        {
            "source": "deal",
            "aggregate": agg,
            "field": field,
            "operator": operator,
            "value": value,
            **extra,
        }
    )


DEALS = [deal(10), deal(20.5), deal(None), deal(10, status="Lost"), {"value": None}]


@pytest.mark.parametrize(
    ("agg", "expected", "without_value", "no_records"),
    [
        ("count", 5.0, 1.0, 0.0),
        ("sum", 40.5, 0.0, 0.0),
        ("min", 10.0, None, None),
        ("max", 20.5, None, None),
        ("avg", 13.5, None, None),
        ("count_distinct", 2.0, 0.0, 0.0),
    ],
)
def test_every_aggregate(
    agg: str, expected: float, without_value: float | None, no_records: float | None
) -> None:
    fields = SOURCES["deal"]
    assert aggregate(_rule(agg), fields, DEALS) == expected
    assert aggregate(_rule(agg), fields, [deal(None)]) == without_value
    assert aggregate(_rule(agg), fields, []) == no_records


def test_aggregate_applies_filters() -> None:
    rule = _rule("sum", where=[{"field": "status", "op": "ne", "value": "Lost"}])
    assert aggregate(rule, SOURCES["deal"], DEALS) == 30.5


def test_count_distinct_compares_typed_values() -> None:
    rule = Rule.model_validate(
        {
            "source": "deal",
            "aggregate": "count_distinct",
            "field": "closed_at",
            "operator": "at_least",
            "value": 1,
        }
    )
    datas = [
        {"closed_at": "2024-01-01T12:00:00Z"},
        {"closed_at": "2024-01-01T14:00:00+02:00"},
        {"closed_at": "2024-01-01T12:00:01Z"},
    ]
    assert aggregate(rule, SOURCES["deal"], datas) == 2.0


def test_numeric_aggregate_on_non_number_field_raises() -> None:
    rule = Rule.model_validate(
        {
            "source": "deal",
            "aggregate": "sum",
            "field": "status",
            "operator": "at_least",
            "value": 1,
        }
    )
    with pytest.raises(ValueError, match="number field"):
        aggregate(rule, SOURCES["deal"], DEALS)


@pytest.mark.parametrize(
    ("operator", "current", "target", "expected"),
    [
        ("at_least", 5, 5, True),
        ("at_least", 4.9, 5, False),
        ("at_least", 0.1 + 0.2, 0.3, True),
        ("more_than", 5.1, 5, True),
        ("more_than", 5, 5, False),
        ("more_than", 0.1 + 0.2, 0.3, False),
        ("at_most", 5, 5, True),
        ("at_most", 5.1, 5, False),
        ("at_most", 0.3, 0.1 + 0.2, True),
        ("less_than", 4.9, 5, True),
        ("less_than", 5, 5, False),
        ("less_than", 0.3, 0.1 + 0.2, False),
        ("exactly", 5, 5, True),
        ("exactly", 5.1, 5, False),
        ("exactly", 0.1 + 0.2, 0.3, True),
        ("exactly", 1e-12, 0, True),
    ],
)
def test_every_operator(operator: str, current: float, target: float, expected: bool) -> None:
    assert compare(Operator(operator), current, target) is expected
    assert rule_met(_rule("max", operator, target), current) is expected


def test_none_meets_nothing_except_for_counting_and_sums() -> None:
    for agg in Aggregate:
        for op in Operator:
            met = rule_met(_rule(agg, op, 0), None)
            never_none = agg in (Aggregate.COUNT, Aggregate.SUM, Aggregate.COUNT_DISTINCT)
            assert met is (
                never_none and op in (Operator.AT_LEAST, Operator.AT_MOST, Operator.EXACTLY)
            )


def test_times_reached_is_robust_to_float_error() -> None:
    assert times_reached(0.1 + 0.2, 0.1) == 3
    assert times_reached(0.3, 0.1) == 3
    assert times_reached(0.7, 0.1) == 7
    assert times_reached(2.9999, 1) == 2
    assert times_reached(None, 1) == 0
    assert times_reached(-3, 1) == 0
    with pytest.raises(ValueError, match="above 0"):
        times_reached(3, 0)


def test_completions() -> None:
    reqs = parse_requirements(
        [[_rule("count", value=2).model_dump(), _rule("sum", value=100).model_dump()]]
    )
    records = {"deal": [deal(60)] * 7}
    assert repeat_count([(7.0, 2.0), (420.0, 100.0)]) == 3
    assert repeat_count([]) == 0
    assert completions(reqs, SOURCES, records, repeatable=True) == 3
    assert completions(reqs, SOURCES, records, repeatable=False) == 1
    assert completions(reqs, SOURCES, {"deal": [deal(60)]}, repeatable=True) == 0
    assert completions(reqs, SOURCES, {"deal": [deal(60)]}, repeatable=False) == 0
    with pytest.raises(ValueError, match="exactly one rule group"):
        completions([*reqs, *reqs], SOURCES, records, repeatable=True)
