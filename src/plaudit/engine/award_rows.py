"""Writing due completions as awards: row by row when they are few, set-based when many.

A due completion is (member, period key, completion number); everything else in its award
row is the achievement's (id, version, points, category slot) or the period's window. Many
completions (a bulk batch, a backfill) are therefore staged as three small values each,
the few distinct period windows beside them, and written with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING id``: the per-row cost is a tuple,
not thirteen bound and converted parameters. The unique indexes on awards decide, as
always, what is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    literal,
    null,
    select,
    text,
    true,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.engine import Connection

from plaudit.db.rows import empty_scratch_tables, insert_many, scratch_table_options
from plaudit.db.types import UTCDateTime
from plaudit.db.upsert import insert_for_dialect
from plaudit.domain.categories import Category, holder_slot
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.compiled import CompiledAchievement
from plaudit.engine.publish_rows import publish_automatic
from plaudit.models import Award
from plaudit.periods import PeriodWindow, period_by_key

SET_BASED_MIN = 64
"""From this many completions on, the set-based insert is cheaper than row by row."""

DueCompletion = tuple[int, str, int]
"""(member_id, period_key, completion number), in the order they are to be inserted."""

Kept = list[tuple[CompiledAchievement, list[DueCompletion]]]
"""Completions per achievement, in the order they are to be inserted."""

_temp = MetaData()
_due = Table(
    "award_due",
    _temp,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("member_id", Integer, nullable=False),
    Column("period_key", String(20), nullable=False),
    Column("completion", Integer, nullable=False),
    **scratch_table_options(),
)
_windows = Table(
    "award_windows",
    _temp,
    Column("period_key", String(20), primary_key=True),
    Column("period_start", UTCDateTime()),
    Column("period_end", UTCDateTime()),
    **scratch_table_options(),
)


@dataclass(frozen=True)
class _Batch:
    compiled: CompiledAchievement
    due: Sequence[DueCompletion]
    windows: dict[str, PeriodWindow]
    now: datetime


def insert_awards(
    connection: Connection,
    compiled: CompiledAchievement,
    due: Sequence[DueCompletion],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Insert the due completions in order, publishing those whose achievement says so;
    return the ids of the awards actually written."""
    if not due:
        return []
    if compiled.category != Category.record and connection.dialect.name == "postgresql":
        # Publishes what its achievement says to, as the paths below do after them.
        return insert_from_arrays(connection, [(compiled, list(due))], now=now, zone=zone)
    keys = sorted({k for _, k, _ in due})
    batch = _Batch(compiled, due, {k: period_by_key(k, compiled.period, zone) for k in keys}, now)
    if compiled.category == Category.record:
        # A record holder is decided by insert order, one statement per candidate.
        given = _row_by_row(connection, batch)
    elif len(due) < SET_BASED_MIN:
        given = _row_by_row(connection, batch)
    else:
        given = _set_based(connection, batch)
    if given and compiled.publish_automatically:
        # Only its achievement's setting can make an award publish here: without it the
        # look-up (one per achievement and batch) would find nothing to publish.
        publish_automatic(connection, given, now=now, by="rules")
    return given


def _row_by_row(connection: Connection, batch: _Batch) -> list[int]:
    compiled, windows = batch.compiled, batch.windows
    rows = [
        {
            "achievement_id": compiled.id,
            "achievement_version": compiled.version,
            "member_id": member_id,
            "points": compiled.points,
            "awarded_at": batch.now,
            "period_key": period_key,
            "period_start": windows[period_key].start,
            "period_end": windows[period_key].end,
            "completion": completion,
            "holder_slot": holder_slot(compiled.category, member_id),
            "origin": AwardOrigin.rule.value,
            "given_by": "rules",
            "revoked": False,
        }
        for member_id, period_key, completion in batch.due
    ]
    stmt = _award_insert(connection.dialect.name)
    if compiled.category == Category.record:
        found = (connection.execute(stmt, row).scalar_one_or_none() for row in rows)
        return [i for i in found if i is not None]
    return list(connection.execute(stmt, rows).scalars())


_FROM_ARRAYS = text(
    """INSERT INTO awards (achievement_id, achievement_version, member_id, points, awarded_at,
        period_key, period_start, period_end, completion, holder_slot, origin, given_by, revoked)
    SELECT (CAST(:achievements AS INTEGER[]))[d.a], (CAST(:versions AS INTEGER[]))[d.a],
        d.member_id, (CAST(:points AS INTEGER[]))[d.a], :now,
        (CAST(:keys AS VARCHAR[]))[d.w], (CAST(:starts AS TIMESTAMPTZ[]))[d.w],
        (CAST(:ends AS TIMESTAMPTZ[]))[d.w], d.completion, d.holder_slot, :origin, 'rules', false
    FROM unnest(CAST(:rows AS INTEGER[]), CAST(:members AS INTEGER[]),
                CAST(:windows AS INTEGER[]), CAST(:completions AS INTEGER[]),
                CAST(:slots AS VARCHAR[]))
         WITH ORDINALITY AS d(a, member_id, w, completion, holder_slot, seq)
    ORDER BY d.seq
    ON CONFLICT DO NOTHING
    RETURNING id, achievement_id"""
).bindparams(bindparam("now", type_=UTCDateTime()))
"""PostgreSQL: any number of completions, of one achievement or several, in one statement:
each row's achievement (id, version, points) and period (key, start, end) are 1-based indexes
into short lists. One round trip whatever the count (the staged path takes five), and a
statement text that never changes (psycopg prepares it), where a multi-row VALUES list grows
with the rows and is parsed by the driver every time. Late in a long run many achievements
have a few completions due in each batch: writing them row by row, then one statement per
achievement, was the part of a batch's cost that grew most (``engine.award_batch``)."""


def insert_from_arrays(
    connection: Connection, kept: Kept, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """PostgreSQL: insert the kept completions in order with one statement, publishing those
    whose achievement says so; the ids written, per achievement in its order, ascending."""
    windows: dict[tuple[str, str], int] = {}
    keys: list[str] = []
    starts: list[datetime | None] = []
    ends: list[datetime | None] = []
    rows: list[int] = []
    members: list[int] = []
    indexes: list[int] = []
    completions: list[int] = []
    slots: list[str | None] = []
    for position, (compiled, due) in enumerate(kept, start=1):
        for member_id, period_key, completion in due:
            index = windows.get((compiled.period.value, period_key))
            if index is None:
                window = period_by_key(period_key, compiled.period, zone)
                keys.append(period_key)
                starts.append(_utc(window.start))
                ends.append(_utc(window.end))
                index = windows[(compiled.period.value, period_key)] = len(keys)
            rows.append(position)
            members.append(member_id)
            indexes.append(index)
            completions.append(completion)
            slots.append(holder_slot(compiled.category, member_id))
    params = {
        "achievements": [c.id for c, _ in kept],
        "versions": [c.version for c, _ in kept],
        "points": [c.points for c, _ in kept],
        "now": now,
        "origin": AwardOrigin.rule.value,
        "keys": keys,
        "starts": starts,
        "ends": ends,
        "rows": rows,
        "members": members,
        "windows": indexes,
        "completions": completions,
        "slots": slots,
    }
    by_achievement: dict[int, list[int]] = {}
    for award_id, achievement_id in connection.execute(_FROM_ARRAYS, params):
        by_achievement.setdefault(achievement_id, []).append(award_id)
    ids: list[int] = []
    published: list[int] = []
    for compiled, _ in kept:
        mine = sorted(by_achievement.get(compiled.id, ()))
        ids += mine
        if compiled.publish_automatically:
            published += mine
    if published:
        # Only its achievement's setting can make an award publish here (``insert_awards``).
        publish_automatic(connection, published, now=now, by="rules")
    return ids


def _utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)


def _set_based(connection: Connection, batch: _Batch) -> list[int]:
    empty_scratch_tables(connection, _due, _windows)
    connection.execute(
        insert(_windows),
        [
            {"period_key": key, "period_start": w.start, "period_end": w.end}
            for key, w in batch.windows.items()
        ],
    )
    insert_many(
        connection,
        _due,
        ["seq", "member_id", "period_key", "completion"],
        [(seq, m, k, c) for seq, (m, k, c) in enumerate(batch.due)],
    )
    compiled = batch.compiled
    stmt = _from_stage(connection.dialect.name, compiled.category)
    params = {
        "achievement_id": compiled.id,
        "version": compiled.version,
        "points": compiled.points,
        "now": batch.now,
    }
    return sorted(connection.execute(stmt, params).scalars().all())


@cache
def _from_stage(dialect: str, category: Category) -> Any:
    """INSERT ... SELECT of the staged completions, built once per database and category."""
    table = cast(Table, Award.__table__)
    if category == Category.membership:
        slot: Any = literal("member:") + sql_cast(_due.c.member_id, String)
    else:
        slot = null()
    query = (
        select(
            bindparam("achievement_id", type_=Integer),
            bindparam("version", type_=Integer),
            _due.c.member_id,
            bindparam("points", type_=Integer),
            bindparam("now", type_=UTCDateTime()),
            _due.c.period_key,
            _windows.c.period_start,
            _windows.c.period_end,
            _due.c.completion,
            slot,
            literal(AwardOrigin.rule.value),
            literal("rules"),
            literal(False),
        )
        .select_from(_due.join(_windows, _windows.c.period_key == _due.c.period_key))
        # SQLite needs a WHERE before ON CONFLICT after a join (its parsing ambiguity).
        .where(true())
        .order_by(_due.c.seq)
    )
    columns = [
        "achievement_id",
        "achievement_version",
        "member_id",
        "points",
        "awarded_at",
        "period_key",
        "period_start",
        "period_end",
        "completion",
        "holder_slot",
        "origin",
        "given_by",
        "revoked",
    ]
    return (
        insert_for_dialect(dialect, table)
        .from_select(columns, query)
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )


@cache
def _award_insert(dialect: str) -> Any:
    table = cast(Table, Award.__table__)
    return insert_for_dialect(dialect, table).on_conflict_do_nothing().returning(table.c.id)
