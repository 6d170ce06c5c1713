"""Schema errors in plain words: a person never reads pydantic's wording ("String should have
at least 1 character"); each kind of error gets a sentence, the rest a generic one."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plaudit.kit.schemas import error_message
from plaudit.web.forms.common import FieldErrors, add_error, dotted

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def plain_message(error: dict[str, Any] | Any) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("missing", "string_too_short") and ctx.get("min_length", 1) <= 1:
        return "This is required."
    if kind == "string_too_short":
        return f"Type at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"Keep it to {ctx.get('max_length')} characters or fewer."
    if kind == "too_long":
        return f"Choose at most {ctx.get('max_length')}."
    if kind == "string_pattern_mismatch":
        return "This is not in the expected form."
    if kind == "value_error":
        return error_message(error)
    return "This value is not accepted here."


def plain_errors(exc: ValidationError) -> FieldErrors:
    errors: FieldErrors = {}
    for err in exc.errors():
        add_error(
            errors, dotted([p for p in err["loc"] if isinstance(p, str | int)]), plain_message(err)
        )
    return errors


def parse_plain(schema: type[SchemaT], body: dict[str, Any]) -> tuple[SchemaT | None, FieldErrors]:
    """`body` validated by `schema`, or None and its errors in plain words."""
    try:
        return schema.model_validate(body), {}
    except ValidationError as exc:
        return None, plain_errors(exc)
