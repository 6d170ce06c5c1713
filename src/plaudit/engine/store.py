"""Write accumulated deltas with atomic upserts, and read progress back per member."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from plaudit.db.upsert import insert_for_dialect
from plaudit.engine.deltas import DeltaBatch
from plaudit.models import RuleProgress, RuleProgressValue

_PROGRESS_KEY = ["achievement_id", "member_id", "period_key", "rule_slot"]


@cache
def _progress_upsert(dialect: str) -> Any:
    """Built once per dialect: an executemany of these is the whole write of a batch."""
    table = RuleProgress.__table__
    stmt = insert_for_dialect(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=_PROGRESS_KEY,
        set_={
            "matched": table.c.matched + stmt.excluded.matched,
            "n_values": table.c.n_values + stmt.excluded.n_values,
            "total": table.c.total + stmt.excluded.total,
        },
    )


@cache
def _value_upsert(dialect: str) -> Any:
    table = RuleProgressValue.__table__
    stmt = insert_for_dialect(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=[*_PROGRESS_KEY, "value_key", "numeric"],
        set_={"n": table.c.n + stmt.excluded.n},
    )


def flush(session: Session, batch: DeltaBatch) -> None:
    """Apply the batch's deltas: count and sum move by SQL arithmetic, never read-modify-write."""
    progress_rows = [
        {
            "achievement_id": k[0],
            "member_id": k[1],
            "period_key": k[2],
            "rule_slot": k[3],
            "matched": d.matched,
            "n_values": d.n_values,
            "total": d.total,
        }
        for k, d in batch.progress.items()
        if d.matched or d.n_values or d.total
    ]
    if progress_rows:
        session.execute(_progress_upsert(session.get_bind().dialect.name), progress_rows)
    value_rows = [
        {
            "achievement_id": k[0],
            "member_id": k[1],
            "period_key": k[2],
            "rule_slot": k[3],
            "value_key": k[4],
            "numeric": k[5],
            "n": n,
        }
        for k, n in batch.values.items()
        if n
    ]
    if value_rows:
        session.execute(_value_upsert(session.get_bind().dialect.name), value_rows)
        session.execute(delete(RuleProgressValue).where(RuleProgressValue.n <= 0))
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


def read_progress(
    session: Session, achievement_id: int, keys: Iterable[tuple[int, str]] | None = None
) -> ProgressState:
    """The running aggregates of one achievement, for some (member, period) keys or all."""
    state: ProgressState = defaultdict(dict)
    key_list = list(keys) if keys is not None else None
    if key_list is not None and not key_list:
        return state
    for chunk in _chunks(key_list):
        query = select(
            RuleProgress.member_id,
            RuleProgress.period_key,
            RuleProgress.rule_slot,
            RuleProgress.matched,
            RuleProgress.n_values,
            RuleProgress.total,
        ).where(RuleProgress.achievement_id == achievement_id)
        if chunk is not None:
            query = query.where(_key_filter(RuleProgress, chunk))
        wanted = set(chunk) if chunk is not None else None
        for member_id, period_key, slot, matched, n_values, total in session.execute(query):
            if wanted is None or (member_id, period_key) in wanted:
                state[(member_id, period_key)][slot] = SlotState(matched, n_values, float(total))
        vquery = (
            select(
                RuleProgressValue.member_id,
                RuleProgressValue.period_key,
                RuleProgressValue.rule_slot,
                func.min(RuleProgressValue.numeric),
                func.max(RuleProgressValue.numeric),
                func.count(),
            )
            .where(RuleProgressValue.achievement_id == achievement_id, RuleProgressValue.n > 0)
            .group_by(
                RuleProgressValue.member_id,
                RuleProgressValue.period_key,
                RuleProgressValue.rule_slot,
            )
        )
        if chunk is not None:
            vquery = vquery.where(_key_filter(RuleProgressValue, chunk))
        for member_id, period_key, slot, low, high, distinct in session.execute(vquery):
            if wanted is not None and (member_id, period_key) not in wanted:
                continue
            slot_state = state[(member_id, period_key)].setdefault(slot, SlotState())
            slot_state.minimum, slot_state.maximum, slot_state.distinct = low, high, distinct
    return state


def read_progress_many(
    session: Session, keys: Iterable[tuple[int, int, str]]
) -> dict[int, ProgressState]:
    """Running aggregates for (achievement, member, period) keys of several achievements,
    in two queries per chunk of members rather than two per achievement."""
    wanted = set(keys)
    out: dict[int, ProgressState] = defaultdict(lambda: defaultdict(dict))
    if not wanted:
        return out
    achievements = sorted({a for a, _, _ in wanted})
    periods = sorted({p for _, _, p in wanted})
    members = sorted({m for _, m, _ in wanted})
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        query = select(
            RuleProgress.achievement_id,
            RuleProgress.member_id,
            RuleProgress.period_key,
            RuleProgress.rule_slot,
            RuleProgress.matched,
            RuleProgress.n_values,
            RuleProgress.total,
        ).where(
            RuleProgress.achievement_id.in_(achievements),
            RuleProgress.member_id.in_(chunk),
            RuleProgress.period_key.in_(periods),
        )
        for a, m, p, slot, matched, n_values, total in session.execute(query):
            if (a, m, p) in wanted:
                out[a][(m, p)][slot] = SlotState(matched, n_values, float(total))
        vquery = (
            select(
                RuleProgressValue.achievement_id,
                RuleProgressValue.member_id,
                RuleProgressValue.period_key,
                RuleProgressValue.rule_slot,
                func.min(RuleProgressValue.numeric),
                func.max(RuleProgressValue.numeric),
                func.count(),
            )
            .where(
                RuleProgressValue.achievement_id.in_(achievements),
                RuleProgressValue.member_id.in_(chunk),
                RuleProgressValue.period_key.in_(periods),
                RuleProgressValue.n > 0,
            )
            .group_by(
                RuleProgressValue.achievement_id,
                RuleProgressValue.member_id,
                RuleProgressValue.period_key,
                RuleProgressValue.rule_slot,
            )
        )
        for a, m, p, slot, low, high, distinct in session.execute(vquery):
            if (a, m, p) in wanted:
                slot_state = out[a][(m, p)].setdefault(slot, SlotState())
                slot_state.minimum, slot_state.maximum, slot_state.distinct = low, high, distinct
    return out


def _chunks(
    keys: list[tuple[int, str]] | None, size: int = 500
) -> Iterable[list[tuple[int, str]] | None]:
    if keys is None:
        yield None
        return
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _key_filter(
    model: type[RuleProgress] | type[RuleProgressValue], keys: list[tuple[int, str]]
) -> Any:
    """Members IN (...) AND periods IN (...): a superset of `keys`, trimmed by the caller."""
    members = sorted({m for m, _ in keys})
    periods = sorted({p for _, p in keys})
    return and_(model.member_id.in_(members), model.period_key.in_(periods))


def clear_progress(session: Session, achievement_id: int) -> None:
    session.execute(
        delete(RuleProgressValue).where(RuleProgressValue.achievement_id == achievement_id)
    )
    session.execute(delete(RuleProgress).where(RuleProgress.achievement_id == achievement_id))
