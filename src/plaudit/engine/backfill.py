"""Backfill on activation: rebuild an achievement's running aggregates from the records
already in its window with set-based SQL (one INSERT ... SELECT ... GROUP BY per rule), then
award everyone who qualifies."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Float,
    MetaData,
    String,
    Table,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from plaudit.db.types import UTCDateTime
from plaudit.engine.compiled import VALUE_AGGREGATES, CompiledAchievement, SlotRule
from plaudit.engine.evaluate import award_due
from plaudit.engine.store import ProgressState, SlotState, clear_progress, read_progress
from plaudit.group.matching import in_any
from plaudit.group.service import member_facts
from plaudit.models import Record, RuleProgress, RuleProgressValue, Source
from plaudit.periods import Period, period_containing
from plaudit.rules.canonical import distinct_key
from plaudit.rules.model import Aggregate
from plaudit.rules.sql import rule_clause, value_of

_temp = MetaData()
backfill_periods = Table(
    "backfill_periods",
    _temp,
    Column("period_key", String(20), primary_key=True),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=False),
    prefixes=["TEMPORARY"],
)
_NUMERIC_AGGREGATES = frozenset({Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX})


def backfill(
    session: Session, compiled: CompiledAchievement, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Rebuild progress from scratch and award what is due; return new award ids."""
    clear_progress(session, compiled.id)
    for source_key, slot_rules in compiled.rules_by_source.items():
        source_id = session.scalars(select(Source.id).where(Source.key == source_key)).first()
        if source_id is None:
            continue
        periods = _prepare_periods(session, compiled, source_id, zone)
        for slot_rule in slot_rules:
            _aggregate_rule(session, compiled, source_key, source_id, slot_rule, periods)
    return award_due(session, compiled, read_progress(session, compiled.id), now=now, zone=zone)


def _window_clause(compiled: CompiledAchievement, source_id: int) -> Any:
    clause = Record.source_id == source_id
    if compiled.effective_from is not None:
        clause = and_(clause, Record.occurred_at >= compiled.effective_from)
    if compiled.effective_until is not None:
        clause = and_(clause, Record.occurred_at < compiled.effective_until)
    return clause


def _prepare_periods(
    session: Session, compiled: CompiledAchievement, source_id: int, zone: ZoneInfo
) -> bool:
    """Fill the temporary table of the periods the records span; False for period none."""
    if compiled.period == Period.none:
        return False
    session.execute(CreateTable(backfill_periods, if_not_exists=True))
    session.execute(delete(backfill_periods))
    low, high = session.execute(
        select(func.min(Record.occurred_at), func.max(Record.occurred_at)).where(
            _window_clause(compiled, source_id)
        )
    ).one()
    if low is None:
        return True
    rows = []
    window = period_containing(low, compiled.period, zone)
    while True:
        rows.append({"period_key": window.key, "start_at": window.start, "end_at": window.end})
        assert window.end is not None
        if window.end > high:
            break
        window = period_containing(window.end, compiled.period, zone)
    session.execute(insert(backfill_periods), rows)
    return True


def _rule_query(
    compiled: CompiledAchievement,
    source_key: str,
    source_id: int,
    slot_rule: SlotRule,
    periods: bool,
) -> tuple[Any, Any, Any]:
    """SELECT achievement, member, period, slot, matched, n_values, total ... GROUP BY."""
    rule = slot_rule.rule
    fields = compiled.fields.get(source_key, {})
    where = and_(_window_clause(compiled, source_id), rule_clause(rule, fields, Record.data))
    period_col = backfill_periods.c.period_key if periods else literal("all")
    numeric = (
        value_of(Record.data, rule.field, slot_rule.field_type)
        if rule.field and slot_rule.field_type is not None and rule.aggregate in _NUMERIC_AGGREGATES
        else cast(null(), Float)
    )
    query = select(
        literal(compiled.id),
        Record.member_id,
        period_col,
        literal(slot_rule.slot),
        func.count(),
        func.count(numeric),
        func.coalesce(func.sum(numeric), 0.0),
    ).where(where)
    if periods:
        query = _join_periods(query)
    return query.group_by(Record.member_id, period_col), where, period_col


def _join_periods(query: Any) -> Any:
    return query.join(
        backfill_periods,
        and_(
            Record.occurred_at >= backfill_periods.c.start_at,
            Record.occurred_at < backfill_periods.c.end_at,
        ),
    )


def _aggregate_rule(
    session: Session,
    compiled: CompiledAchievement,
    source_key: str,
    source_id: int,
    slot_rule: SlotRule,
    periods: bool,
) -> None:
    query, where, period_col = _rule_query(compiled, source_key, source_id, slot_rule, periods)
    session.execute(
        insert(RuleProgress).from_select(
            [
                "achievement_id",
                "member_id",
                "period_key",
                "rule_slot",
                "matched",
                "n_values",
                "total",
            ],
            query,
        )
    )
    if slot_rule.rule.aggregate in VALUE_AGGREGATES and slot_rule.field_type is not None:
        rows = _value_rows(session, compiled, slot_rule, where, period_col, periods)
        for start in range(0, len(rows), 5000):
            session.execute(insert(RuleProgressValue), rows[start : start + 5000])


def progress_from_records(
    session: Session, compiled: CompiledAchievement, zone: ZoneInfo
) -> ProgressState:
    """The progress the records imply, computed by the same queries as backfill, in memory."""
    state: ProgressState = defaultdict(dict)
    for source_key, slot_rules in compiled.rules_by_source.items():
        source_id = session.scalars(select(Source.id).where(Source.key == source_key)).first()
        if source_id is None:
            continue
        periods = _prepare_periods(session, compiled, source_id, zone)
        for slot_rule in slot_rules:
            query, where, period_col = _rule_query(
                compiled, source_key, source_id, slot_rule, periods
            )
            for _a, member_id, period_key, slot, matched, n_values, total in session.execute(query):
                state[(member_id, period_key)][slot] = SlotState(matched, n_values, float(total))
            if slot_rule.rule.aggregate in VALUE_AGGREGATES and slot_rule.field_type is not None:
                for row in _value_rows(session, compiled, slot_rule, where, period_col, periods):
                    slot_state = state[(row["member_id"], row["period_key"])].setdefault(
                        row["rule_slot"], SlotState()
                    )
                    slot_state.distinct += 1
                    num = row["numeric"]
                    slot_state.minimum = (
                        num if slot_state.minimum is None else min(slot_state.minimum, num)
                    )
                    slot_state.maximum = (
                        num if slot_state.maximum is None else max(slot_state.maximum, num)
                    )
    if compiled.audiences:
        facts = {f.member_id: f for f in member_facts(session, sorted({m for m, _ in state}))}
        for key in [k for k in state if not in_any(compiled.audiences, facts[k[0]])]:
            del state[key]
    return state


def _value_rows(
    session: Session,
    compiled: CompiledAchievement,
    slot_rule: SlotRule,
    where: Any,
    period_col: Any,
    periods: bool,
) -> list[dict[str, Any]]:
    """Distinct values per member and period: grouped in SQL, keyed like the live path."""
    assert slot_rule.rule.field is not None and slot_rule.field_type is not None
    raw = Record.data[slot_rule.rule.field]
    value = value_of(Record.data, slot_rule.rule.field, slot_rule.field_type)
    query = select(Record.member_id, period_col, raw, func.count()).where(where, value.is_not(None))
    if periods:
        query = _join_periods(query)
    query = query.group_by(Record.member_id, period_col, raw)
    counts: dict[tuple[int, str, str, float], int] = {}
    for member_id, period_key, raw_value, n in session.execute(query):
        value_key, numeric = distinct_key(slot_rule.field_type, raw_value)
        key = (member_id, period_key, value_key, numeric)
        counts[key] = counts.get(key, 0) + n
    return [
        {
            "achievement_id": compiled.id,
            "member_id": m,
            "period_key": p,
            "rule_slot": slot_rule.slot,
            "value_key": vk,
            "numeric": num,
            "n": n,
        }
        for (m, p, vk, num), n in counts.items()
    ]
