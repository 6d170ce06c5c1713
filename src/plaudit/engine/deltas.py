"""What one record adds to (or, retracted, takes from) the running aggregates.

Pure bookkeeping in memory: a batch accumulates the deltas of all its records, and the
progress store writes them with one upsert per touched row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from plaudit.engine.compiled import VALUE_AGGREGATES, CompiledAchievement
from plaudit.periods import Period, period_containing
from plaudit.rules.canonical import distinct_key
from plaudit.rules.model import Aggregate
from plaudit.rules.values import matches, read_value

ProgressKey = tuple[int, int, str, str]
"""(achievement_id, member_id, period_key, rule_slot)"""
ValueKey = tuple[int, int, str, str, str, float]
"""ProgressKey + (value_key, numeric)"""


@dataclass(frozen=True)
class RecordFacts:
    """What the engine needs of a record: whose it is, when it happened, its canonical data."""

    member_id: int
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass
class ProgressDelta:
    matched: int = 0
    n_values: int = 0
    total: float = 0.0


@dataclass
class DeltaBatch:
    progress: dict[ProgressKey, ProgressDelta] = field(
        default_factory=lambda: defaultdict(ProgressDelta)
    )
    values: dict[ValueKey, int] = field(default_factory=lambda: defaultdict(int))
    touched: set[tuple[int, int, str]] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not self.progress and not self.values


def add_record(
    batch: DeltaBatch,
    achievements: list[CompiledAchievement],
    source_key: str,
    facts: RecordFacts,
    sign: int,
    zone: ZoneInfo,
) -> None:
    """Add (sign +1) or retract (sign -1) one record's contribution to every rule reading it.

    Progress is kept for every member, whatever the audience: audiences are decided on current
    data when awarding and showing, so a member moving in or out of an audience never leaves
    a contribution counted on one side and retracted on the other.
    """
    period_keys: dict[Period, str] = {}  # many achievements share a period kind
    for compiled in achievements:
        slot_rules = compiled.rules_by_source.get(source_key)
        if not slot_rules or not compiled.in_window(facts.occurred_at):
            continue
        fields = compiled.fields.get(source_key, {})
        period_key = period_keys.get(compiled.period)
        if period_key is None:
            period_key = period_containing(facts.occurred_at, compiled.period, zone).key
            period_keys[compiled.period] = period_key
        for sr in slot_rules:
            rule = sr.rule
            if not all(matches(f, fields.get(f.field), facts.data) for f in rule.where):
                continue
            key = (compiled.id, facts.member_id, period_key, sr.slot)
            delta = batch.progress[key]
            delta.matched += sign
            batch.touched.add((compiled.id, facts.member_id, period_key))
            if rule.field is None or sr.field_type is None:
                continue
            value = read_value(sr.field_type, facts.data, rule.field)
            if value is None:
                continue
            if rule.aggregate in (Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX):
                delta.n_values += sign
                delta.total += sign * float(value)  # type: ignore[arg-type]
            if rule.aggregate in VALUE_AGGREGATES:
                value_key, numeric = distinct_key(sr.field_type, facts.data[rule.field])
                batch.values[(*key, value_key, numeric)] += sign
