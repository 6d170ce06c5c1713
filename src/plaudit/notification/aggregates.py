"""The values of a formula's aggregate calls for members in one period, from their records.

Two interpreters of one meaning: SQL (one query per call, bounded by one member and one period,
or grouped by member for dry runs) and the rules' plain-Python oracle over loaded record data,
used to tell the result before a change from the result after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from plaudit.models import Record, Source
from plaudit.notification.definition import CompiledNotification
from plaudit.periods import PeriodWindow
from plaudit.rules.model import Rule
from plaudit.rules.oracle import aggregate
from plaudit.rules.sql import aggregate_expr, rule_clause

Values = list[float | None]
CHUNK = 500
"""Members per query when values are asked for a list of them."""


def _in_window(window: PeriodWindow) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if window.start is not None:
        clauses.append(Record.occurred_at >= window.start)
    if window.end is not None:
        clauses.append(Record.occurred_at < window.end)
    return clauses


def _source_id(key: str) -> Any:
    return select(Source.id).where(Source.key == key).scalar_subquery()


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def empty_values(compiled: CompiledNotification) -> Values:
    """The calls' values for a member with no records: 0 for counts and sums, else no value."""
    return [aggregate(t, compiled.fields.get(t.source, {}), ()) for t in compiled.terms]


def values_by_member(
    session: Session,
    compiled: CompiledNotification,
    window: PeriodWindow,
    member_ids: Sequence[int] | None = None,
) -> dict[int, Values]:
    """Each member's call values in `window` (members with no records are left out: see
    :func:`empty_values`). `member_ids` None: every member."""
    out: dict[int, Values] = {}
    ids = sorted(set(member_ids)) if member_ids is not None else None
    chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for index, term in enumerate(compiled.terms):
        fields = compiled.fields.get(term.source, {})
        query = select(Record.member_id, aggregate_expr(term, fields, Record.data)).where(
            Record.source_id == _source_id(term.source),
            rule_clause(term, fields, Record.data),
            *_in_window(window),
        )
        for chunk in chunks:
            chunk_query = query if chunk is None else query.where(Record.member_id.in_(chunk))
            for member_id, value in session.execute(chunk_query.group_by(Record.member_id)):
                row = out.setdefault(member_id, empty_values(compiled))
                row[index] = _number(value)
    return out


def member_datas(
    session: Session, compiled: CompiledNotification, member_id: int, window: PeriodWindow
) -> dict[str, list[Mapping[str, Any]]]:
    """The data of every record of the member in `window`, by source, for the sources read."""
    sources = sorted(compiled.sources)
    rows = session.execute(
        select(Source.key, Record.data)
        .join(Source, Source.id == Record.source_id)
        .where(Source.key.in_(sources), Record.member_id == member_id, *_in_window(window))
    )
    out: dict[str, list[Mapping[str, Any]]] = {key: [] for key in sources}
    for key, data in rows:
        out[key].append(data)
    return out


def values_from_datas(
    terms: Iterable[Rule],
    fields: Mapping[str, Mapping[str, Any]],
    datas: Mapping[str, Sequence[Mapping[str, Any]]],
) -> Values:
    return [aggregate(t, fields.get(t.source, {}), datas.get(t.source, ())) for t in terms]
