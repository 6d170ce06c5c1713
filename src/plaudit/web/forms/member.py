"""The member form (name, email, external id, team, role, active) read into the API's member
body, with the changes only on edit so that audiences are re-evaluated exactly when the API
would (a new team, role or active state)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from plaudit.models import Member
from plaudit.web.forms.common import FieldErrors, checked, text
from plaudit.web.forms.people import parse_id

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {"name": 200, "email": 320, "external_id": 200, "role": 100}
WORDS = {
    "name": "The name",
    "email": "The email",
    "external_id": "The external id",
    "role": "The role",
}


@dataclass(frozen=True)
class MemberValues:
    name: str = ""
    email: str = ""
    external_id: str = ""
    team_id: str = ""
    role: str = ""
    active: bool = True


def values_of(member: Member) -> MemberValues:
    return MemberValues(
        name=member.name,
        email=member.email or "",
        external_id=member.external_id or "",
        team_id=str(member.team_id) if member.team_id is not None else "",
        role=member.role or "",
        active=member.active,
    )


def read_values(form: FormData, *, with_active: bool) -> MemberValues:
    return MemberValues(
        name=text(form, "name"),
        email=text(form, "email"),
        external_id=text(form, "external_id"),
        team_id=text(form, "team_id"),
        role=text(form, "role"),
        active=checked(form, "active") if with_active else True,
    )


def member_body(values: MemberValues) -> tuple[dict[str, Any], FieldErrors]:
    """Every field as the API takes it (empty text is "none"), and what is wrong, in words."""
    errors: FieldErrors = {}
    if not values.name:
        errors["name"] = "Type the member's name."
    for name, limit in LIMITS.items():
        if len(getattr(values, name)) > limit:
            errors[name] = f"{WORDS[name]} is too long: at most {limit} characters."
    if values.email and "email" not in errors and not EMAIL.match(values.email):
        errors["email"] = "Type an email address such as ada@example.com, or leave it empty."
    team_id = parse_id(values.team_id)
    if values.team_id and team_id is None:
        errors["team_id"] = "Choose a team from the list."
    body: dict[str, Any] = {
        "name": values.name,
        "email": values.email or None,
        "external_id": values.external_id or None,
        "team_id": team_id,
        "role": values.role or None,
        "active": values.active,
    }
    return body, errors


def changes(member: Member, body: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the member as stored (an unchanged team is not a move)."""
    return {name: value for name, value in body.items() if getattr(member, name) != value}
