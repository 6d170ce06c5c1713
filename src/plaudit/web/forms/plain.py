"""Schema errors in plain words, the one wording of every form: a person never reads
pydantic's wording ("String should have at least 8 characters", "Input should be ...") nor a
location path ("effective.until"); each kind of error gets a sentence, a form may word one
field's error its own way, and the rest get a generic sentence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plaudit.kit.schemas import error_message
from plaudit.web.forms.common import FieldErrors, add_error, dotted

SchemaT = TypeVar("SchemaT", bound=BaseModel)
Friendly = Mapping[tuple[str, str], str]
"""(field's dotted location, pydantic error type) -> the form's own sentence."""

CHOICE_ERRORS = frozenset(
    {"enum", "literal_error", "union_tag_invalid", "union_tag_not_found", "is_instance_of"}
)
NUMBER_ERRORS = frozenset(
    {"int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"}
)


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence a person understands."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("missing", "string_too_short") and ctx.get("min_length", 1) <= 1:
        return "This is required."
    if kind == "string_too_short":
        return f"Type at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"Keep it to {ctx.get('max_length')} characters or fewer."
    if kind == "too_short":
        return f"Choose at least {ctx.get('min_length')}."
    if kind == "too_long":
        return f"Choose at most {ctx.get('max_length')}."
    if kind == "string_pattern_mismatch":
        return "This is not in the expected form."
    if kind in CHOICE_ERRORS:
        return "Choose one of the options."
    if kind in NUMBER_ERRORS:
        return "Enter a whole number." if kind.startswith("int") else "Enter a number."
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return f"Enter {_number(bound)} or more." if "ge" in ctx else f"Enter more than {bound}."
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return f"Enter {_number(bound)} or less." if "le" in ctx else f"Enter less than {bound}."
    if kind in ("bool_parsing", "bool_type"):
        return "Choose yes or no."
    if kind.startswith(("date", "datetime", "timezone")):
        return "Enter a date such as 2026-11-18."
    if kind == "extra_forbidden":
        return "This field is not expected here."
    if kind in ("value_error", "assertion_error"):
        message = error_message(error)  # the project's own validators say what is wrong
        return message[:1].upper() + message[1:]
    return "This value is not accepted here."


def schema_errors(
    exc: ValidationError,
    *,
    friendly: Friendly | None = None,
    key: Callable[[str], str] | None = None,
) -> FieldErrors:
    """Every error of `exc` in plain words under its field's dotted location (or the key
    `key` turns it into, for forms whose fields are named differently)."""
    errors: FieldErrors = {}
    for err in exc.errors():
        loc = dotted([p for p in err["loc"] if isinstance(p, str | int)])
        message = (friendly or {}).get((loc, err["type"])) or plain_message(err)
        add_error(errors, key(loc) if key else loc, message)
    return errors


def plain_errors(exc: ValidationError) -> FieldErrors:
    return schema_errors(exc)


def parse_plain(
    schema: type[SchemaT], body: Mapping[str, Any], *, friendly: Friendly | None = None
) -> tuple[SchemaT | None, FieldErrors]:
    """`body` validated by `schema`, or None and its errors in plain words."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as exc:
        return None, schema_errors(exc, friendly=friendly)
