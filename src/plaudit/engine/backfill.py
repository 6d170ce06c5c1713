"""Backfill on activation: point the achievement's rules at their tallies, building the ones
no active achievement shares yet from the records already in the window with set-based SQL
(one INSERT ... SELECT ... GROUP BY per tally), then award everyone who qualifies."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from plaudit.domain.audience import in_any
from plaudit.engine.audiences import member_facts
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.evaluate import award_due
from plaudit.engine.store import ProgressState, SlotState, read_progress_of
from plaudit.engine.tally import TallySpec, progress_columns, value_columns, where_clause
from plaudit.engine.tally_store import (
    attach,
    join_periods,
    period_column,
    prepare_periods,
    record_window,
    source_id_of,
)
from plaudit.models import Record


def backfill(
    session: Session, compiled: CompiledAchievement, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Attach the achievement to its tallies and award what is due; return new award ids."""
    compiled.slot_tallies = attach(session, compiled.id, compiled.slot_specs, zone)
    state = read_progress_of(session, compiled.slot_tallies)
    return award_due(session, compiled, state, now=now, zone=zone)


def progress_from_records(
    session: Session, compiled: CompiledAchievement, zone: ZoneInfo
) -> ProgressState:
    """The progress the records imply, computed by the same SQL as a tally build, in memory
    (preview: writes nothing)."""
    state: ProgressState = defaultdict(dict)
    for slot, spec in compiled.slot_specs.items():
        for (member_id, period_key), slot_state in _slot_from_records(session, spec, zone).items():
            state[(member_id, period_key)][slot] = slot_state
    if compiled.audiences:
        facts = {f.member_id: f for f in member_facts(session, sorted({m for m, _ in state}))}
        for key in [k for k in state if not in_any(compiled.audiences, facts[k[0]])]:
            del state[key]
    return state


def _slot_from_records(
    session: Session, spec: TallySpec, zone: ZoneInfo
) -> dict[tuple[int, str], SlotState]:
    source_id = source_id_of(session, spec.source)
    if source_id is None:
        return {}
    window = record_window(spec, source_id)
    periods = prepare_periods(session, spec.period, window, zone)
    period_col = period_column(periods)
    where = and_(window, where_clause(spec, Record.data, Record.occurred_at))
    matched, n_values, total = progress_columns(spec, Record.data)
    query = select(Record.member_id, period_col, matched, n_values, total).where(where)
    if periods:
        query = join_periods(query)
    out = {
        (m, p): SlotState(c, n, float(t))
        for m, p, c, n, t in session.execute(query.group_by(Record.member_id, period_col))
    }
    if not spec.keeps_values:
        return out
    present, value_key, numeric = value_columns(spec, Record.data)
    distinct = select(
        Record.member_id.label("m"),
        period_col.label("p"),
        value_key.label("vk"),
        numeric.label("num"),
    ).where(where, present)
    if periods:
        distinct = join_periods(distinct)
    sub = distinct.group_by(Record.member_id, period_col, value_key, numeric).subquery()
    vquery = select(
        sub.c.m, sub.c.p, func.min(sub.c.num), func.max(sub.c.num), func.count()
    ).group_by(sub.c.m, sub.c.p)
    for m, p, low, high, count in session.execute(vquery):
        slot_state = out.setdefault((m, p), SlotState())
        slot_state.minimum, slot_state.maximum, slot_state.distinct = low, high, count
    return out


__all__ = ["backfill", "progress_from_records"]
