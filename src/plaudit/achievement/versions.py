"""An achievement's versions told as history: what each edit changed, and the awards each
version gave.

Every version's definition is stored (achievement_versions, since the first migration), so
the changes are the differences between consecutive definitions. A badge upload makes a version
whose definition is unchanged; the audit log says what changed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import list_versions
from plaudit.models import AuditEvent, Award, Group

LABELS = {
    "name": "Name",
    "key": "Key",
    "description": "Call to action",
    "category": "Category",
    "points": "Points",
    "icon": "Icon",
    "background_color": "Background colour",
    "text_color": "Text colour",
    "show_next_to_name": "Shown next to names",
    "secret": "Secret",
    "prerequisites": "Prerequisites",
    "tier_group": "Tier group",
    "period": "Period",
    "effective_from": "Effective from",
    "effective_until": "Effective until",
    "audience": "Audience",
    "repeatable": "Repeatable",
    "requirements": "Rules",
    "publish_automatically": "Published automatically",
}
"""The definition's fields as the achievement form names them, in the form's order."""
SHORT_FIELDS = {
    "name",
    "key",
    "category",
    "points",
    "icon",
    "period",
    "repeatable",
    "publish_automatically",
    "secret",
}
"""Fields short enough to show as before → after."""
DEFAULTS: dict[str, Any] = {"publish_automatically": False, "secret": False, "prerequisites": []}
"""The value of a field that versions written before it existed do not hold."""


@dataclass(frozen=True)
class VersionSummary:
    version: int
    created_at: datetime
    created_by: str
    changes: list[str]
    awards: int
    revoked: int


def _yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "none"
    return str(value)


def _rules_text(requirements: list[list[Any]]) -> str:
    if not requirements:
        return "no rules"
    rules = sum(len(group) for group in requirements)
    groups = len(requirements)
    return f"{groups} group{'s' if groups != 1 else ''} of {rules} rule{'s' if rules != 1 else ''}"


def _audience_text(group_ids: list[int], groups: dict[int, str]) -> str:
    if not group_ids:
        return "everyone"
    return ", ".join(groups.get(g, f"group {g}") for g in group_ids)


def describe_changes(
    before: dict[str, Any], after: dict[str, Any], groups: dict[int, str]
) -> list[str]:
    """One line per field that differs between two definitions, in the form's order."""
    lines = []
    for name, label in LABELS.items():
        old, new = before.get(name, DEFAULTS.get(name)), after.get(name, DEFAULTS.get(name))
        if old == new:
            continue
        if name in SHORT_FIELDS:
            lines.append(f"{label}: {_yes_no(old)} → {_yes_no(new)}")
        elif name == "requirements":
            old_text, new_text = _rules_text(old or []), _rules_text(new or [])
            same_shape = old_text == new_text
            lines.append(f"{label} changed" + ("" if same_shape else f": {old_text} → {new_text}"))
        elif name == "audience":
            was, now = _audience_text(old or [], groups), _audience_text(new or [], groups)
            lines.append(f"{label}: {was} → {now}")
        elif name in ("effective_from", "effective_until"):
            lines.append(f"{label}: {_yes_no(old)[:10]} → {_yes_no(new)[:10]}")
        else:
            lines.append(f"{label} changed")
    return lines


def _audit_changes(session: Session, achievement_id: int) -> dict[int, list[str]]:
    """What the audit log says each edit changed (by version), for edits the definition does
    not show, such as a new badge image."""
    events = session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.action == "achievement.edit",
            AuditEvent.entity_type == "achievement",
            AuditEvent.entity_id == achievement_id,
        )
    )
    out: dict[int, list[str]] = {}
    for details in events:
        version = (details or {}).get("version")
        if isinstance(version, int):
            out[version] = [str(c) for c in details.get("changed") or []]
    return out


def _award_counts(session: Session, achievement_id: int) -> dict[int, tuple[int, int]]:
    revoked = func.sum(case((Award.revoked.is_(True), 1), else_=0))
    query = (
        select(Award.achievement_version, func.count(Award.id), revoked)
        .where(Award.achievement_id == achievement_id)
        .group_by(Award.achievement_version)
    )
    return {v: (given, int(taken or 0)) for v, given, taken in session.execute(query)}


def version_history(session: Session, achievement_id: int) -> list[VersionSummary]:
    """Every version, newest first, with its changes from the one before and its awards."""
    versions = list(list_versions(session, achievement_id))
    group_ids = {g for v in versions for g in v.definition.get("audience") or []}
    groups = (
        {
            group_id: name
            for group_id, name in session.execute(
                select(Group.id, Group.name).where(Group.id.in_(group_ids))
            )
        }
        if group_ids
        else {}
    )
    counts = _award_counts(session, achievement_id)
    audited = _audit_changes(session, achievement_id)
    out = []
    previous: dict[str, Any] | None = None
    for row in versions:
        if previous is None:
            changes = ["Created"]
        else:
            changes = describe_changes(previous, row.definition, groups)
            if not changes:
                named = audited.get(row.version, [])
                changes = (
                    ["Badge image changed"]
                    if named == ["badge"]
                    else [f"{', '.join(named) or 'Nothing in the definition'} changed"]
                )
        given, revoked = counts.get(row.version, (0, 0))
        out.append(
            VersionSummary(
                version=row.version,
                created_at=row.created_at,
                created_by=row.created_by,
                changes=changes,
                awards=given,
                revoked=revoked,
            )
        )
        previous = row.definition
    return out[::-1]
