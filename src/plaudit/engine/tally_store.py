"""Tallies in the database: find or create them, build a new one from the records with
set-based SQL, point an achievement's rule slots at them, and drop them when no active
achievement uses them any more."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from plaudit.db.locking import lock_decision
from plaudit.db.rows import empty_scratch_tables, scratch_table_options
from plaudit.db.types import UTCDateTime
from plaudit.db.upsert import insert_for
from plaudit.engine.tally import TallySpec, definition_of, progress_columns, value_columns
from plaudit.engine.tally import where_clause as tally_where
from plaudit.models import AchievementTally, Record, Source, Tally, TallyProgress, TallyValue
from plaudit.periods import ALL_KEY, Period, period_containing

_temp = MetaData()
backfill_periods = Table(
    "backfill_periods",
    _temp,
    Column("period_key", String(20), primary_key=True),
    Column("start_at", UTCDateTime(), nullable=False),
    Column("end_at", UTCDateTime(), nullable=False),
    **scratch_table_options(),
)


def source_id_of(session: Session, source_key: str) -> int | None:
    return session.scalars(select(Source.id).where(Source.key == source_key)).first()


def record_window(spec: TallySpec, source_id: int) -> Any:
    """The records of the tally's source inside its window (filters not applied)."""
    clause = Record.source_id == source_id
    if spec.effective_from is not None:
        clause = and_(clause, Record.occurred_at >= spec.effective_from)
    if spec.effective_until is not None:
        clause = and_(clause, Record.occurred_at < spec.effective_until)
    return clause


def prepare_periods(session: Session, period: Period, window: Any, zone: ZoneInfo) -> bool:
    """Fill the temporary table of the periods that the records in `window` span; False for
    period none (every record is in the one period 'all')."""
    if period is Period.none:
        return False
    empty_scratch_tables(session, backfill_periods)
    low, high = session.execute(
        select(func.min(Record.occurred_at), func.max(Record.occurred_at)).where(window)
    ).one()
    if low is None:
        return True
    rows = []
    current = period_containing(low, period, zone)
    while True:
        rows.append({"period_key": current.key, "start_at": current.start, "end_at": current.end})
        assert current.end is not None
        if current.end > high:
            break
        current = period_containing(current.end, period, zone)
    session.execute(insert(backfill_periods), rows)
    return True


def join_periods(query: Any) -> Any:
    return query.join(
        backfill_periods,
        and_(
            Record.occurred_at >= backfill_periods.c.start_at,
            Record.occurred_at < backfill_periods.c.end_at,
        ),
    )


def period_column(periods: bool) -> Any:
    return backfill_periods.c.period_key if periods else literal(ALL_KEY)


def build_from_records(session: Session, tally_id: int, spec: TallySpec, zone: ZoneInfo) -> None:
    """Compute a new tally from the records already stored: one INSERT ... SELECT ...
    GROUP BY for the counts and sums, one for the values."""
    source_id = source_id_of(session, spec.source)
    if source_id is None:
        return
    window = record_window(spec, source_id)
    periods = prepare_periods(session, spec.period, window, zone)
    period_col = period_column(periods)
    where = and_(window, tally_where(spec, Record.data, Record.occurred_at))
    matched, n_values, total = progress_columns(spec, Record.data)
    query = select(literal(tally_id), Record.member_id, period_col, matched, n_values, total).where(
        where
    )
    if periods:
        query = join_periods(query)
    query = query.group_by(Record.member_id, period_col)
    columns = ["tally_id", "member_id", "period_key", "matched", "n_values", "total"]
    session.execute(insert(TallyProgress).from_select(columns, query))
    if not spec.keeps_values:
        return
    present, value_key, numeric = value_columns(spec, Record.data)
    vquery = select(
        literal(tally_id), Record.member_id, period_col, value_key, numeric, func.count()
    ).where(where, present)
    if periods:
        vquery = join_periods(vquery)
    vquery = vquery.group_by(Record.member_id, period_col, value_key, numeric)
    vcolumns = ["tally_id", "member_id", "period_key", "value_key", "numeric", "n"]
    session.execute(insert(TallyValue).from_select(vcolumns, vquery))


def ensure_tallies(session: Session, specs: Iterable[TallySpec], zone: ZoneInfo) -> dict[str, int]:
    """The id of each spec's tally (by signature), creating and building the missing ones.

    A tally that exists is up to date: it exists only while an active achievement uses it, and
    every record change of its source updates it."""
    wanted = {spec.signature: spec for spec in specs}
    if not wanted:
        return {}
    lock_decision(session, "tallies")
    ids = _ids_by_signature(session, wanted)
    for signature, spec in wanted.items():
        if signature in ids:
            continue
        stmt = insert_for(session, Tally).values(
            signature=signature, source_key=spec.source, definition=definition_of(spec)
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=["signature"]))
        new_id = _ids_by_signature(session, {signature: spec})[signature]
        build_from_records(session, new_id, spec, zone)
        ids[signature] = new_id
    return ids


def _ids_by_signature(session: Session, wanted: Mapping[str, TallySpec]) -> dict[str, int]:
    return {
        signature: tally_id
        for tally_id, signature in session.execute(
            select(Tally.id, Tally.signature).where(Tally.signature.in_(sorted(wanted)))
        )
    }


def attach(
    session: Session, achievement_id: int, slot_specs: Mapping[str, TallySpec], zone: ZoneInfo
) -> dict[str, int]:
    """Point every rule slot of the achievement at its tally (made and built if need be);
    returns slot -> tally id."""
    ids = ensure_tallies(session, slot_specs.values(), zone)
    slot_ids = {slot: ids[spec.signature] for slot, spec in slot_specs.items()}
    session.execute(
        delete(AchievementTally).where(AchievementTally.achievement_id == achievement_id)
    )
    if slot_ids:
        session.execute(
            insert(AchievementTally),
            [
                {"achievement_id": achievement_id, "rule_slot": slot, "tally_id": tally_id}
                for slot, tally_id in sorted(slot_ids.items())
            ],
        )
    return slot_ids


def release(session: Session, achievement_id: int) -> None:
    """Unpoint the achievement's slots and drop the tallies that nothing points at any more."""
    lock_decision(session, "tallies")
    mine = set(
        session.scalars(
            select(AchievementTally.tally_id).where(
                AchievementTally.achievement_id == achievement_id
            )
        )
    )
    session.execute(
        delete(AchievementTally).where(AchievementTally.achievement_id == achievement_id)
    )
    if not mine:
        return
    still_used = set(
        session.scalars(
            select(AchievementTally.tally_id).where(AchievementTally.tally_id.in_(sorted(mine)))
        )
    )
    orphans = sorted(mine - still_used)
    if orphans:
        session.execute(delete(TallyValue).where(TallyValue.tally_id.in_(orphans)))
        session.execute(delete(TallyProgress).where(TallyProgress.tally_id.in_(orphans)))
        session.execute(delete(Tally).where(Tally.id.in_(orphans)))


def slot_tallies(session: Session, achievement_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """achievement id -> rule slot -> tally id, for achievements that are attached."""
    ids = sorted(set(achievement_ids))
    out: dict[int, dict[str, int]] = {}
    for start in range(0, len(ids), 500):
        for a, slot, t in session.execute(
            select(
                AchievementTally.achievement_id,
                AchievementTally.rule_slot,
                AchievementTally.tally_id,
            ).where(AchievementTally.achievement_id.in_(ids[start : start + 500]))
        ):
            out.setdefault(a, {})[slot] = t
    return out
