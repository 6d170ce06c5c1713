"""What one record adds to (or, retracted, takes from) the tallies of its source.

Pure bookkeeping in memory: a batch accumulates the deltas of all its records, and the
progress store writes them with one upsert per touched row. This is the per-record path; the
bulk path (``engine.bulk``) computes the same deltas with SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from plaudit.engine.compiled import SourcePlan
from plaudit.engine.tally import TallyKind
from plaudit.periods import Period, period_containing
from plaudit.rules.canonical import distinct_key
from plaudit.rules.values import matches, read_value

TallyKey = tuple[int, int, str]
"""(tally_id, member_id, period_key)"""
ValueKey = tuple[int, int, str, str, float]
"""TallyKey + (value_key, numeric)"""


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
    progress: dict[TallyKey, ProgressDelta] = field(
        default_factory=lambda: defaultdict(ProgressDelta)
    )
    values: dict[ValueKey, int] = field(default_factory=lambda: defaultdict(int))

    def is_empty(self) -> bool:
        return not self.progress and not self.values


def add_record(
    batch: DeltaBatch, plan: SourcePlan, facts: RecordFacts, sign: int, zone: ZoneInfo
) -> None:
    """Add (sign +1) or retract (sign -1) one record's contribution to every tally reading it.

    Every tally key the record matches gets a progress delta (possibly netting to zero), which
    also marks it touched. Progress is kept for every member, whatever the audience: audiences
    are decided on current data when awarding and showing, so a member moving in or out of an
    audience never leaves a contribution counted on one side and retracted on the other.
    """
    period_keys: dict[Period, str] = {}  # many tallies share a period kind
    for tally in plan.tallies:
        spec = tally.spec
        if not spec.in_window(facts.occurred_at):
            continue
        if not all(matches(f, spec.fields.get(f.field), facts.data) for f in spec.where):
            continue
        period_key = period_keys.get(spec.period)
        if period_key is None:
            period_key = period_containing(facts.occurred_at, spec.period, zone).key
            period_keys[spec.period] = period_key
        key = (tally.id, facts.member_id, period_key)
        delta = batch.progress[key]
        delta.matched += sign
        if spec.kind is TallyKind.COUNT or spec.field is None or spec.field_type is None:
            continue
        value = read_value(spec.field_type, facts.data, spec.field)
        if value is None:
            continue
        if spec.kind is TallyKind.SUM:
            if spec.numeric:
                delta.n_values += sign
                delta.total += sign * float(value)  # type: ignore[arg-type]
        else:
            value_key, numeric = distinct_key(spec.field_type, facts.data[spec.field])
            batch.values[(*key, value_key, numeric)] += sign
