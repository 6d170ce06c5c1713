"""JSON Schema for rules that field types alone cannot state: a value whose shape depends on
its operator, a field allowed only with a given role.

Models add these to their schema (`json_schema_extra`), so that the OpenAPI document says what
their validators enforce: a client (or a contract tester such as Schemathesis) that follows the
document then never sends a request the API refuses for its shape alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

JsonSchema = dict[str, Any]


def scalar(max_text: int) -> JsonSchema:
    """A value a filter or condition compares with: text (at most `max_text` characters), a
    number or a boolean."""
    return {
        "anyOf": [
            {"type": "string", "maxLength": max_text},
            {"type": "number"},
            {"type": "boolean"},
        ]
    }


def value_by_op(
    *,
    list_ops: Iterable[str],
    flag_ops: Iterable[str],
    scalar_ops: Iterable[str],
    max_list: int,
    max_text: int,
    op_required: bool,
) -> JsonSchema:
    """`{op, value}` objects: a list op takes a non-empty list of scalars, a flag op (`exists`)
    true, false or nothing, any other op one scalar. Without `op_required`, a missing op is
    one of `scalar_ops` (its default)."""
    op = ["op"]
    return {
        "anyOf": [
            {
                "properties": {
                    "op": {"enum": sorted(map(str, list_ops))},
                    "value": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": max_list,
                        "items": scalar(max_text),
                    },
                },
                "required": [*op, "value"],
            },
            {
                "properties": {
                    "op": {"enum": sorted(map(str, flag_ops))},
                    "value": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
                },
                "required": op,
            },
            {
                "properties": {
                    "op": {"enum": sorted(map(str, scalar_ops))},
                    "value": scalar(max_text),
                },
                "required": [*(op if op_required else []), "value"],
            },
        ]
    }


def only_with(field: str, *, name: str, value: str) -> JsonSchema:
    """`field` (an integer) is required when `name` is `value`, and null or absent otherwise."""
    return {
        "anyOf": [
            {
                "properties": {name: {"const": value}, field: {"type": "integer"}},
                "required": [name, field],
            },
            {
                "properties": {name: {"not": {"const": value}}, field: {"type": "null"}},
            },
        ]
    }
