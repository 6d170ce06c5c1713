"""The source forms: a new source (key, name, fields), fields added to one, and its name and
default filters. Checked here in words a person reads, then by the source schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from plaudit.rules.model import LIST_OPS, FieldType, FilterOp
from plaudit.web.forms.common import FieldErrors, text
from plaudit.web.forms.rule_builder import FILTER_LABELS, TYPE_LABELS, filter_ops_for

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
FIELD_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_ROWS = 200
BLANK_FIELD_ROWS = 4
BLANK_FILTER_ROWS = 2
TYPE_CHOICES = [(t.value, TYPE_LABELS[t]) for t in FieldType]
OP_CHOICES = [(op.value, FILTER_LABELS[op]) for op in FilterOp]
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}


@dataclass
class FieldRow:
    name: str = ""
    type: str = FieldType.STRING.value


@dataclass
class FilterRow:
    field: str = ""
    op: str = FilterOp.EQ.value
    value: str = ""


@dataclass
class SourceValues:
    key: str = ""
    name: str = ""
    fields: list[FieldRow] = field(default_factory=list)
    filters: list[FilterRow] = field(default_factory=list)


def field_rows(form: FormData) -> list[FieldRow]:
    rows = []
    for i in range(MAX_ROWS):
        if f"field-{i}-name" not in form:
            break
        rows.append(FieldRow(text(form, f"field-{i}-name"), text(form, f"field-{i}-type")))
    return rows


def filter_rows(form: FormData) -> list[FilterRow]:
    rows = []
    for i in range(MAX_ROWS):
        if f"filter-{i}-field" not in form:
            break
        rows.append(
            FilterRow(
                text(form, f"filter-{i}-field"),
                text(form, f"filter-{i}-op"),
                text(form, f"filter-{i}-value"),
            )
        )
    return rows


def check_key_and_name(values: SourceValues, errors: FieldErrors) -> None:
    if not values.key:
        errors["key"] = "Enter a key: the name integrations use in the API, e.g. deals."
    elif len(values.key) > 100 or not KEY_PATTERN.match(values.key):
        errors["key"] = (
            f"The key “{values.key}” can hold only lowercase letters, digits, '_', '.' and "
            "'-', start with a letter or digit, and be at most 100 characters."
        )
    check_name(values.name, errors)


def check_name(name: str, errors: FieldErrors) -> None:
    if not name:
        errors["name"] = "Enter a name people read, e.g. Deals."
    elif len(name) > 200:
        errors["name"] = "Keep the name under 200 characters."


def fields_body(
    rows: list[FieldRow], errors: FieldErrors, existing: dict[str, FieldType] | None = None
) -> list[dict[str, str]]:
    """The filled-in field rows as the schema's `fields`; empty rows are skipped."""
    body: list[dict[str, str]] = []
    seen = set(existing or {})
    for i, row in enumerate(rows):
        if not row.name:
            continue
        where = f"fields.{i}"
        if len(row.name) > 100 or not FIELD_PATTERN.match(row.name):
            errors.setdefault(
                where,
                f"The field name “{row.name}” can hold only letters, digits and '_' and cannot "
                "start with a digit (e.g. close_date).",
            )
        elif row.name in seen:
            errors.setdefault(where, f"There is already a field “{row.name}”.")
        elif row.type not in {t.value for t in FieldType}:
            errors.setdefault(where, f"Choose the type of the field “{row.name}”.")
        seen.add(row.name)
        body.append({"name": row.name, "type": row.type})
    return body


def _typed(raw: str, field_type: FieldType, where: str, errors: FieldErrors) -> Any:
    if field_type is FieldType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            errors.setdefault(where, f"“{raw}” is not a number.")
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if field_type is FieldType.BOOLEAN:
        if raw.lower() in TRUE_WORDS:
            return True
        if raw.lower() in FALSE_WORDS:
            return False
        errors.setdefault(where, f"“{raw}” is not yes or no.")
    return raw


def filters_body(
    rows: list[FilterRow], fields: dict[str, FieldType], errors: FieldErrors
) -> list[dict[str, Any]]:
    """The filled-in filter rows as `default_where`, values typed by their field; a row
    without a field is skipped."""
    body: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if not row.field:
            continue
        where = f"default_where.{i}"
        field_type = fields.get(row.field)
        if field_type is None:
            errors.setdefault(where, f"The source has no field “{row.field}”.")
            continue
        try:
            op = FilterOp(row.op)
        except ValueError:
            errors.setdefault(where, "Choose how the field is compared.")
            continue
        if op not in filter_ops_for(field_type):
            errors.setdefault(
                where,
                f"“{FILTER_LABELS[op]}” does not apply to “{row.field}”, a "
                f"{TYPE_LABELS[field_type]} field.",
            )
            continue
        value: Any
        if op is FilterOp.EXISTS:
            value = True
        elif not row.value:
            errors.setdefault(where, f"Enter the value “{row.field}” is compared with.")
            continue
        elif op in LIST_OPS:
            value = [
                _typed(part.strip(), field_type, where, errors)
                for part in row.value.split(",")
                if part.strip()
            ]
        else:
            value = _typed(row.value, field_type, where, errors)
        body.append({"field": row.field, "op": op.value, "value": value})
    return body


def rows_from_filters(filters: list[dict[str, Any]]) -> list[FilterRow]:
    """Stored filters as form rows (list values joined by commas), plus blank rows."""
    rows = []
    for f in filters:
        value = f.get("value")
        if isinstance(value, list):
            shown = ", ".join(_shown(v) for v in value)
        elif f.get("op") == FilterOp.EXISTS.value:
            shown = ""
        else:
            shown = _shown(value)
        rows.append(FilterRow(str(f.get("field", "")), str(f.get("op", "")), shown))
    return rows + [FilterRow() for _ in range(BLANK_FILTER_ROWS)]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def filter_words(f: dict[str, Any]) -> str:
    """A stored filter in words: `status is Approved`, `value is one of 1, 2`."""
    try:
        op = FilterOp(str(f.get("op")))
    except ValueError:
        return str(f)
    if op is FilterOp.EXISTS:
        return f"{f.get('field')} {'is present' if f.get('value', True) else 'is absent'}"
    value = f.get("value")
    shown = ", ".join(_shown(v) for v in value) if isinstance(value, list) else _shown(value)
    return f"{f.get('field')} {FILTER_LABELS[op]} {shown}"
