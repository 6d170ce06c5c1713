"""The Embed page's form: what to embed (a member's portal or a leaderboard), for how long
and in which colours, read into the body of POST /api/v1/embeds (EmbedCreate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.embed.schemas import EmbedKind
from plaudit.kit.schemas import MAX_ID
from plaudit.source.service import list_sources
from plaudit.web.forms.common import FieldErrors, text
from plaudit.web.forms.leaderboard import (
    PERIOD_TOKENS,
    PREVIOUS,
    ChoiceError,
    parse_choice,
)

LIFETIMES: tuple[tuple[int, str], ...] = (
    (3600, "1 hour"),
    (86400, "1 day"),
    (7 * 86400, "7 days"),
    (30 * 86400, "30 days"),
)
THEME_FIELDS = ("primary", "secondary", "background", "text")
CURRENT_PERIODS: list[tuple[str, str]] = [
    (token, label)
    for token, label in (
        ("day", "Today"),
        ("week", "This week"),
        ("month", "This month"),
        ("quarter", "This quarter"),
        ("year", "This year"),
        ("all", "All time"),
    )
]


@dataclass
class EmbedValues:
    """The form as typed, to show it again."""

    kind: str = EmbedKind.portal.value
    member_id: str = ""
    measure: str = "points"
    period: str = ""
    team: str = ""
    expires_in: str = str(LIFETIMES[0][0])
    theme: dict[str, str] = field(default_factory=dict)


def read_form(form: FormData) -> EmbedValues:
    return EmbedValues(
        kind=text(form, "kind") or EmbedKind.portal.value,
        member_id=text(form, "member_id"),
        measure=text(form, "measure") or "points",
        period=text(form, "period"),
        team=text(form, "team"),
        expires_in=text(form, "expires_in"),
        theme={name: text(form, f"theme_{name}") for name in THEME_FIELDS},
    )


def _whole(raw: str, name: str, what: str, errors: FieldErrors) -> int | None:
    if raw.isdigit() and 1 <= int(raw) <= MAX_ID:
        return int(raw)
    errors[name] = f"Choose {what} from the list."
    return None


def embed_body(
    session: Session, values: EmbedValues, defaults: dict[str, str]
) -> tuple[dict[str, Any], FieldErrors]:
    """The API body for `values`, or the problems, named by the form's fields. Colours equal
    to `defaults` (what the page would show anyway) are left out of the link."""
    errors: FieldErrors = {}
    body: dict[str, Any] = {"kind": values.kind}
    if values.kind not in {k.value for k in EmbedKind}:
        errors["kind"] = "Choose a member's achievements or a leaderboard."
        return body, errors
    lifetime = _whole(values.expires_in, "expires_in", "how long the link works", errors)
    if lifetime is not None:
        body["expires_in"] = lifetime
    theme = {
        name: value.lower()
        for name, value in values.theme.items()
        if value and value.lower() != defaults.get(name, "").lower()
    }
    if theme:
        body["theme"] = theme
    if values.kind == EmbedKind.portal.value:
        member = _whole(values.member_id, "member_id", "a member", errors)
        if member is not None:
            body["member_id"] = member
        return body, errors
    if values.period in PREVIOUS:
        errors["period"] = "An embed shows the current period: choose one from the list."
        return body, errors
    try:
        choice = parse_choice(values.measure, values.period, values.team)
        if choice.board_id is not None:
            body["board_id"] = choice.board_id
            if choice.period:
                body["period"] = PERIOD_TOKENS[choice.period].value
        else:
            defaults_of = {s.key: s.default_where for s in list_sources(session)}
            where = defaults_of.get(choice.source or "", []) if choice.with_defaults else []
            query = choice.query(where)
            body["period"] = query.period.value
            for name in ("source", "aggregate", "field", "where"):
                value = getattr(query, name)
                if value is not None:
                    body[name] = getattr(value, "value", value)
        if choice.team_id is not None:
            body["team_id"] = choice.team_id
    except ChoiceError as exc:
        errors[exc.field] = exc.message
    return body, errors
