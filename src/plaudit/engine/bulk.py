"""The bulk path: a batch of record changes applied with set-based SQL.

Gives exactly the progress and awards of the per-record path (``engine.apply``), for any
batch, and is what large batches use (``plaudit import``, big POSTs):

1. **Stage**: every change is written with one ``executemany`` into a temporary table, a
   row per side (the old facts with sign -1, the new ones with +1), with the period key of
   each period kind the source's tallies use, computed in Python in the organisation's zone
   (local calendar dates, as everywhere). A row that is the final version of a new record
   carries its position among the new records.
2. **Records**: the new records are inserted from the stage with one ``INSERT ... SELECT``
   (updates of existing records are written by the caller).
3. **Deltas**: per tally over the source, one ``INSERT ... SELECT ... GROUP BY`` into a
   temporary delta table, with the tally's filters and window compiled to SQL by the same
   code that builds tallies from the records (``engine.tally``). Every key a staged row
   matches gets a delta row, possibly netting to zero: those are the touched keys.
4. **Upsert**: one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` adds the non-zero deltas
   to ``tally_progress``, one to ``tally_values``; values whose count falls to zero go.
5. **Evaluate**: an achievement can only become due for a touched key where, in some rule
   group, a chosen rule is met. A key the batch touched on another tally of an achievement
   counts as touched on its tested tallies too (a delta row of zero): a record matching only
   another rule's filters can be what completes the group. One query per tally kind returns
   the touched keys whose current value passes (tolerantly, a superset) the test of some
   group; only those keys are evaluated in Python by the very code the per-record path uses
   (``award_due``), in the same order, so the awards are the same; they are written
   together, one insert for all the achievements that nothing in the batch depends on
   (``engine.award_batch``). A group with no such test (every rule can be met without
   records, or its rules are on other sources) makes every touched key of its achievement a
   candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.db.rows import empty_scratch_tables
from plaudit.engine.bulk_evaluate import evaluate_touched
from plaudit.engine.bulk_stage import (
    StagedChange,
    compute_deltas,
    delta,
    insert_new_records,
    stage,
    stage_changes,
    upsert_deltas,
    value_delta,
)
from plaudit.engine.compiled import SourcePlan
from plaudit.periods import Period

__all__ = ["StagedChange", "apply_bulk"]


def apply_bulk(
    session: Session,
    plan: SourcePlan,
    source_id: int,
    changes: Sequence[StagedChange],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Insert the batch's new records, update the tallies and return the new award ids."""
    empty_scratch_tables(session, stage, delta, value_delta)
    kinds: list[Period] = sorted(
        {t.spec.period for t in plan.tallies if t.spec.period is not Period.none}
    )
    stage_changes(session, changes, kinds, zone)
    insert_new_records(session, source_id, now)
    if not plan.achievements:
        return []
    with_values = compute_deltas(session, plan)
    upsert_deltas(session, with_values)
    return evaluate_touched(session, plan, now=now, zone=zone)
