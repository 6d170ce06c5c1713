"""The achievement form: its fields as shown, read back into AchievementCreate/Update.

The form is an ordinary HTML form. The rule builder (a script) writes the requirements as
JSON into the `requirements` field; without the script that field is a plain text area.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from plaudit.achievement.schemas import AchievementCreate, AchievementUpdate
from plaudit.domain.categories import Category
from plaudit.models import Achievement
from plaudit.periods import Period
from plaudit.web.forms.common import FieldErrors, add_error, checked, text
from plaudit.web.forms.plain import schema_errors
from plaudit.web.org import Org, six_digit

SchemaT = TypeVar("SchemaT", bound=BaseModel)
EffectiveMode = Literal["none", "between", "from", "until"]
EFFECTIVE_MODES: tuple[EffectiveMode, ...] = ("none", "between", "from", "until")
MAX_REQUIREMENTS_TEXT = 200_000

CATEGORY_HELP = {
    Category.award: "Given any number of times to anyone.",
    Category.membership: "A member holds it at most once per period.",
    Category.record: "One member, one time, per period (Employee of the Month).",
}
PERIOD_LABELS = {
    Period.none: "No period (once, for good)",
    Period.day: "Day",
    Period.week: "Week (Monday to Sunday)",
    Period.month: "Month",
    Period.quarter: "Quarter",
    Period.year: "Year",
}
FIELD_LABELS = {
    "key": "Key",
    "name": "Name",
    "description": "Call to action",
    "category": "Category",
    "points": "Points",
    "icon": "Icon",
    "background_color": "Background colour",
    "text_color": "Text colour",
    "show_next_to_name": "Show next to name",
    "secret": "Secret",
    "period": "Validity period",
    "effective": "Effective dates",
    "audience": "Audience",
    "repeatable": "Repeatable",
    "requirements": "Requirements",
    "publish_automatically": "Publish automatically",
    "prerequisites": "Prerequisites",
    "tier_group": "Tier group",
    "badge": "Badge image",
    "background_image": "Background image",
}
# Messages people can act on, for the few Pydantic errors whose wording is about patterns.
FRIENDLY = {
    ("key", "string_pattern_mismatch"): "Use lower-case letters, digits, '.', '_' or '-', "
    "starting with a letter or digit.",
    ("key", "string_too_short"): "Enter a key.",
    ("name", "string_too_short"): "Enter a name.",
    ("background_color", "string_pattern_mismatch"): "Choose a colour such as #3056d3.",
    ("text_color", "string_pattern_mismatch"): "Choose a colour such as #ffffff.",
    ("tier_group", "string_pattern_mismatch"): "Use lower-case letters, digits, '.', '_' or "
    "'-', starting with a letter or digit (such as deals).",
}


@dataclass
class AchievementValues:
    """The form's fields as strings and flags, exactly as shown to the person editing."""

    key: str = ""
    name: str = ""
    description: str = ""
    category: str = Category.award.value
    points: str = "0"
    icon: str = ""
    background_color: str = ""
    background_default: bool = True
    text_color: str = ""
    text_default: bool = True
    show_next_to_name: bool = False
    secret: bool = False
    period: str = Period.none.value
    effective_mode: str = "none"
    effective_from: str = ""
    effective_until: str = ""
    audience: list[int] = field(default_factory=list)
    repeatable: bool = False
    requirements: str = "[]"
    publish_automatically: bool = False
    prerequisites: list[int] = field(default_factory=list)
    tier_group: str = ""


def _ids(form: FormData, name: str) -> list[int]:
    """The whole numbers ticked under `name`, in order, each once (anything else is ignored:
    a form only sends the ids it showed)."""
    out: list[int] = []
    for raw in form.getlist(name):
        if isinstance(raw, str) and raw.isdigit() and int(raw) not in out:
            out.append(int(raw))
    return out


def blank_values(org: Org) -> AchievementValues:
    return AchievementValues(background_color=org.primary, text_color=org.secondary)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _until_date(instant: datetime, zone: ZoneInfo) -> date:
    """The last day inside a window ending at `instant` (exclusive)."""
    local = instant.astimezone(zone)
    if local.time() == datetime.min.time():
        return (local - timedelta(days=1)).date()
    return local.date()


def _mode(start: datetime | None, end: datetime | None) -> EffectiveMode:
    if start and end:
        return "between"
    if start:
        return "from"
    if end:
        return "until"
    return "none"


def values_from_achievement(a: Achievement, zone: ZoneInfo, org: Org) -> AchievementValues:
    return AchievementValues(
        key=a.key,
        name=a.name,
        description=a.description or "",
        category=a.category,
        points=str(a.points),
        icon=a.icon or "",
        background_color=six_digit(a.background_color or "", org.primary),
        background_default=a.background_color is None,
        text_color=six_digit(a.text_color or "", org.secondary),
        text_default=a.text_color is None,
        show_next_to_name=a.show_next_to_name,
        secret=a.secret,
        period=a.period,
        effective_mode=_mode(a.effective_from, a.effective_until),
        effective_from=_local_date(a.effective_from, zone).isoformat() if a.effective_from else "",
        effective_until=_until_date(a.effective_until, zone).isoformat()
        if a.effective_until
        else "",
        audience=list(a.audience or []),
        repeatable=a.repeatable,
        requirements=json.dumps(a.requirements or [], indent=2),
        publish_automatically=a.publish_automatically,
        prerequisites=list(a.prerequisites or []),
        tier_group=a.tier_group or "",
    )


def values_from_form(form: FormData, org: Org) -> AchievementValues:
    audience = _ids(form, "audience")
    mode = text(form, "effective_mode")
    return AchievementValues(
        key=text(form, "key"),
        name=text(form, "name"),
        description=text(form, "description"),
        category=text(form, "category"),
        points=text(form, "points"),
        icon=text(form, "icon"),
        background_color=text(form, "background_color") or org.primary,
        background_default=checked(form, "background_default"),
        text_color=text(form, "text_color") or org.secondary,
        text_default=checked(form, "text_default"),
        show_next_to_name=checked(form, "show_next_to_name"),
        secret=checked(form, "secret"),
        period=text(form, "period"),
        effective_mode=mode if mode in EFFECTIVE_MODES else "none",
        effective_from=text(form, "effective_from"),
        effective_until=text(form, "effective_until"),
        audience=audience,
        repeatable=checked(form, "repeatable"),
        requirements=text(form, "requirements")[:MAX_REQUIREMENTS_TEXT] or "[]",
        publish_automatically=checked(form, "publish_automatically"),
        prerequisites=_ids(form, "prerequisites"),
        tier_group=text(form, "tier_group"),
    )


def slug(name: str) -> str:
    """A key from a name, as the page's script suggests it: `Big Sale!` -> `big-sale`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100]


@dataclass
class Existing:
    """The stored window, so that saving a form whose dates did not change keeps instants
    that the API set to a time of day (the form only knows whole days)."""

    start: datetime | None = None
    end: datetime | None = None


def _date(errors: FieldErrors, name: str, raw: str, label: str, required: bool) -> date | None:
    if not raw:
        if required:
            add_error(errors, name, f"Choose the {label} date.")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        add_error(errors, name, f"Enter the {label} date as YYYY-MM-DD.")
        return None


def _effective(
    values: AchievementValues, zone: ZoneInfo, existing: Existing, errors: FieldErrors
) -> dict[str, Any] | None:
    mode = values.effective_mode
    if mode == "none":
        return None
    start = (
        _date(errors, "effective.from", values.effective_from, "start", mode in ("between", "from"))
        if mode != "until"
        else None
    )
    end = (
        _date(
            errors, "effective.until", values.effective_until, "end", mode in ("between", "until")
        )
        if mode != "from"
        else None
    )
    out: dict[str, Any] = {}
    if start is not None:
        kept = existing.start is not None and _local_date(existing.start, zone) == start
        out["from"] = existing.start if kept else start
    if end is not None:
        kept = existing.end is not None and _until_date(existing.end, zone) == end
        out["until"] = existing.end if kept else end
    return out or None


def _requirements(values: AchievementValues, errors: FieldErrors) -> Any:
    try:
        parsed = json.loads(values.requirements)
    except ValueError as exc:
        add_error(errors, "requirements", f"The rules could not be read as JSON: {exc}.")
        return []
    if not isinstance(parsed, list):
        add_error(errors, "requirements", "The rules must be a list of rule groups.")
        return []
    return parsed


def payload(
    values: AchievementValues, zone: ZoneInfo, existing: Existing | None = None
) -> tuple[dict[str, Any], FieldErrors]:
    """The schema input for these values, and the errors found before the schema's own."""
    errors: FieldErrors = {}
    try:
        points: Any = int(values.points)
    except ValueError:
        add_error(errors, "points", "Enter a whole number of points (0 or more).")
        points = 0
    body: dict[str, Any] = {
        "key": values.key or slug(values.name),
        "name": values.name,
        "description": values.description or None,
        "category": values.category,
        "points": points,
        "icon": values.icon or None,
        "background_color": None if values.background_default else values.background_color,
        "text_color": None if values.text_default else values.text_color,
        "show_next_to_name": values.show_next_to_name,
        "secret": values.secret,
        "period": values.period,
        "effective": _effective(values, zone, existing or Existing(), errors),
        "audience": values.audience,
        "repeatable": values.repeatable,
        "requirements": _requirements(values, errors),
        "publish_automatically": values.publish_automatically,
        "prerequisites": values.prerequisites,
        "tier_group": values.tier_group or None,
    }
    return body, errors


def validation_errors(exc: ValidationError) -> FieldErrors:
    return schema_errors(exc, friendly=FRIENDLY)


def _parse(schema: type[SchemaT], body: dict[str, Any], errors: FieldErrors) -> SchemaT | None:
    try:
        parsed = schema.model_validate(body)
    except ValidationError as exc:
        for key, message in validation_errors(exc).items():
            add_error(errors, key, message)
        return None
    return parsed if not errors else None


def to_create(
    values: AchievementValues, zone: ZoneInfo
) -> tuple[AchievementCreate | None, FieldErrors]:
    body, errors = payload(values, zone)
    return _parse(AchievementCreate, body, errors), errors


def to_update(
    values: AchievementValues, zone: ZoneInfo, existing: Existing
) -> tuple[AchievementUpdate | None, FieldErrors]:
    body, errors = payload(values, zone, existing)
    return _parse(AchievementUpdate, body, errors), errors
