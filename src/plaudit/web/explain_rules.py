"""A rule of an explanation in words: what it counts, its target, where it stands, what it
still needs and the records it counted, with sources and fields by their display names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from plaudit.engine.explain import RuleExplanation
from plaudit.models import Source
from plaudit.rules.model import Aggregate, FilterOp, Operator
from plaudit.web.forms.rule_builder import FILTER_LABELS, OPERATOR_LABELS
from plaudit.web.numbers import format_number
from plaudit.web.words import moment

LISTED_RECORDS = 10


@dataclass(frozen=True)
class RecordLine:
    when: str
    iso: str
    reference: str
    data: list[tuple[str, str]]


@dataclass(frozen=True)
class RuleView:
    text: str
    target: str
    current: str
    met: bool
    needed: str
    counted: int
    outside: int
    records: list[RecordLine]
    more_records: int


def field_label(name: str) -> str:
    """`close_date` -> "Close date": sources declare fields by name only."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(float(value))
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    return "—" if value is None else str(value)


def _filter_text(spec: dict[str, Any]) -> str:
    label = field_label(str(spec.get("field", ""))).lower()
    op = FilterOp(spec.get("op", "eq"))
    if op is FilterOp.EXISTS:
        return f"{label} is {'present' if spec.get('value', True) else 'missing'}"
    return f"{label} {FILTER_LABELS[op]} {value_text(spec.get('value'))}"


def _what(definition: dict[str, Any], source: str) -> str:
    aggregate = Aggregate(definition["aggregate"])
    field = field_label(str(definition.get("field") or "")).lower()
    of = f"{source} records"
    text = {
        Aggregate.COUNT: f"Number of {of}",
        Aggregate.COUNT_DISTINCT: f"Number of distinct {field} values of {of}",
        Aggregate.SUM: f"Total {field} of {of}",
        Aggregate.AVG: f"Average {field} of {of}",
        Aggregate.MIN: f"Smallest {field} of {of}",
        Aggregate.MAX: f"Largest {field} of {of}",
    }[aggregate]
    filters = definition.get("where") or []
    if filters:
        text += " where " + " and ".join(_filter_text(f) for f in filters)
    return text


def _needed(rule: RuleExplanation) -> str:
    """What would meet an unmet rule, in words ("" when it is met)."""
    if rule.met:
        return ""
    operator = Operator(rule.operator)
    counting = rule.aggregate == Aggregate.COUNT.value
    current = rule.current
    if current is None:
        return "no matching records yet"
    gap = rule.target - current
    if operator is Operator.AT_LEAST:
        noun = (" record" if gap == 1 else " records") if counting else ""
        return f"{format_number(gap)} more{noun}"
    if operator is Operator.MORE_THAN and counting:
        more = int(gap) + 1
        return f"{more} more record{'s' if more != 1 else ''}"
    if operator is Operator.MORE_THAN:
        return f"more than {format_number(gap)} more"
    limit = OPERATOR_LABELS[operator]
    return f"it is {format_number(current)}: it has to be {limit} {format_number(rule.target)}"


def _record(raw: dict[str, Any], order: list[str], zone: ZoneInfo) -> RecordLine:
    when = datetime.fromisoformat(str(raw["occurred_at"]))
    data: dict[str, Any] = raw.get("data") or {}
    names = [n for n in order if n in data] + sorted(n for n in data if n not in order)
    return RecordLine(
        when=moment(when, zone),
        iso=when.isoformat(),
        reference=str(raw.get("external_id") or ""),
        data=[(field_label(n), value_text(data[n])) for n in names],
    )


def rule_view(rule: RuleExplanation, sources: dict[str, Source], zone: ZoneInfo) -> RuleView:
    source = sources.get(rule.source)
    name = source.name if source is not None else field_label(rule.source)
    order = [str(f.get("name")) for f in source.fields] if source is not None else []
    listed = rule.records[:LISTED_RECORDS]
    return RuleView(
        text=_what(rule.definition, name),
        target=f"{OPERATOR_LABELS[Operator(rule.operator)]} {format_number(rule.target)}",
        current="no records" if rule.current is None else format_number(rule.current),
        met=rule.met,
        needed=_needed(rule),
        counted=rule.matching_records,
        outside=rule.matching_outside_window,
        records=[_record(r, order, zone) for r in listed],
        more_records=rule.matching_records - len(listed),
    )
