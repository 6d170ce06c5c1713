"""Write accumulated tally deltas with atomic upserts, and read progress back.

Rule slots read tallies: the progress of an achievement for a (member, period) is the state
of the tally of each of its rule slots. A (member, period) has progress for an achievement
when a record of it matches one of the achievement's rules (some slot's tally counts at least
one record); that is when the achievement is evaluated for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, delete, func, literal, select, text, union_all
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from plaudit.db.arrays import indexed
from plaudit.db.upsert import insert_for_dialect
from plaudit.engine.deltas import DeltaBatch, TallyKey
from plaudit.limits import chunks
from plaudit.models import AchievementTally, TallyProgress, TallyValue

_TALLY_KEY = ["tally_id", "member_id", "period_key"]


@cache
def _progress_upsert(dialect: str) -> Any:
    """Built once per dialect: an executemany of these is the whole write of a batch."""
    table = TallyProgress.__table__
    stmt = insert_for_dialect(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=_TALLY_KEY,
        set_={
            "matched": table.c.matched + stmt.excluded.matched,
            "n_values": table.c.n_values + stmt.excluded.n_values,
            "total": table.c.total + stmt.excluded.total,
        },
    )


@cache
def _value_upsert(dialect: str) -> Any:
    table = TallyValue.__table__
    stmt = insert_for_dialect(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=[*_TALLY_KEY, "value_key", "numeric"],
        set_={"n": table.c.n + stmt.excluded.n},
    )


_values_table = cast(Table, TallyValue.__table__)
_DROP_EMPTY_VALUE = delete(_values_table).where(
    _values_table.c.tally_id == bindparam("t"),
    _values_table.c.member_id == bindparam("m"),
    _values_table.c.period_key == bindparam("p"),
    _values_table.c.value_key == bindparam("vk"),
    _values_table.c.numeric == bindparam("num"),
    _values_table.c.n <= 0,
)


def flush(session: Session, batch: DeltaBatch) -> None:
    """Apply the batch's deltas: counts and sums move by SQL arithmetic, never
    read-modify-write; a value whose count falls to zero is removed."""
    dialect = session.get_bind().dialect.name
    progress_rows = [
        {
            "tally_id": k[0],
            "member_id": k[1],
            "period_key": k[2],
            "matched": d.matched,
            "n_values": d.n_values,
            "total": d.total,
        }
        for k, d in batch.progress.items()
        if d.matched or d.n_values or d.total
    ]
    if progress_rows:
        session.execute(_progress_upsert(dialect), progress_rows)
    value_rows = [
        {
            "tally_id": k[0],
            "member_id": k[1],
            "period_key": k[2],
            "value_key": k[3],
            "numeric": k[4],
            "n": n,
        }
        for k, n in batch.values.items()
        if n
    ]
    if value_rows:
        session.execute(_value_upsert(dialect), value_rows)
        emptied = [
            {"t": k[0], "m": k[1], "p": k[2], "vk": k[3], "num": k[4]}
            for k, n in batch.values.items()
            if n < 0
        ]
        if emptied:
            session.connection().execute(_DROP_EMPTY_VALUE, emptied)
    batch.progress.clear()
    batch.values.clear()


@dataclass
class SlotState:
    matched: int = 0
    n_values: int = 0
    total: float = 0.0
    minimum: float | None = None
    maximum: float | None = None
    distinct: int = 0


ProgressState = dict[tuple[int, str], dict[str, SlotState]]
"""(member_id, period_key) -> rule_slot -> state, for one achievement."""

TallyStates = dict[TallyKey, SlotState]


def read_tally_states(session: Session, keys: Iterable[TallyKey]) -> TallyStates:
    """The state of each (tally, member, period) key that has one, in two queries per chunk
    of tallies, periods and members (a superset is read by tally, member and period sets,
    then trimmed): each query binds at most 3 * SQL_CHUNK ids, whatever the batch."""
    wanted = set(keys)
    out: TallyStates = {}
    if not wanted:
        return out
    if session.get_bind().dialect.name == "postgresql":
        _read_keys_into(session, out, sorted(wanted))
        return out
    members = sorted({m for _, m, _ in wanted})
    for tallies in chunks(sorted({t for t, _, _ in wanted})):
        for periods in chunks(sorted({p for _, _, p in wanted})):
            for some in chunks(members):
                _read_into(session, out, wanted, list(tallies), list(some), list(periods))
    return out


_KEYED_STATES = text(
    """SELECT k.t, k.m, k.i, s.matched, s.n_values, s.total, v.low, v.high, v.distinct_values
    FROM unnest(CAST(:t AS INTEGER[]), CAST(:m AS INTEGER[]), CAST(:i AS INTEGER[]))
         AS k(t, m, i)
    CROSS JOIN LATERAL (SELECT (CAST(:periods AS VARCHAR[]))[k.i] AS p) AS kp
    LEFT JOIN LATERAL (
        SELECT matched, n_values, total FROM tally_progress
        WHERE tally_id = k.t AND member_id = k.m AND period_key = kp.p LIMIT 1
    ) AS s ON true
    CROSS JOIN LATERAL (
        SELECT min("numeric") AS low, max("numeric") AS high, count(*) AS distinct_values
        FROM tally_values
        WHERE tally_id = k.t AND member_id = k.m AND period_key = kp.p AND n > 0
    ) AS v"""
)
"""PostgreSQL: the states of exactly the wanted keys, one probe of each table's primary key
per key. The lateral subqueries (a LIMIT, an aggregate) cannot be flattened into a join, so
the planner cannot answer them with a hash join over a whole table either. Each key's period
is an index into the few periods of the keys (``plaudit.db.arrays``). Restricting by
sets of tallies, members and periods, or a plain join of the keys, let PostgreSQL, which has
no statistics of these tables when nothing analyzes them (autovacuum off), scan every row of
the tallies: a cost that grew with the whole history (the read went from 0.03 to 0.23, then
with a plain join 0.77, ms per record over a run of 50,000 records in batches of 500)."""


def _read_keys_into(session: Session, out: TallyStates, keys: list[TallyKey]) -> None:
    periods, indexes = indexed(k[2] for k in keys)
    params: dict[str, list[int] | list[str]] = {
        "t": [k[0] for k in keys],
        "m": [k[1] for k in keys],
        "i": indexes,
        "periods": periods,
    }
    for t, m, i, matched, n_values, total, low, high, distinct in session.connection().execute(
        _KEYED_STATES, params
    ):
        if matched is None and not distinct:
            continue
        state = SlotState() if matched is None else SlotState(matched, n_values, float(total))
        if distinct:
            state.minimum, state.maximum, state.distinct = low, high, distinct
        out[(t, m, periods[i - 1])] = state


def read_member_tallies(
    session: Session, tally_ids: Iterable[int], member_ids: Iterable[int]
) -> TallyStates:
    """Every period's state of the tallies for the members."""
    out: TallyStates = {}
    members = sorted(set(member_ids))
    for tallies in chunks(sorted(set(tally_ids))):
        for some in chunks(members):
            _read_into(session, out, None, list(tallies), list(some), None)
    return out


@cache
def _state_query(by_members: bool, by_periods: bool) -> Any:
    """The read of tally states, built once: the sums (kind 0) and the min, max and distinct
    count of the values (kind 1), in ONE statement (a round trip less on the per-record path),
    every measure as a float (counts are exact in a float far beyond any real count).

    Restricted to the expanding parameter `tallies`, and with `by_members` and `by_periods`
    to `members` and `periods` too. A Core statement on table columns, executed on the
    connection: on the per-record path, building and coercing a fresh ORM select cost more
    than the query.
    """
    progress = cast(Table, TallyProgress.__table__).c
    values = cast(Table, TallyValue.__table__).c
    query = select(
        literal(0).label("kind"),
        progress.tally_id,
        progress.member_id,
        progress.period_key,
        cast_(progress.matched, Float).label("a"),
        cast_(progress.n_values, Float).label("b"),
        cast_(progress.total, Float).label("c"),
    ).where(progress.tally_id.in_(bindparam("tallies", expanding=True)))
    vquery = (
        select(
            literal(1).label("kind"),
            values.tally_id,
            values.member_id,
            values.period_key,
            cast_(func.min(values.numeric), Float).label("a"),
            cast_(func.max(values.numeric), Float).label("b"),
            cast_(func.count(), Float).label("c"),
        )
        .where(values.tally_id.in_(bindparam("tallies", expanding=True)), values.n > 0)
        .group_by(values.tally_id, values.member_id, values.period_key)
    )
    if by_members:
        query = query.where(progress.member_id.in_(bindparam("members", expanding=True)))
        vquery = vquery.where(values.member_id.in_(bindparam("members", expanding=True)))
    if by_periods:
        query = query.where(progress.period_key.in_(bindparam("periods", expanding=True)))
        vquery = vquery.where(values.period_key.in_(bindparam("periods", expanding=True)))
    return union_all(query, vquery)


def _read_into(
    session: Session,
    out: TallyStates,
    wanted: Collection[TallyKey] | None,
    tallies: list[int],
    members: list[int] | None,
    periods: list[str] | None,
) -> None:
    query = _state_query(members is not None, periods is not None)
    params: dict[str, Any] = {"tallies": tallies}
    if members is not None:
        params["members"] = members
    if periods is not None:
        params["periods"] = periods
    # The sums first, then the values: a state with values always has its sums too.
    rows = sorted(session.connection().execute(query, params).all(), key=itemgetter(0))
    for kind, t, m, p, a, b, c in rows:
        if wanted is not None and (t, m, p) not in wanted:
            continue
        if kind == 0:
            out[(t, m, p)] = SlotState(int(a), int(b), float(c))
        else:
            state = out.setdefault((t, m, p), SlotState())
            state.minimum, state.maximum, state.distinct = a, b, int(c)


def read_whole_tallies(
    session: Session, tally_ids: Iterable[int], periods: Iterable[str] | None = None
) -> TallyStates:
    """Every member's state of the tallies, in all periods or in the given ones."""
    out: TallyStates = {}
    ids = sorted(set(tally_ids))
    period_list = None if periods is None else sorted(set(periods))
    if period_list == []:
        return out
    for tallies in chunks(ids):
        if period_list is None:
            _read_into(session, out, None, list(tallies), None, None)
        else:
            for periods in chunks(period_list):
                _read_into(session, out, None, list(tallies), None, list(periods))
    return out


def slots_state(
    slot_tallies: dict[str, int], states: TallyStates, member_id: int, period_key: str
) -> dict[str, SlotState] | None:
    """One achievement's slots for (member, period), or None when no record of the member in
    that period matches any of its rules."""
    slots = {}
    present = False
    for slot, tally_id in slot_tallies.items():
        state = states.get((tally_id, member_id, period_key))
        if state is not None:
            slots[slot] = state
            present = present or state.matched > 0
    return slots if present else None


def progress_of(
    slot_tallies: dict[str, int], states: TallyStates, keys: Iterable[tuple[int, str]]
) -> ProgressState:
    state: ProgressState = {}
    for member_id, period_key in keys:
        slots = slots_state(slot_tallies, states, member_id, period_key)
        if slots is not None:
            state[(member_id, period_key)] = slots
    return state


def read_progress(
    session: Session, achievement_id: int, keys: Iterable[tuple[int, str]] | None = None
) -> ProgressState:
    """The progress of one attached achievement, for some (member, period) keys or all."""
    slot_tallies = {
        slot: tally_id
        for slot, tally_id in session.execute(
            select(AchievementTally.rule_slot, AchievementTally.tally_id).where(
                AchievementTally.achievement_id == achievement_id
            )
        )
    }
    return read_progress_of(session, slot_tallies, keys)


def read_progress_of(
    session: Session,
    slot_tallies: dict[str, int],
    keys: Iterable[tuple[int, str]] | None = None,
    *,
    periods: Iterable[str] | None = None,
) -> ProgressState:
    """The progress of one attached achievement for some (member, period) keys, or, without
    keys, for every member (in all periods, or in the given `periods`)."""
    if not slot_tallies:
        return {}
    if keys is None:
        states = read_whole_tallies(session, slot_tallies.values(), periods)
        every = {(m, p) for _, m, p in states}
        return progress_of(slot_tallies, states, sorted(every))
    key_list = list(keys)
    states = read_tally_states(
        session, [(t, m, p) for m, p in key_list for t in set(slot_tallies.values())]
    )
    return progress_of(slot_tallies, states, key_list)


def read_progress_many(
    session: Session,
    slot_tallies: dict[int, dict[str, int]],
    keys: Iterable[tuple[int, int, str]],
) -> dict[int, ProgressState]:
    """Progress for (achievement, member, period) keys of several achievements, from one read
    of the tallies they use."""
    key_list = sorted(set(keys))
    needed = {(t, m, p) for a, m, p in key_list for t in set(slot_tallies.get(a, {}).values())}
    states = read_tally_states(session, needed)
    out: dict[int, ProgressState] = defaultdict(dict)
    for a, m, p in key_list:
        slots = slots_state(slot_tallies.get(a, {}), states, m, p)
        if slots is not None:
            out[a][(m, p)] = slots
    return out
