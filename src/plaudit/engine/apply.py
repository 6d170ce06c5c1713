"""Apply record changes to the engine: retract old contributions, add new ones, award.

Called inside the request's transaction by ingestion and record deletion, so that a record,
its progress and the awards it causes commit or roll back together. Two paths give the same
progress and awards: the per-record path here computes deltas in Python (cheapest for a few
records), the bulk path (``engine.bulk``) stages the batch and computes them with SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.engine.compiled import SourcePlan, source_plan
from plaudit.engine.deltas import DeltaBatch, RecordFacts, add_record
from plaudit.engine.evaluate import evaluate_touched
from plaudit.engine.store import flush

Change = tuple[RecordFacts | None, RecordFacts | None]
"""(before, after): a create is (None, new), a delete (old, None), an update (old, new)."""


def apply_changes(
    session: Session, source_key: str, changes: Sequence[Change], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Update the running aggregates for these changes and return the ids of new awards."""
    if not changes:
        return []
    plan = source_plan(session, source_key, zone)
    if not plan.achievements:
        return []
    return apply_to_plan(session, plan, changes, now=now, zone=zone)


def apply_to_plan(
    session: Session, plan: SourcePlan, changes: Sequence[Change], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    batch = DeltaBatch()
    for before, after in changes:
        if before is not None:
            add_record(batch, plan, before, -1, zone)
        if after is not None:
            add_record(batch, plan, after, +1, zone)
    users = {t.id: t.achievement_ids for t in plan.tallies}
    touched = {(a, m, p) for (t, m, p) in batch.progress for a in users[t]}
    flush(session, batch)
    return evaluate_touched(session, plan.achievements, touched, now=now, zone=zone)
