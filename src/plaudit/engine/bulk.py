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
   group, a chosen rule is met. One query per tally kind returns the touched keys whose
   current value passes (tolerantly, a superset) the test of some group; only those keys
   are evaluated in Python by the very code the per-record path uses (``award_due``), in
   the same order, so the awards are the same. A group with no such test (every rule can
   be met without records, or its rules are on other sources) makes every touched key of
   its achievement a candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plaudit.db.rows import empty_scratch_tables, insert_many
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.db.upsert import insert_for_dialect
from plaudit.engine.compiled import CompiledAchievement, SourcePlan
from plaudit.engine.deltas import RecordFacts, TallyKey
from plaudit.engine.evaluate import active_query, award_due, earned_query
from plaudit.engine.store import progress_of, read_tally_states
from plaudit.engine.tally import TallyKind, progress_columns, value_columns, where_clause
from plaudit.limits import chunks
from plaudit.models import Award, Member, Record, TallyProgress, TallyValue
from plaudit.periods import ALL_KEY, Period, period_containing
from plaudit.rules.model import Aggregate, Operator, Rule
from plaudit.rules.oracle import rule_met

_temp = MetaData()
_PERIOD_KINDS: list[Period] = [p for p in Period if p is not Period.none]
stage = Table(
    "bulk_stage",
    _temp,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("sign", Integer, nullable=False),
    Column("new_order", Integer),
    Column("external_id", String(200)),
    Column("member_id", Integer, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("data", JSONType, nullable=False),
    *(Column(f"pk_{p.value}", String(20)) for p in _PERIOD_KINDS),
    prefixes=["TEMPORARY"],
)
delta = Table(
    "bulk_delta",
    _temp,
    Column("tally_id", Integer, primary_key=True, autoincrement=False),
    Column("member_id", Integer, primary_key=True, autoincrement=False),
    Column("period_key", String(20), primary_key=True),
    Column("matched", Integer, nullable=False),
    Column("n_values", Integer, nullable=False),
    Column("total", Float, nullable=False),
    prefixes=["TEMPORARY"],
)
value_delta = Table(
    "bulk_value_delta",
    _temp,
    Column("tally_id", Integer, primary_key=True, autoincrement=False),
    Column("member_id", Integer, primary_key=True, autoincrement=False),
    Column("period_key", String(20), primary_key=True),
    Column("value_key", String(500), primary_key=True),
    Column("numeric", Float, primary_key=True),
    Column("n", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
_TALLY_KEY = ["tally_id", "member_id", "period_key"]


class StagedChange(NamedTuple):
    """One change, and for a new record whose final version is its `after`, the record's
    position among the batch's new records (records get their ids in that order).

    Immutable like a frozen dataclass, and cheaper to build: a batch makes one per record."""

    before: RecordFacts | None
    after: RecordFacts | None
    external_id: str | None = None
    new_order: int | None = None


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
    _stage(session, changes, kinds, zone)
    _insert_new_records(session, source_id, now)
    if not plan.achievements:
        return []
    with_values = _deltas(session, plan)
    _upsert(session, with_values)
    return _evaluate(session, plan, now=now, zone=zone)


def _stage(
    session: Session, changes: Sequence[StagedChange], kinds: list[Period], zone: ZoneInfo
) -> None:
    keys: dict[tuple[Period, date], str] = {}
    columns = [
        "seq",
        "sign",
        "new_order",
        "external_id",
        "member_id",
        "occurred_at",
        "data",
        *(f"pk_{kind.value}" for kind in kinds),
    ]
    rows: list[list[Any]] = []
    for change in changes:
        for sign, facts in ((-1, change.before), (1, change.after)):
            if facts is None:
                continue
            row: list[Any] = [
                len(rows),
                sign,
                change.new_order if sign > 0 else None,
                change.external_id,
                facts.member_id,
                facts.occurred_at,
                facts.data,
            ]
            if kinds:
                local = facts.occurred_at.astimezone(zone).date()
                for kind in kinds:
                    key = keys.get((kind, local))
                    if key is None:
                        key = period_containing(facts.occurred_at, kind, zone).key
                        keys[(kind, local)] = key
                    row.append(key)
            rows.append(row)
    insert_many(session.connection(), stage, columns, rows)


def _insert_new_records(session: Session, source_id: int, now: datetime) -> None:
    columns = ["source_id", "external_id", "member_id", "occurred_at", "data"]
    query = (
        select(
            literal(source_id),
            stage.c.external_id,
            stage.c.member_id,
            stage.c.occurred_at,
            stage.c.data,
            literal(now, UTCDateTime()),
            literal(now, UTCDateTime()),
        )
        .where(stage.c.new_order.is_not(None))
        .order_by(stage.c.new_order)
    )
    session.execute(insert(Record).from_select([*columns, "created_at", "updated_at"], query))


def _period_col(period: Period) -> Any:
    return literal(ALL_KEY) if period is Period.none else stage.c[f"pk_{period.value}"]


def _deltas(session: Session, plan: SourcePlan) -> bool:
    """One INSERT ... SELECT ... GROUP BY per tally into the delta tables; True when some
    tally keeps values."""
    with_values = False
    for tally in plan.tallies:
        spec = tally.spec
        where = where_clause(spec, stage.c.data, stage.c.occurred_at)
        period_col = _period_col(spec.period)
        matched, n_values, total = progress_columns(spec, stage.c.data, stage.c.sign)
        query = (
            select(literal(tally.id), stage.c.member_id, period_col, matched, n_values, total)
            .where(where)
            .group_by(stage.c.member_id, period_col)
        )
        session.execute(
            insert(delta).from_select([*_TALLY_KEY, "matched", "n_values", "total"], query)
        )
        if not spec.keeps_values:
            continue
        with_values = True
        present, value_key, numeric = value_columns(spec, stage.c.data)
        vquery = (
            select(
                literal(tally.id),
                stage.c.member_id,
                period_col,
                value_key,
                numeric,
                func.sum(stage.c.sign),
            )
            .where(where, present)
            .group_by(stage.c.member_id, period_col, value_key, numeric)
        )
        session.execute(
            insert(value_delta).from_select([*_TALLY_KEY, "value_key", "numeric", "n"], vquery)
        )
    return with_values


def _upsert(session: Session, with_values: bool) -> None:
    dialect = session.get_bind().dialect.name
    progress = TallyProgress.__table__
    stmt = insert_for_dialect(dialect, progress).from_select(
        [*_TALLY_KEY, "matched", "n_values", "total"],
        select(
            delta.c.tally_id,
            delta.c.member_id,
            delta.c.period_key,
            delta.c.matched,
            delta.c.n_values,
            delta.c.total,
        ).where(or_(delta.c.matched != 0, delta.c.n_values != 0, delta.c.total != 0)),
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=_TALLY_KEY,
            set_={
                "matched": progress.c.matched + stmt.excluded.matched,
                "n_values": progress.c.n_values + stmt.excluded.n_values,
                "total": progress.c.total + stmt.excluded.total,
            },
        )
    )
    if not with_values:
        return
    values = TallyValue.__table__
    vcolumns = [*_TALLY_KEY, "value_key", "numeric"]
    vstmt = insert_for_dialect(dialect, values).from_select(
        [*vcolumns, "n"],
        select(*(value_delta.c[c] for c in vcolumns), value_delta.c.n).where(value_delta.c.n != 0),
    )
    session.execute(
        vstmt.on_conflict_do_update(
            index_elements=vcolumns, set_={"n": values.c.n + vstmt.excluded.n}
        )
    )
    emptied = select(*(value_delta.c[c] for c in vcolumns)).where(value_delta.c.n < 0)
    session.execute(
        delete(TallyValue).where(
            TallyValue.n <= 0, tuple_(*(values.c[c] for c in vcolumns)).in_(emptied)
        )
    )


# --- evaluation -------------------------------------------------------------------------------

_NO_RECORDS_VALUE = {
    Aggregate.COUNT: 0.0,
    Aggregate.SUM: 0.0,
    Aggregate.COUNT_DISTINCT: 0.0,
}
"""A rule's value where its tally has no row: None (meets nothing) for avg, min and max."""


@dataclass(frozen=True)
class _Test:
    """A necessary condition for a rule to be met, checkable in SQL on one tally."""

    tally_id: int
    kind: TallyKind
    aggregate: Aggregate
    operator: Operator
    target: float


def _test_of(rule: Rule, tally_id: int, kind: TallyKind) -> _Test | None:
    if rule_met(rule, _NO_RECORDS_VALUE.get(rule.aggregate)):
        return None  # met without any record: nothing to narrow by
    return _Test(tally_id, kind, rule.aggregate, rule.operator, float(rule.value))


def _group_tests(compiled: CompiledAchievement, plan: SourcePlan) -> list[_Test | None]:
    """Per rule group, a test on a tally of the plan's source that the group needs, or None."""
    kinds = {t.id: t.spec.kind for t in plan.tallies}
    out: list[_Test | None] = []
    for g, group in enumerate(compiled.requirements):
        options = []
        for r, rule in enumerate(group):
            tally_id = compiled.slot_tallies.get(f"{g}.{r}")
            if tally_id is None or tally_id not in kinds:
                continue
            test = _test_of(rule, tally_id, kinds[tally_id])
            if test is not None:
                options.append(test)
        # Prefer a count or a sum (one row per key) over a multiset (rows per value).
        options.sort(key=lambda t: t.kind is TallyKind.VALUES)
        out.append(options[0] if options else None)
    return out


def _condition(test: _Test, value: ColumnElement[Any]) -> ColumnElement[bool]:
    """Tolerant superset of ``oracle.compare``: never false where the rule is met."""
    tolerance = 1e-6 * max(1.0, abs(test.target))
    low, high = test.target - tolerance, test.target + tolerance
    if test.operator in (Operator.AT_LEAST, Operator.MORE_THAN):
        return value >= low
    if test.operator in (Operator.AT_MOST, Operator.LESS_THAN):
        return value <= high
    return and_(value >= low, value <= high)


def _passing(session: Session, tests: list[_Test]) -> dict[int, set[tuple[int, str]]]:
    """Touched (member, period) keys of each tested tally whose value passes some test.

    The tests of SQL_CHUNK tallies at a time: each binds a few values, and the active
    achievements reading a source, so their tallies, are not bounded by any input."""
    out: dict[int, set[tuple[int, str]]] = {t.tally_id: set() for t in tests}
    tally_ids = sorted(out)
    for some in chunks(tally_ids):
        chosen = set(some)
        _passing_into(session, [t for t in tests if t.tally_id in chosen], out)
    return out


def _passing_into(
    session: Session, tests: list[_Test], out: dict[int, set[tuple[int, str]]]
) -> None:
    rows_tests = [t for t in tests if t.kind is not TallyKind.VALUES]
    if rows_tests:
        p = TallyProgress.__table__
        average = case((p.c.n_values > 0, p.c.total / p.c.n_values), else_=None)
        exprs = {Aggregate.COUNT: p.c.matched, Aggregate.SUM: p.c.total, Aggregate.AVG: average}
        query = (
            select(delta.c.tally_id, delta.c.member_id, delta.c.period_key)
            .join(
                p,
                and_(
                    p.c.tally_id == delta.c.tally_id,
                    p.c.member_id == delta.c.member_id,
                    p.c.period_key == delta.c.period_key,
                ),
            )
            .where(_any_test(rows_tests, delta.c.tally_id, exprs))
        )
        for t, m, k in session.execute(query).all():
            out[t].add((m, k))
    value_tests = [t for t in tests if t.kind is TallyKind.VALUES]
    if value_tests:
        v = TallyValue.__table__
        vexprs: dict[Aggregate, ColumnElement[Any]] = {
            Aggregate.COUNT_DISTINCT: func.count(),
            Aggregate.MIN: func.min(v.c.numeric),
            Aggregate.MAX: func.max(v.c.numeric),
        }
        vquery = (
            select(delta.c.tally_id, delta.c.member_id, delta.c.period_key)
            .join(
                v,
                and_(
                    v.c.tally_id == delta.c.tally_id,
                    v.c.member_id == delta.c.member_id,
                    v.c.period_key == delta.c.period_key,
                ),
            )
            .where(v.c.n > 0, delta.c.tally_id.in_(sorted({t.tally_id for t in value_tests})))
            .group_by(delta.c.tally_id, delta.c.member_id, delta.c.period_key)
            .having(_any_test(value_tests, delta.c.tally_id, vexprs))
        )
        for t, m, k in session.execute(vquery).all():
            out[t].add((m, k))


def _any_test(
    tests: list[_Test], tally_col: Any, exprs: dict[Aggregate, ColumnElement[Any]]
) -> ColumnElement[bool]:
    by_tally: dict[int, list[ColumnElement[bool]]] = {}
    for test in tests:
        by_tally.setdefault(test.tally_id, []).append(_condition(test, exprs[test.aggregate]))
    clauses = [and_(tally_col == t, or_(*conds)) for t, conds in sorted(by_tally.items())]
    return or_(*clauses) if clauses else false()


def _evaluate(session: Session, plan: SourcePlan, *, now: datetime, zone: ZoneInfo) -> list[int]:
    tests_of = {a.id: _group_tests(a, plan) for a in plan.achievements}
    every_test = sorted(
        {t for tests in tests_of.values() for t in tests if t is not None},
        key=lambda t: (t.tally_id, t.aggregate.value, t.operator.value, t.target),
    )
    passing = _passing(session, every_test)
    touched: dict[int, set[tuple[int, str]]] | None = None
    candidates: dict[int, list[tuple[int, str]]] = {}
    for compiled in plan.achievements:
        tests = tests_of[compiled.id]
        if tests and all(t is not None for t in tests):
            keys = set().union(*(passing[t.tally_id] for t in tests if t is not None))
        else:
            if touched is None:
                touched = _touched(session)
            mine = set(compiled.slot_tallies.values())
            keys = set().union(*(touched.get(t, set()) for t in mine))
        if keys:
            candidates[compiled.id] = sorted(keys)
    if not candidates:
        return []
    by_id = {a.id: a for a in plan.achievements}
    needed: set[TallyKey] = {
        (t, m, p)
        for a, keys in candidates.items()
        for t in set(by_id[a].slot_tallies.values())
        for m, p in keys
    }
    states = read_tally_states(session, needed)
    # Every candidate key is a touched key: the earned completions and the active members of
    # the touched members, read once for all achievements, are what ``award_due`` would read
    # for each (its inserts write no member and only the awards of its own achievement).
    earned = _earned_of_touched(session, sorted(candidates))
    active = _active_touched_members(session)
    award_ids: list[int] = []
    for compiled in plan.achievements:
        chosen = candidates.get(compiled.id)
        if not chosen:
            continue
        state = progress_of(compiled.slot_tallies, states, chosen)
        if state:
            award_ids += award_due(
                session,
                compiled,
                state,
                now=now,
                zone=zone,
                earned=earned.get(compiled.id, {}),
                active=active,
            )
    return award_ids


def _earned_of_touched(
    session: Session, achievement_ids: list[int]
) -> dict[int, dict[tuple[int, str], int]]:
    """Per achievement, the highest completion earned by rule of each (member, period) of
    the touched members."""
    out: dict[int, dict[tuple[int, str], int]] = {}
    for some in chunks(achievement_ids):
        query = earned_query(
            Award.achievement_id.in_(some),
            Award.member_id.in_(select(delta.c.member_id).distinct()),
        )
        for achievement_id, member_id, period_key, completion in session.execute(query).all():
            out.setdefault(achievement_id, {})[(member_id, period_key)] = completion or 0
    return out


def _active_touched_members(session: Session) -> set[int]:
    """The active members among the touched members."""
    query = active_query(Member.id.in_(select(delta.c.member_id).distinct()))
    return set(session.execute(query).scalars().all())


def _touched(session: Session) -> dict[int, set[tuple[int, str]]]:
    out: dict[int, set[tuple[int, str]]] = {}
    rows = session.execute(select(delta.c.tally_id, delta.c.member_id, delta.c.period_key))
    for t, m, p in rows.all():
        out.setdefault(t, set()).add((m, p))
    return out
