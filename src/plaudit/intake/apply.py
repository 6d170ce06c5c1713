"""Applying one stream message for one partition, in the caller's transaction.

The partition's offset row is locked first; the message applies only when its sequence is
the next one (last_sequence + 1), and the new offset is written in the same transaction as
its records, so a consumer killed at any moment neither loses nor repeats a message. A slice
that can never apply becomes a dead letter (and the offset still advances past it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.errors import PlauditError
from plaudit.intake.messages import Undecodable, raw_records, slices, source_key_of
from plaudit.models import IntakeDeadLetter, IntakeOffset, Source
from plaudit.record.service import ingest_records


class Outcome(StrEnum):
    applied = "applied"  # this partition's records were written (or it had none)
    duplicate = "duplicate"  # the sequence was applied before: a redelivery
    ahead = "ahead"  # an earlier sequence is not applied yet: retry from the offset
    dead = "dead"  # a dead letter was written


@dataclass
class Applied:
    outcome: Outcome
    records: int = 0
    dead_letter: IntakeDeadLetter | None = None


def lock_offset(
    session: Session, stream: str, partitions: int, partition: int, *, start: int
) -> IntakeOffset:
    """The partition's offset row, locked; made with `start - 1` when missing (`start`:
    the stream's first sequence)."""
    key = (stream, partitions, partition)
    row = session.get(IntakeOffset, key, with_for_update=True, populate_existing=True)
    if row is None:
        session.add(
            IntakeOffset(
                stream=stream, partitions=partitions, partition=partition, last_sequence=start - 1
            )
        )
        session.flush()
        row = session.get(IntakeOffset, key, with_for_update=True)
        assert row is not None
    return row


def apply_message(
    session: Session,
    *,
    stream: str,
    partitions: int,
    partition: int,
    sequence: int,
    subject: str,
    data: bytes,
    first_sequence: int,
    now: datetime,
    zone: ZoneInfo,
) -> Applied:
    offset = lock_offset(session, stream, partitions, partition, start=first_sequence)
    if sequence <= offset.last_sequence:
        return Applied(Outcome.duplicate)
    if sequence != offset.last_sequence + 1:
        return Applied(Outcome.ahead)
    offset.last_sequence = sequence
    whole = partition == 0  # a message that fails as a whole is partition 0's dead letter

    def dead(payload: str, problem: str, source_key: str | None) -> Applied:
        letter = IntakeDeadLetter(
            stream=stream,
            partitions=partitions,
            partition=partition,
            sequence=sequence,
            subject=subject,
            source_key=source_key,
            payload=payload,
            problem=problem,
            resolved=False,
            created_at=now,
        )
        session.add(letter)
        session.flush()
        return Applied(Outcome.dead, dead_letter=letter)

    text = data.decode("utf-8", errors="replace")
    try:
        source_key = source_key_of(subject)
        items = raw_records(data)
    except Undecodable as exc:
        return dead(text, str(exc), None) if whole else Applied(Outcome.applied)
    if session.scalars(select(Source.id).where(Source.key == source_key)).first() is None:
        problem = f"there is no source {source_key!r}"
        return dead(text, problem, source_key) if whole else Applied(Outcome.applied)
    mine = slices(items, partitions).get(partition)
    if mine is None:
        return Applied(Outcome.applied)
    if mine.problems:
        return dead(mine.payload(), "; ".join(mine.problems), source_key)
    try:
        with session.begin_nested():
            ingest_records(
                session,
                source_key,
                mine.records,
                now=now,
                zone=zone,
                bulk=len(mine.records) > 1,
            )
    except PlauditError as exc:
        return dead(mine.payload(), exc.detail, source_key)
    return Applied(Outcome.applied, records=len(mine.records))
