"""The team form: a name, an external id and attributes (tier, region…) typed as key/value
rows (`attr-<n>-key`, `attr-<n>-value`). Values that read as JSON numbers or true/false are
stored as such (so "tier is 2" conditions compare numbers), anything else as text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from plaudit.models import Team
from plaudit.web.forms.common import FieldErrors, text

MAX_ATTRIBUTES = 50
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class TeamValues:
    name: str = ""
    external_id: str = ""
    attributes: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def shown(value: Any) -> str:
    """An attribute's value as a person types it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def values_of(team: Team) -> TeamValues:
    return TeamValues(
        name=team.name,
        external_id=team.external_id or "",
        attributes=tuple((k, shown(v)) for k, v in (team.attributes or {}).items()),
    )


def read_values(form: FormData) -> TeamValues:
    rows = []
    for n in range(MAX_ATTRIBUTES * 2):
        key, value = text(form, f"attr-{n}-key"), text(form, f"attr-{n}-value")
        if key or value:
            rows.append((key, value))
    return TeamValues(
        name=text(form, "name"), external_id=text(form, "external_id"), attributes=tuple(rows)
    )


def typed(raw: str) -> Any:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    return parsed if isinstance(parsed, bool | int | float) else raw


def team_body(values: TeamValues) -> tuple[dict[str, Any], FieldErrors]:
    errors: FieldErrors = {}
    if not values.name:
        errors["name"] = "Type the team's name."
    elif len(values.name) > 200:
        errors["name"] = "The name is too long: at most 200 characters."
    if len(values.external_id) > 200:
        errors["external_id"] = "The external id is too long: at most 200 characters."
    attributes: dict[str, Any] = {}
    seen: set[str] = set()
    if len(values.attributes) > MAX_ATTRIBUTES:
        errors["attr-0-key"] = f"A team has at most {MAX_ATTRIBUTES} attributes."
    for n, (key, value) in enumerate(values.attributes):
        duplicate = key in seen
        seen.add(key)
        if not key:
            errors[f"attr-{n}-key"] = f"Name the attribute that holds “{value}”, or clear it."
        elif not ATTRIBUTE_NAME.match(key):
            errors[f"attr-{n}-key"] = (
                f"“{key}”: use letters, digits, “_”, “.” or “-” (at most 100), no spaces."
            )
        elif duplicate:
            errors[f"attr-{n}-key"] = f"“{key}” is there twice: keep one."
        elif not value:
            errors[f"attr-{n}-value"] = f"Give “{key}” a value, or clear its name to remove it."
        elif len(value) > 1000:
            errors[f"attr-{n}-value"] = "The value is too long: at most 1000 characters."
        else:
            attributes[key] = typed(value)
    body = {
        "name": values.name,
        "external_id": values.external_id or None,
        "attributes": attributes,
    }
    return body, errors


def attribute_labels(errors: FieldErrors) -> dict[str, str]:
    """Words for the error summary: `attr-1-value` -> "Attribute 2: value"."""
    out = {}
    for key in errors:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "attr" and parts[1].isdigit():
            out[key] = f"Attribute {int(parts[1]) + 1}: {'name' if parts[2] == 'key' else 'value'}"
    return out


def changes(team: Team, body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if getattr(team, name) != value}
