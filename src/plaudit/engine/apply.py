"""Apply record changes to the engine: retract old contributions, add new ones, award.

Called inside the request's transaction by ingestion and record deletion, so that a record,
its progress and the awards it causes commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.engine.compiled import achievements_reading
from plaudit.engine.deltas import DeltaBatch, RecordFacts, add_record
from plaudit.engine.evaluate import evaluate_touched
from plaudit.engine.store import flush

Change = tuple[RecordFacts | None, RecordFacts | None]
"""(before, after): a create is (None, new), a delete (old, None), an update (old, new)."""


def apply_changes(
    session: Session, source_key: str, changes: Sequence[Change], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Update the running aggregates for these changes and return the ids of new awards."""
    achievements = achievements_reading(session, source_key)
    if not achievements or not changes:
        return []
    batch = DeltaBatch()
    for before, after in changes:
        if before is not None:
            add_record(batch, achievements, source_key, before, -1, zone)
        if after is not None:
            add_record(batch, achievements, source_key, after, +1, zone)
    touched = set(batch.touched)
    flush(session, batch)
    return evaluate_touched(session, achievements, touched, now=now, zone=zone)
