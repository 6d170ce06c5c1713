"""The rule language's data model: enums and Pydantic models for rules, groups and requirements.

Only checks a rule can make on its own live here (shape, finiteness, which aggregates take a
field, what kind of value each filter op takes). Checks against a source's fields live in
:mod:`plaudit.rules.validation`. JSON shape of one rule::

    {"source": "deal_closed", "where": [{"field": "status", "op": "eq", "value": "Approved"}],
     "aggregate": "sum", "field": "value", "operator": "at_least", "value": 50000}

Requirements are a list of groups, each a non-empty list of rules: rules inside a group are
AND-ed, groups are OR-ed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from plaudit.kit.json_shapes import value_by_op
from plaudit.limits import (
    MAX_FILTER_TEXT,
    MAX_FILTERS,
    MAX_LIST_VALUES,
    MAX_REQUIREMENT_FILTERS,
    MAX_REQUIREMENT_LIST_VALUES,
    MAX_RULE_GROUPS,
    MAX_RULE_LIST_VALUES,
    MAX_RULES,
    MAX_RULES_PER_GROUP,
)


class FieldType(StrEnum):
    """The type of one field of a source; record data is checked against it."""

    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class FilterOp(StrEnum):
    """How a filter compares a record's field with the filter's value."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    CONTAINS = "contains"
    EXISTS = "exists"


class Aggregate(StrEnum):
    """What a rule computes over the records that pass its filters."""

    COUNT = "count"
    SUM = "sum"
    MIN = "min"
    MAX = "max"
    AVG = "avg"
    COUNT_DISTINCT = "count_distinct"


class Operator(StrEnum):
    """How a rule compares its aggregate with its target value."""

    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    AT_MOST = "at_most"
    LESS_THAN = "less_than"
    EXACTLY = "exactly"


UPPER_BOUNDS: frozenset[Operator] = frozenset(
    {Operator.AT_MOST, Operator.LESS_THAN, Operator.EXACTLY}
)
"""Operators that records arriving later in a period can turn from met to unmet."""


LIST_OPS: frozenset[FilterOp] = frozenset({FilterOp.IN, FilterOp.NOT_IN})
ORDER_OPS: frozenset[FilterOp] = frozenset({FilterOp.GT, FilterOp.GTE, FilterOp.LT, FilterOp.LTE})

SourceFields: TypeAlias = Mapping[str, FieldType]
"""A source's fields: name -> type."""


def is_scalar(value: Any) -> bool:
    """True for the values a filter can compare with: a string, a boolean or a finite number."""
    if isinstance(value, str | bool | int):
        return True
    return isinstance(value, float) and math.isfinite(value)


STORED = {"stored": True}
"""Validation context for rules read back from the database: the size limits guard what is
saved from now on, so a rule saved before they existed still loads (and keeps working)."""


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _at_most(limit: int, name: str) -> AfterValidator:
    """A list-length limit checked on input only (see STORED); declared as maxItems."""

    def check(value: list[Any], info: ValidationInfo) -> list[Any]:
        if len(value) > limit and not _stored(info):
            raise ValueError(f"List should have at most {limit} items ({name}), got {len(value)}")
        return value

    return AfterValidator(check)


def _fits_text_limit(value: Any, what: str, info: ValidationInfo) -> None:
    if isinstance(value, str) and len(value) > MAX_FILTER_TEXT and not _stored(info):
        raise ValueError(
            f"{what} is {len(value)} characters long: the limit is {MAX_FILTER_TEXT} "
            "(MAX_FILTER_TEXT)"
        )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Filter(BaseModel):
    """One condition on a record's data: ``{field, op, value}``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=value_by_op(
            list_ops=LIST_OPS,
            flag_ops=[FilterOp.EXISTS],
            scalar_ops=set(FilterOp) - LIST_OPS - {FilterOp.EXISTS},
            max_list=MAX_LIST_VALUES,
            max_text=MAX_FILTER_TEXT,
            op_required=True,
        ),
    )

    field: str = Field(min_length=1, max_length=100)
    op: FilterOp
    value: Any = Field(default=None, validate_default=True)

    @field_validator("value")
    @classmethod
    def _value_fits_op(cls, value: Any, info: ValidationInfo) -> Any:
        op = info.data.get("op")
        if op is None:  # the op itself was invalid; that error is reported already
            return value
        if op is FilterOp.EXISTS:
            if value is None:
                return True
            if not isinstance(value, bool):
                raise ValueError(f"'exists' takes true or false, got {_show(value)}")
            return value
        if op in LIST_OPS:
            if not isinstance(value, list | tuple) or not value:
                raise ValueError(f"'{op}' needs a non-empty list of values, got {_show(value)}")
            if len(value) > MAX_LIST_VALUES and not _stored(info):
                raise ValueError(
                    f"'{op}' takes at most {MAX_LIST_VALUES} values (MAX_LIST_VALUES), "
                    f"got {len(value)}"
                )
            for i, item in enumerate(value):
                if not is_scalar(item):
                    raise ValueError(
                        f"'{op}' list item {i} must be a string, number or boolean, "
                        f"got {_show(item)}"
                    )
                _fits_text_limit(item, f"'{op}' list item {i}", info)
            return list(value)
        if not is_scalar(value):
            raise ValueError(
                f"'{op}' needs one string, number or boolean value, got {_show(value)}"
            )
        _fits_text_limit(value, "the value", info)
        return value


def _list_values_within_limit(filters: list[Filter], info: ValidationInfo) -> list[Filter]:
    """All the `in`/`not_in` values of one filter list: one bound parameter each."""
    total = sum(len(f.value) for f in filters if f.op in LIST_OPS)
    if total > MAX_RULE_LIST_VALUES and not _stored(info):
        raise ValueError(
            f"the filters' in/not_in lists hold {total} values together: the limit is "
            f"{MAX_RULE_LIST_VALUES} (MAX_RULE_LIST_VALUES)"
        )
    return filters


Filters: TypeAlias = Annotated[
    list[Filter],
    Field(json_schema_extra={"maxItems": MAX_FILTERS}),
    _at_most(MAX_FILTERS, "MAX_FILTERS"),
    AfterValidator(_list_values_within_limit),
]
"""A list of filters, all of which must hold: at most MAX_FILTERS, whose in/not_in lists
hold at most MAX_RULE_LIST_VALUES values together."""


class Rule(BaseModel):
    """One requirement: an aggregate over a source's filtered records compared with a value."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=100)
    where: Filters = Field(default_factory=list)
    aggregate: Aggregate
    field: str | None = Field(default=None, min_length=1, max_length=100, validate_default=True)
    operator: Operator
    value: float = Field(strict=True, allow_inf_nan=False)

    @field_validator("field")
    @classmethod
    def _field_fits_aggregate(cls, field: str | None, info: ValidationInfo) -> str | None:
        aggregate = info.data.get("aggregate")
        if aggregate is None:  # the aggregate itself was invalid; that error is reported already
            return field
        if aggregate is Aggregate.COUNT and field is not None:
            raise ValueError(
                "'count' counts records and takes no field; use 'count_distinct' "
                "to count distinct values, or an 'exists' filter"
            )
        if aggregate is not Aggregate.COUNT and field is None:
            raise ValueError(f"'{aggregate}' needs a field to aggregate")
        return field


RuleGroup: TypeAlias = Annotated[
    list[Rule],
    Field(min_length=1, json_schema_extra={"maxItems": MAX_RULES_PER_GROUP}),
    _at_most(MAX_RULES_PER_GROUP, "MAX_RULES_PER_GROUP"),
]
"""Rules that must all be met (AND); at least one, at most MAX_RULES_PER_GROUP."""


def _rules_within_limit(groups: list[list[Rule]], info: ValidationInfo) -> list[list[Rule]]:
    if _stored(info):
        return groups
    rules = [rule for group in groups for rule in group]
    filters = [f for rule in rules for f in rule.where]
    values = sum(len(f.value) for f in filters if f.op in LIST_OPS)
    for what, count, limit, name in (
        ("rules", len(rules), MAX_RULES, "MAX_RULES"),
        ("filters", len(filters), MAX_REQUIREMENT_FILTERS, "MAX_REQUIREMENT_FILTERS"),
        ("in/not_in values", values, MAX_REQUIREMENT_LIST_VALUES, "MAX_REQUIREMENT_LIST_VALUES"),
    ):
        if count > limit:
            raise ValueError(
                f"the requirements hold {count} {what} in all: the limit is {limit} ({name})"
            )
    return groups


Requirements: TypeAlias = Annotated[
    list[RuleGroup],
    Field(json_schema_extra={"maxItems": MAX_RULE_GROUPS}),
    _at_most(MAX_RULE_GROUPS, "MAX_RULE_GROUPS"),
    AfterValidator(_rules_within_limit),
]
"""Groups of which any one must be met (OR). Empty: the achievement is only given manually.
At most MAX_RULE_GROUPS groups, and MAX_RULES rules, MAX_REQUIREMENT_FILTERS filters and
MAX_REQUIREMENT_LIST_VALUES in/not_in values in all."""

REQUIREMENTS_ADAPTER: TypeAdapter[list[list[Rule]]] = TypeAdapter(Requirements)


def parse_requirements(raw: Any) -> list[list[Rule]]:
    """Parse JSON-shaped requirements; raises ``pydantic.ValidationError`` on a bad shape."""
    return REQUIREMENTS_ADAPTER.validate_python(raw, context=STORED)


def dump_requirements(requirements: list[list[Rule]]) -> list[list[dict[str, Any]]]:
    """Requirements as JSON-ready data (the shape :func:`parse_requirements` accepts)."""
    dumped: list[list[dict[str, Any]]] = REQUIREMENTS_ADAPTER.dump_python(requirements, mode="json")
    return dumped
