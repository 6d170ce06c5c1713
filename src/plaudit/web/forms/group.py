"""The group form: a name, teams and members picked from lists, and ad hoc conditions typed as
rows (`cond-<n>-attribute`, `-key`, `-op`, `-value`), read into the API's group body.

The same reading serves the save and the live preview, so what the preview lists is what the
saved group admits. Values are typed the way the teams hold them: a team attribute whose
values are numbers compares as a number ("tier is 2" matches `{"tier": 2}`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from plaudit.domain.audience import ConditionOp
from plaudit.limits import MAX_GROUP_CONDITIONS
from plaudit.web.forms.common import FieldErrors, text
from plaudit.web.forms.people import parse_id

TEAM_ATTRIBUTE = "team.attributes"
ATTRIBUTE_CHOICES = (
    ("team.name", "Team name"),
    ("member.role", "Member role"),
    (TEAM_ATTRIBUTE, "Team attribute…"),
)
OP_CHOICES = (
    (ConditionOp.eq.value, "is"),
    (ConditionOp.ne.value, "is not"),
    (ConditionOp.in_.value, "is one of"),
    (ConditionOp.not_in.value, "is none of"),
    (ConditionOp.contains.value, "contains"),
    (ConditionOp.exists.value, "is set"),
)
LIST_OPS = {ConditionOp.in_.value, ConditionOp.not_in.value}
ATTRIBUTE_WORDS = dict(ATTRIBUTE_CHOICES)
OP_WORDS = dict(OP_CHOICES)


@dataclass(frozen=True)
class ConditionRow:
    """One condition as typed: `key` is the attribute's name for a team attribute."""

    attribute: str = "team.name"
    key: str = ""
    op: str = ConditionOp.eq.value
    value: str = ""

    @property
    def blank(self) -> bool:
        return not self.value and not self.key and self.op != ConditionOp.exists.value


@dataclass(frozen=True)
class GroupValues:
    """What the group form holds, as typed (for re-rendering)."""

    name: str = ""
    team_ids: frozenset[int] = frozenset()
    member_ids: frozenset[int] = frozenset()
    conditions: tuple[ConditionRow, ...] = field(default_factory=tuple)


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def values_of(
    name: str,
    team_ids: Iterable[int],
    member_ids: Iterable[int],
    conditions: Iterable[Mapping[str, Any]],
) -> GroupValues:
    """A saved group as form values."""
    rows = []
    for cond in conditions:
        attribute = str(cond.get("attribute", ""))
        key = ""
        if attribute.startswith(TEAM_ATTRIBUTE + "."):
            attribute, key = TEAM_ATTRIBUTE, attribute.removeprefix(TEAM_ATTRIBUTE + ".")
        op = str(cond.get("op", ConditionOp.eq.value))
        value = "" if op == ConditionOp.exists.value else _value_text(cond.get("value"))
        rows.append(ConditionRow(attribute=attribute, key=key, op=op, value=value))
    return GroupValues(
        name=name,
        team_ids=frozenset(team_ids),
        member_ids=frozenset(member_ids),
        conditions=tuple(rows),
    )


def read_values(form: FormData) -> GroupValues:
    """The form as typed; junk ids are dropped (the lists only offer real ones)."""
    rows = []
    for n in range(MAX_GROUP_CONDITIONS + 1):
        prefix = f"cond-{n}-"
        if f"{prefix}attribute" not in form:
            continue
        row = ConditionRow(
            attribute=text(form, prefix + "attribute"),
            key=text(form, prefix + "key"),
            op=text(form, prefix + "op"),
            value=text(form, prefix + "value"),
        )
        if not row.blank:
            rows.append(row)
    return GroupValues(
        name=text(form, "name"),
        team_ids=_ids(form.getlist("team_ids")),
        member_ids=_ids(form.getlist("member_ids")),
        conditions=tuple(rows),
    )


def _ids(raw: Iterable[object]) -> frozenset[int]:
    out = (parse_id(v) for v in raw if isinstance(v, str))
    return frozenset(i for i in out if i is not None)


def _typed(text_value: str, numeric: bool) -> Any:
    """Numbers stay numbers where the teams hold numbers; everything else is text."""
    if numeric:
        try:
            parsed = json.loads(text_value)
        except ValueError:
            return text_value
        if isinstance(parsed, int | float) and not isinstance(parsed, bool):
            return parsed
    return text_value


def numeric_attributes(team_attributes: Iterable[Mapping[str, Any]]) -> set[str]:
    """Names of team attributes every team that has them holds as a number."""
    seen: dict[str, bool] = {}
    for attributes in team_attributes:
        for name, value in attributes.items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            seen[name] = seen.get(name, True) and number
    return {name for name, number in seen.items() if number}


def condition_body(
    rows: Iterable[ConditionRow], numeric: set[str]
) -> tuple[list[dict[str, Any]], FieldErrors]:
    """The conditions as the API takes them, and messages for rows that cannot be one."""
    out: list[dict[str, Any]] = []
    errors: FieldErrors = {}
    for n, row in enumerate(rows):
        where = f"cond-{n}"
        if row.attribute not in ATTRIBUTE_WORDS:
            errors[f"{where}-attribute"] = "Choose what the condition reads."
            continue
        if row.op not in OP_WORDS:
            errors[f"{where}-op"] = "Choose a comparison."
            continue
        attribute = row.attribute
        if attribute == TEAM_ATTRIBUTE:
            if not row.key:
                errors[f"{where}-key"] = "Name the team attribute, for example tier or region."
                continue
            attribute = f"{TEAM_ATTRIBUTE}.{row.key}"
        numbers = attribute.startswith(TEAM_ATTRIBUTE + ".") and row.key in numeric
        value: Any
        if row.op == ConditionOp.exists.value:
            value = True
        elif row.op in LIST_OPS:
            value = [_typed(v.strip(), numbers) for v in row.value.split(",") if v.strip()]
            if not value:
                errors[f"{where}-value"] = "Type one value or more, separated by commas."
                continue
        elif not row.value:
            errors[f"{where}-value"] = "Type the value to compare with."
            continue
        else:
            value = _typed(row.value, numbers)
        out.append({"attribute": attribute, "op": row.op, "value": value})
    return out, errors


PART_WORDS = {
    "attribute": "what it reads",
    "op": "comparison",
    "key": "attribute name",
    "value": "value",
}


def condition_labels(errors: FieldErrors) -> dict[str, str]:
    """Words for the error summary: `cond-0-key` -> "Condition 1: attribute name"."""
    out = {}
    for key in errors:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "cond" and parts[1].isdigit():
            out[key] = f"Condition {int(parts[1]) + 1}: {PART_WORDS.get(parts[2], parts[2])}"
    return out


def describe_condition(cond: Mapping[str, Any]) -> str:
    """A saved condition in words: `team.attributes.tier in [1, 2]` -> "Team tier is one of
    1, 2"."""
    attribute = str(cond.get("attribute", ""))
    if attribute.startswith(TEAM_ATTRIBUTE + "."):
        subject = "Team " + attribute.removeprefix(TEAM_ATTRIBUTE + ".")
    else:
        subject = ATTRIBUTE_WORDS.get(attribute, attribute)
    op = str(cond.get("op", "eq"))
    if op == ConditionOp.exists.value:
        return f"{subject} is {'set' if cond.get('value', True) else 'not set'}"
    return f"{subject} {OP_WORDS.get(op, op)} {_value_text(cond.get('value'))}"
