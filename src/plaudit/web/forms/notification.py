"""The notification form: read it into the API's NotificationCreate / NotificationUpdate, and
show the schemas' and services' errors next to the form's own fields.

The form is flat (no JavaScript needed): a trigger type radio with both field sets, filter
rows `filter-<i>-field|op|value`, an action type radio with both field sets. Errors arrive
located as the API reports them (`trigger.where.1.value`, `action.url`) and are moved to the
form's names (`filter_1`, `url`) by `form_errors`. Formula mistakes keep their line, column
and snippet (`formula_mistakes`).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.models import Notification
from plaudit.notification.definition import FormulaFieldError
from plaudit.notification.formula import FormulaOperator
from plaudit.notification.schemas import NotificationCreate, NotificationUpdate
from plaudit.notification.webhook import new_secret
from plaudit.periods import Period
from plaudit.rules.model import LIST_OPS, FieldType, FilterOp
from plaudit.web.forms.common import FieldErrors, add_error, checked, dotted, text
from plaudit.web.forms.plain import schema_errors

SchemaT = TypeVar("SchemaT", bound=BaseModel)
MIN_FILTER_ROWS = 3
MAX_FILTER_ROWS = 50
TRIGGER_TYPES = ("record", "formula", "award", "level")
ACTION_TYPES = ("give_achievement", "webhook", "slack", "teams", "email")
CHAT_LABELS = {"slack": "Slack", "teams": "Microsoft Teams"}
EMAIL_TO_LABELS = {
    "member": "the member",
    "managers": "the managers of the member's team",
    "addresses": "fixed addresses",
}
_TAGS = frozenset(TRIGGER_TYPES + ACTION_TYPES)
_TRIGGER_FIELDS = frozenset(
    {
        "source",
        "events",
        "formula",
        "operator",
        "threshold",
        "period",
        "achievement_ids",
        "categories",
        "level_ids",
    }
)
_ACTION_FIELDS = {
    "achievement_id": "achievement_id",
    "url": "url",
    "secret": "secret",
    "to": "email_to",
    "addresses": "email_addresses",
}
OPERATOR_LABELS = {
    FormulaOperator.GT: "more than (>)",
    FormulaOperator.GTE: "at least (>=)",
    FormulaOperator.LT: "less than (<)",
    FormulaOperator.LTE: "at most (<=)",
    FormulaOperator.EQ: "exactly (==)",
}
PERIOD_LABELS = {
    Period.none: "All time (no period)",
    Period.day: "Day",
    Period.week: "Week",
    Period.month: "Month",
    Period.quarter: "Quarter",
    Period.year: "Year",
}
LABELS = {
    "name": "Name",
    "trigger_type": "Trigger",
    "source": "Source",
    "events": "Events",
    "formula": "Formula",
    "operator": "Comparison",
    "threshold": "Threshold",
    "period": "Period",
    "achievement_ids": "Achievements",
    "categories": "Categories",
    "level_ids": "Levels",
    "action_type": "Action",
    "achievement_id": "Achievement",
    "url": "Webhook URL",
    "secret": "Signing secret",
    "chat_url": "Incoming webhook URL",
    "email_to": "Send to",
    "email_addresses": "Addresses",
}


@dataclass
class FilterRow:
    field: str = ""
    op: str = FilterOp.EQ.value
    value: str = ""


@dataclass
class NotificationValues:
    """What the form shows: strings as typed, so a refused form comes back as it was."""

    name: str = ""
    active: bool = False  # a new notification starts inactive unless the admin activates it
    trigger_type: str = "formula"
    source: str = ""
    on_created: bool = True
    on_updated: bool = True
    filters: list[FilterRow] = field(default_factory=list)
    formula: str = ""
    operator: str = FormulaOperator.GTE.value
    threshold: str = ""
    period: str = Period.month.value
    achievement_ids: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    level_ids: list[str] = field(default_factory=list)
    action_type: str = "give_achievement"
    achievement_id: str = ""
    url: str = ""
    secret: str = ""
    new_secret: bool = False
    chat_url: str = ""
    email_to: str = "member"
    email_addresses: str = ""

    def padded_filters(self) -> list[FilterRow]:
        """The filter rows plus blank ones to fill in (at least MIN_FILTER_ROWS, one spare)."""
        rows = list(self.filters)
        while len(rows) < MIN_FILTER_ROWS or (
            rows and rows[-1].field and len(rows) < MAX_FILTER_ROWS
        ):
            rows.append(FilterRow())
        return rows


@dataclass(frozen=True)
class FormulaMistake:
    line: int
    column: int
    message: str
    snippet: str


def labels_for(values: NotificationValues) -> dict[str, str]:
    """Field labels for the error summary, the filter rows included."""
    rows = {f"filter_{i}": f"Filter {i + 1}" for i in range(len(values.padded_filters()))}
    return LABELS | rows


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_show_value(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def filter_rows(where: list[dict[str, Any]]) -> list[FilterRow]:
    """Stored filters (a trigger's, or a source's defaults) as the form's text rows."""
    return [
        FilterRow(str(f.get("field", "")), str(f.get("op", "eq")), _show_value(f.get("value")))
        for f in where
    ]


def values_from_notification(notification: Notification) -> NotificationValues:
    trigger, action = notification.trigger, notification.action
    values = NotificationValues(
        name=notification.name,
        active=notification.active,
        trigger_type=str(trigger.get("type", "formula")),
        action_type=str(action.get("type", "give_achievement")),
    )
    if values.trigger_type == "record":
        events = trigger.get("events") or []
        values.source = str(trigger.get("source", ""))
        values.on_created, values.on_updated = "created" in events, "updated" in events
        values.filters = filter_rows(trigger.get("where") or [])
    elif values.trigger_type == "award":
        values.achievement_ids = [str(i) for i in trigger.get("achievement_ids") or []]
        values.categories = [str(c) for c in trigger.get("categories") or []]
    elif values.trigger_type == "level":
        values.level_ids = [str(i) for i in trigger.get("level_ids") or []]
    else:
        values.formula = str(trigger.get("formula", ""))
        values.operator = str(trigger.get("operator", ">="))
        values.threshold = _show_value(trigger.get("threshold"))
        values.period = str(trigger.get("period", "month"))
    if values.action_type == "webhook":
        values.url = str(action.get("url", ""))
    elif values.action_type == "email":
        values.email_to = str(action.get("to", "member"))
        values.email_addresses = ", ".join(action.get("addresses") or [])
    elif values.action_type not in CHAT_LABELS:
        values.achievement_id = _show_value(action.get("achievement_id"))
    return values


def values_from_form(form: FormData) -> NotificationValues:
    filters = []
    for i in range(MAX_FILTER_ROWS):
        if f"filter-{i}-field" not in form:
            break
        row = FilterRow(
            text(form, f"filter-{i}-field"),
            text(form, f"filter-{i}-op") or "eq",
            text(form, f"filter-{i}-value"),
        )
        if row.field or row.value:
            filters.append(row)
    return NotificationValues(
        name=text(form, "name"),
        active=checked(form, "active"),
        trigger_type=text(form, "trigger_type"),
        source=text(form, "source"),
        on_created=checked(form, "on_created"),
        on_updated=checked(form, "on_updated"),
        filters=filters,
        formula=text(form, "formula", strip=False).strip("\r\n"),
        operator=text(form, "operator"),
        threshold=text(form, "threshold"),
        period=text(form, "period"),
        achievement_ids=_all(form, "achievement_ids"),
        categories=_all(form, "categories"),
        level_ids=_all(form, "level_ids"),
        action_type=text(form, "action_type"),
        achievement_id=text(form, "achievement_id"),
        url=text(form, "url"),
        secret=text(form, "secret"),
        new_secret=checked(form, "new_secret"),
        chat_url=text(form, "chat_url"),
        email_to=text(form, "email_to") or "member",
        email_addresses=text(form, "email_addresses"),
    )


def _all(form: FormData, name: str) -> list[str]:
    """Every checked box of a group, as sent."""
    return [str(v).strip() for v in form.getlist(name) if str(v).strip()]


def _ids(raw: list[str]) -> list[Any]:
    """Ids as numbers where they are digits; anything else is left for the schema to refuse."""
    return [int(v) if v.isdigit() else v for v in raw]


def _scalar(raw: str, kind: FieldType | None) -> Any:
    """A typed filter value: numbers and booleans for such fields, else the text."""
    raw = raw.strip()
    if kind is FieldType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if kind is FieldType.BOOLEAN and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def _filter(row: FilterRow, fields: dict[str, FieldType]) -> dict[str, Any]:
    kind = fields.get(row.field)
    if row.op == FilterOp.EXISTS.value:
        return {"field": row.field, "op": row.op, "value": row.value.lower() != "false"}
    if row.op in {op.value for op in LIST_OPS}:
        items = [_scalar(part, kind) for part in row.value.split(",") if part.strip()]
        return {"field": row.field, "op": row.op, "value": items}
    return {"field": row.field, "op": row.op, "value": _scalar(row.value, kind)}


def _trigger(values: NotificationValues, fields: dict[str, FieldType]) -> dict[str, Any]:
    if values.trigger_type == "record":
        pairs = (("created", values.on_created), ("updated", values.on_updated))
        return {
            "type": "record",
            "source": values.source,
            "events": [event for event, on in pairs if on],
            "where": [_filter(row, fields) for row in values.filters],
        }
    if values.trigger_type == "award":
        return {
            "type": "award",
            "achievement_ids": _ids(values.achievement_ids),
            "categories": values.categories,
        }
    if values.trigger_type == "level":
        return {"type": "level", "level_ids": _ids(values.level_ids)}
    threshold: Any = values.threshold
    with contextlib.suppress(ValueError):
        threshold = float(values.threshold)
    return {
        "type": values.trigger_type,
        "formula": values.formula,
        "operator": values.operator,
        "threshold": threshold,
        "period": values.period,
    }


def _action(values: NotificationValues, *, editing: bool) -> dict[str, Any]:
    if values.action_type == "webhook":
        secret = values.secret or (new_secret() if editing and values.new_secret else None)
        return {"type": "webhook", "url": values.url, "secret": secret}
    if values.action_type in CHAT_LABELS:
        return {"type": values.action_type, "url": values.chat_url or None}
    if values.action_type == "email":
        addresses = [a.strip() for a in re.split(r"[,;\s]+", values.email_addresses) if a.strip()]
        return {"type": "email", "to": values.email_to, "addresses": addresses}
    achievement: Any = values.achievement_id
    if achievement.isdigit():
        achievement = int(achievement)
    return {"type": values.action_type, "achievement_id": achievement}


def body(values: NotificationValues, fields: dict[str, FieldType]) -> dict[str, Any]:
    """The API's JSON body for these values."""
    return {
        "name": values.name,
        "active": values.active,
        "trigger": _trigger(values, fields),
        "action": _action(values, editing=False),
    }


def form_key(key: str) -> str:
    """An error's API location as the form's field name (see the module docstring)."""
    parts = key.split(".")
    if parts[0] in ("trigger", "action") and len(parts) > 2 and parts[1] in _TAGS:
        parts = [parts[0], *parts[2:]]
    head, rest = parts[0], parts[1:]
    if head == "trigger":
        if not rest:
            return "trigger_type"
        if rest[0] == "where":
            return f"filter_{rest[1]}" if len(rest) > 1 and rest[1].isdigit() else "filter_0"
        return rest[0] if rest[0] in _TRIGGER_FIELDS else "trigger_type"
    if head == "action":
        return _ACTION_FIELDS.get(rest[0], "action_type") if rest else "action_type"
    return key


def form_errors(raw: FieldErrors) -> FieldErrors:
    errors: FieldErrors = {}
    for key, message in raw.items():
        add_error(errors, form_key(key), message)
    return errors


def _validation_errors(exc: ValidationError) -> FieldErrors:
    return schema_errors(exc, key=form_key)


def _parse(schema: type[SchemaT], data: dict[str, Any]) -> tuple[SchemaT | None, FieldErrors]:
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, _validation_errors(exc)


def _for_action(errors: FieldErrors, values: NotificationValues | None) -> FieldErrors:
    """A chat channel's URL is the form's `chat_url`, not the webhook's `url`."""
    if values is not None and values.action_type in CHAT_LABELS and "url" in errors:
        errors = dict(errors)
        errors["chat_url"] = errors.pop("url")
    return errors


def to_create(
    values: NotificationValues, fields: dict[str, FieldType]
) -> tuple[NotificationCreate | None, FieldErrors]:
    data, errors = _parse(NotificationCreate, body(values, fields))
    return data, _for_action(errors, values)


def to_update(
    values: NotificationValues, fields: dict[str, FieldType]
) -> tuple[NotificationUpdate | None, FieldErrors]:
    data = body(values, fields)
    data["action"] = _action(values, editing=True)
    parsed, errors = _parse(NotificationUpdate, data)
    return parsed, _for_action(errors, values)


def service_errors(
    exc: PlauditError, values: NotificationValues | None = None
) -> tuple[FieldErrors, list[FormulaMistake]]:
    """A service's refusal as form errors, and every formula mistake with its position."""
    errors: FieldErrors = {}
    mistakes: list[FormulaMistake] = []
    for item in exc.errors:
        if isinstance(item, FormulaFieldError):
            mistakes.append(FormulaMistake(item.line, item.column, item.message, item.snippet))
        add_error(errors, form_key(dotted(item.loc)), item.message)
    if not errors:
        add_error(errors, form_key(exc.field) if exc.field else "", exc.detail)
    return _for_action(errors, values), mistakes
