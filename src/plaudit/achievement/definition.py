"""Checks that an achievement's definition hangs together, across fields and against the data.

Field-level shape is Pydantic's job; this module checks what needs several fields or the
database: repeatable rules, the effective window, the audience's groups, the rules' sources.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import EffectiveDates
from plaudit.domain.categories import Category
from plaudit.engine.sources import field_types_by_source
from plaudit.errors import FieldError, InvalidInput, invalid_fields
from plaudit.models import Group
from plaudit.periods import start_of_local_day
from plaudit.rules.model import Rule
from plaudit.rules.validation import validate_requirements


def window_from(
    effective: EffectiveDates | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """Instants of the effective window [from, until); a date `until` includes that day."""
    if effective is None:
        return None, None
    start = _instant(effective.from_, zone, end_of_day=False)
    end = _instant(effective.until, zone, end_of_day=True)
    if start is not None and end is not None and end <= start:
        raise InvalidInput(
            detail="the end of the effective window must be after its start",
            field="effective.until",
        )
    return start, end


def _instant(value: date | datetime | None, zone: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        # As stored: UTC, so answers, version snapshots and change detection agree.
        return value.astimezone(UTC)
    return start_of_local_day(value + timedelta(days=1) if end_of_day else value, zone)


def check_definition(
    session: Session,
    *,
    category: Category,
    repeatable: bool,
    audience: list[int],
    requirements: list[list[Rule]],
) -> None:
    """Raise InvalidInput listing every problem of the definition at once."""
    problems: list[FieldError] = []
    if repeatable and category != Category.award:
        problems.append(
            FieldError(
                ("repeatable",),
                f"a {category.value} cannot be repeatable: "
                "it is held at most once per period; use category 'award'",
            )
        )
    if repeatable and not requirements:
        problems.append(
            FieldError(("requirements",), "a repeatable achievement needs exactly one rule group")
        )
    if audience:
        known = set(session.scalars(select(Group.id).where(Group.id.in_(audience))))
        for index, group_id in enumerate(audience):
            if group_id not in known:
                problems.append(FieldError(("audience", index), f"group {group_id} does not exist"))
    sources = field_types_by_source(session, {r.source for g in requirements for r in g})
    for problem in validate_requirements(requirements, sources, repeatable=repeatable):
        problems.append(FieldError(("requirements", *problem.loc), problem.message))
    if problems:
        raise invalid_fields(problems)


def snapshot(fields: dict[str, Any]) -> dict[str, Any]:
    """The JSON kept in a version row: the definition as it was at that version."""
    out = dict(fields)
    for name in ("effective_from", "effective_until"):
        value = out.get(name)
        if isinstance(value, datetime):
            out[name] = value.isoformat()
    return out
