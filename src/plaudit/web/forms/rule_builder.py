"""What the rule builder may offer, as JSON embedded in the page.

Derived from the rule model so the builder and the server's validation cannot drift apart
(tests/web/test_rule_builder_catalogue.py checks every offered choice against the validator):
aggregates that need a number field only list number fields, order comparisons only appear
for number and date fields, `contains` only for text, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plaudit.models import Source
from plaudit.rules.model import LIST_OPS, ORDER_OPS, Aggregate, FieldType, FilterOp, Operator

VALUES_URL = "/admin/sources/{key}/values"
ORDERED_TYPES = frozenset({FieldType.NUMBER, FieldType.DATE, FieldType.DATETIME})
NUMBER_ONLY = frozenset({FieldType.NUMBER})
REPEATABLE_AGGREGATES = (Aggregate.COUNT, Aggregate.SUM)
REPEATABLE_OPERATORS = (Operator.AT_LEAST,)

AGGREGATE_LABELS = {
    Aggregate.COUNT: "Number of records",
    Aggregate.COUNT_DISTINCT: "Number of distinct values of",
    Aggregate.SUM: "Total of",
    Aggregate.AVG: "Average of",
    Aggregate.MIN: "Smallest",
    Aggregate.MAX: "Largest",
}
# Which field types each aggregate can read; None: it reads no field.
AGGREGATE_FIELD_TYPES: dict[Aggregate, frozenset[FieldType] | None] = {
    Aggregate.COUNT: None,
    Aggregate.COUNT_DISTINCT: frozenset(FieldType),
    Aggregate.SUM: NUMBER_ONLY,
    Aggregate.AVG: NUMBER_ONLY,
    Aggregate.MIN: NUMBER_ONLY,
    Aggregate.MAX: NUMBER_ONLY,
}
OPERATOR_LABELS = {
    Operator.AT_LEAST: "at least",
    Operator.MORE_THAN: "more than",
    Operator.AT_MOST: "at most",
    Operator.LESS_THAN: "less than",
    Operator.EXACTLY: "exactly",
}
FILTER_LABELS = {
    FilterOp.EQ: "is",
    FilterOp.NE: "is not",
    FilterOp.IN: "is one of",
    FilterOp.NOT_IN: "is none of",
    FilterOp.GT: "is more than",
    FilterOp.GTE: "is at least",
    FilterOp.LT: "is less than",
    FilterOp.LTE: "is at most",
    FilterOp.CONTAINS: "contains",
    FilterOp.EXISTS: "is present",
}
TYPE_LABELS = {
    FieldType.NUMBER: "number",
    FieldType.STRING: "text",
    FieldType.BOOLEAN: "yes/no",
    FieldType.DATE: "date",
    FieldType.DATETIME: "date and time",
}


def filter_ops_for(field_type: FieldType) -> list[FilterOp]:
    """The comparisons that make sense on a field of this type."""
    ops = []
    for op in FilterOp:
        if op in ORDER_OPS and field_type not in ORDERED_TYPES:
            continue
        if op is FilterOp.CONTAINS and field_type is not FieldType.STRING:
            continue
        # Valid, but "is one of true, false" says nothing that "is" does not.
        if op in LIST_OPS and field_type is FieldType.BOOLEAN:
            continue
        ops.append(op)
    return ops


def catalogue(sources: Sequence[Source]) -> dict[str, Any]:
    """Everything the builder script needs, JSON-ready."""
    return {
        "sources": [
            {
                "key": s.key,
                "name": s.name,
                "fields": [
                    {"name": n, "type": t, "label": s.field_labels()[n]}
                    for n, t in s.field_types().items()
                ],
                "default_where": s.default_where,
            }
            for s in sources
        ],
        "aggregates": [
            {
                "value": agg.value,
                "label": AGGREGATE_LABELS[agg],
                "field_types": None
                if (types := AGGREGATE_FIELD_TYPES[agg]) is None
                else sorted(t.value for t in types),
            }
            for agg in Aggregate
        ],
        "operators": [{"value": op.value, "label": OPERATOR_LABELS[op]} for op in Operator],
        "filter_ops": {
            t.value: [
                {
                    "value": op.value,
                    "label": FILTER_LABELS[op],
                    "list": op in LIST_OPS,
                    "boolean": op is FilterOp.EXISTS,
                }
                for op in filter_ops_for(t)
            ]
            for t in FieldType
        },
        "type_labels": {t.value: label for t, label in TYPE_LABELS.items()},
        # Where the builder asks which values a text field holds (web/routes/source_values.py).
        "values_url": VALUES_URL,
        "repeatable": {
            "aggregates": [a.value for a in REPEATABLE_AGGREGATES],
            "operators": [o.value for o in REPEATABLE_OPERATORS],
        },
    }
