"""Streaming intake from NATS JetStream: each partition's position in the stream (written in
the transaction that applies a message), the partitions' leases, the live consumer processes,
and the messages that could not apply (dead letters)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import UTCDateTime
from plaudit.models._columns import created_at_column


class IntakeOffset(Base):
    """The last stream sequence whose effect partition `partition` of `partitions` committed."""

    __tablename__ = "intake_offsets"

    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    partitions: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    partition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class IntakePartitionLease(Base):
    """Which consumer process works on a partition, until `expires_at` unless renewed."""

    __tablename__ = "intake_partition_leases"

    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    partitions: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    partition: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    owner: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IntakeConsumer(Base):
    """A live consumer process (renewed with its leases): how many share the partitions."""

    __tablename__ = "intake_consumers"

    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    partitions: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IntakeDeadLetter(Base):
    """A message (or a partition's slice of one) that could not apply, and why."""

    __tablename__ = "intake_dead_letters"
    __table_args__ = (
        Index("ix_intake_dead_letters_resolved", "resolved", "id"),
        Index(
            "ux_intake_dead_letters_message",
            "stream",
            "partitions",
            "partition",
            "sequence",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(100))
    partitions: Mapped[int]
    partition: Mapped[int]
    sequence: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(300))
    source_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved: Mapped[bool] = mapped_column(default=False)
