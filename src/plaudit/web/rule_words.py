"""A rule in words a member understands: sources by name, fields by label, filters kept.

"Calls where outcome is won", "Total deal value of Deals where status is Approved",
"Distinct campaigns in Campaign activations"; and its progress, "Calls: 2 of 3",
"Calls where outcome is won: 0 of at most 4", "Calls: 7 of 10 toward the 2nd".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plaudit.domain.labels import default_label, in_sentence
from plaudit.models import Source
from plaudit.rules.model import Aggregate, Filter, FilterOp, Operator, Rule
from plaudit.web.forms.rule_builder import FILTER_LABELS
from plaudit.web.numbers import format_number

NUMBER_WORDS = {
    Aggregate.SUM: "Total",
    Aggregate.AVG: "Average",
    Aggregate.MIN: "Smallest",
    Aggregate.MAX: "Largest",
}
TARGET_WORDS = {
    Operator.AT_LEAST: "",
    Operator.MORE_THAN: "more than ",
    Operator.EXACTLY: "exactly ",
    Operator.AT_MOST: "at most ",
    Operator.LESS_THAN: "less than ",
}


@dataclass(frozen=True)
class SourceWords:
    """What wording needs of a source: its name and its fields' labels."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return self.labels.get(name) or default_label(name)


def source_words(sources: Sequence[Source]) -> dict[str, SourceWords]:
    """Source key -> its words, for every source."""
    return {s.key: SourceWords(s.name, s.field_labels()) for s in sources}


def plural(noun: str) -> str:
    """A simple, predictable English plural of a label's last word: campaign -> campaigns,
    campaign ID -> campaign IDs, status -> statuses, country -> countries."""
    lower = noun.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if lower.endswith("y") and len(noun) > 1 and lower[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return format_number(value)
    return str(value)


def filter_words(flt: Filter, source: SourceWords) -> str:
    """ "outcome is won", "region is one of EMEA, APAC", "note is present"."""
    name = in_sentence(source.label(flt.field))
    if flt.op is FilterOp.EXISTS:
        return f"{name} {'is present' if flt.value else 'is absent'}"
    values = flt.value if isinstance(flt.value, list) else [flt.value]
    return f"{name} {FILTER_LABELS[flt.op]} {', '.join(map(_value, values))}"


def subject(rule: Rule, source: SourceWords) -> str:
    """What a rule measures, with its filters."""
    if rule.aggregate is Aggregate.COUNT:
        what = source.name
    elif rule.aggregate is Aggregate.COUNT_DISTINCT:
        what = f"Distinct {plural(in_sentence(source.label(rule.field or '')))} in {source.name}"
    else:
        label = in_sentence(source.label(rule.field or ""))
        what = f"{NUMBER_WORDS[rule.aggregate]} {label} of {source.name}"
    if rule.where:
        what += " where " + " and ".join(filter_words(f, source) for f in rule.where)
    return what


def progress_words(rule: Rule, current: float, target: float | None = None) -> str:
    """ "2 of 3", "0 of at most 4", "3 of more than 5"; `target` replaces the rule's own
    (the part toward a repeatable achievement's next completion)."""
    goal = rule.value if target is None else target
    return f"{format_number(current)} of {TARGET_WORDS[rule.operator]}{format_number(goal)}"


def rule_sentence(spec: Mapping[str, Any] | Rule, sources: Mapping[str, SourceWords]) -> str:
    """A whole rule without progress: "Calls where outcome is won: at least 3"."""
    rule = spec if isinstance(spec, Rule) else Rule.model_validate(spec)
    words = sources.get(rule.source, SourceWords(rule.source))
    target = TARGET_WORDS[rule.operator] or "at least "
    return f"{subject(rule, words)}: {target}{format_number(rule.value)}"
