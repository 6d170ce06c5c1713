"""What the sources screen shows of each source: its records' count and latest arrival, and
a page of its most recent records with their members' names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.models import Member, Record, Source


@dataclass(frozen=True)
class SourceOverview:
    source: Source
    records: int
    last_received_at: datetime | None
    """When a record of the source last arrived or changed."""


@dataclass(frozen=True)
class RecordRow:
    record: Record
    member_name: str


def source_overviews(session: Session) -> list[SourceOverview]:
    """Every source, by name, with its number of records and latest arrival."""
    stats = (
        select(
            Record.source_id,
            func.count(Record.id).label("n"),
            func.max(Record.updated_at).label("last"),
        )
        .group_by(Record.source_id)
        .subquery()
    )
    rows = session.execute(
        select(Source, stats.c.n, stats.c.last)
        .outerjoin(stats, stats.c.source_id == Source.id)
        .order_by(func.lower(Source.name), Source.id)
    ).all()
    return [SourceOverview(s, int(n or 0), last) for s, n, last in rows]


def count_records(session: Session, source_id: int) -> int:
    return int(
        session.scalar(select(func.count(Record.id)).where(Record.source_id == source_id)) or 0
    )


def recent_records(
    session: Session, source_id: int, *, limit: int, offset: int = 0
) -> list[RecordRow]:
    """The source's records, newest first (by occurred_at, then by id)."""
    rows = session.execute(
        select(Record, Member.name)
        .join(Member, Member.id == Record.member_id)
        .where(Record.source_id == source_id)
        .order_by(Record.occurred_at.desc(), Record.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [RecordRow(r, name) for r, name in rows]


def get_record(session: Session, source_id: int, record_id: int) -> RecordRow | None:
    row = session.execute(
        select(Record, Member.name)
        .join(Member, Member.id == Record.member_id)
        .where(Record.source_id == source_id, Record.id == record_id)
    ).first()
    return RecordRow(row[0], row[1]) if row else None
