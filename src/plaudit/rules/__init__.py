"""The rule language: model, validation against sources, typed values and the reference evaluator.

Pure: imports pydantic and the standard library only.
"""

from plaudit.rules.model import (
    LIST_OPS,
    ORDER_OPS,
    REQUIREMENTS_ADAPTER,
    Aggregate,
    FieldType,
    Filter,
    FilterOp,
    Operator,
    Requirements,
    Rule,
    RuleGroup,
    SourceFields,
    dump_requirements,
    is_scalar,
    parse_requirements,
)
from plaudit.rules.oracle import (
    Evaluation,
    RuleResult,
    aggregate,
    approx_equal,
    compare,
    completions,
    evaluate,
    repeat_count,
    rule_met,
    times_reached,
)
from plaudit.rules.problems import RuleProblem
from plaudit.rules.validation import validate_requirements
from plaudit.rules.values import (
    Comparable,
    check_record_data,
    coerce_value,
    matches,
    read_value,
)

__all__ = [
    "LIST_OPS",
    "ORDER_OPS",
    "REQUIREMENTS_ADAPTER",
    "Aggregate",
    "Comparable",
    "Evaluation",
    "FieldType",
    "Filter",
    "FilterOp",
    "Operator",
    "Requirements",
    "Rule",
    "RuleGroup",
    "RuleProblem",
    "RuleResult",
    "SourceFields",
    "aggregate",
    "approx_equal",
    "check_record_data",
    "coerce_value",
    "compare",
    "completions",
    "dump_requirements",
    "evaluate",
    "is_scalar",
    "matches",
    "parse_requirements",
    "read_value",
    "repeat_count",
    "rule_met",
    "times_reached",
    "validate_requirements",
]
