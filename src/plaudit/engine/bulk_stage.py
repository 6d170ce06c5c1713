"""Steps 1 to 4 of the bulk path (see plaudit.engine.bulk): stage the changes, insert the new
records, compute the tallies' deltas and add them to the running tallies."""

from __future__ import annotations

from collections.abc import Sequence
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
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from plaudit.db.rows import insert_many, scratch_table_options
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.db.upsert import insert_for_dialect
from plaudit.engine.compiled import SourcePlan
from plaudit.engine.deltas import RecordFacts
from plaudit.engine.tally import progress_columns, value_columns, where_clause
from plaudit.models import Record, TallyProgress, TallyValue
from plaudit.periods import ALL_KEY, Period, period_containing

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
    **scratch_table_options(),
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
    **scratch_table_options(),
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
    **scratch_table_options(),
)
TALLY_KEY = ["tally_id", "member_id", "period_key"]


class StagedChange(NamedTuple):
    """One change, and for a new record whose final version is its `after`, the record's
    position among the batch's new records (records get their ids in that order).

    Immutable like a frozen dataclass, and cheaper to build: a batch makes one per record."""

    before: RecordFacts | None
    after: RecordFacts | None
    external_id: str | None = None
    new_order: int | None = None


def stage_changes(
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


def insert_new_records(session: Session, source_id: int, now: datetime) -> None:
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


def compute_deltas(session: Session, plan: SourcePlan) -> bool:
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
            insert(delta).from_select([*TALLY_KEY, "matched", "n_values", "total"], query)
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
            insert(value_delta).from_select([*TALLY_KEY, "value_key", "numeric", "n"], vquery)
        )
    return with_values


def upsert_deltas(session: Session, with_values: bool) -> None:
    dialect = session.get_bind().dialect.name
    progress = TallyProgress.__table__
    stmt = insert_for_dialect(dialect, progress).from_select(
        [*TALLY_KEY, "matched", "n_values", "total"],
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
            index_elements=TALLY_KEY,
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
    vcolumns = [*TALLY_KEY, "value_key", "numeric"]
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
