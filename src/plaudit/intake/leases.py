"""Sharing the partitions among consumer processes through the database.

Every process registers itself (`intake_consumers`, renewed with its leases); each takes a
fair share, ceil(partitions / live processes), of the free or expired partition leases and
gives back what it holds beyond its share, so a new process gets work and a killed one's
partitions are taken over once its leases expire. On PostgreSQL the lease rows are claimed
with FOR UPDATE SKIP LOCKED, so two processes claiming at once never wait on or take the
same row. Leases only divide the work: exactly-once comes from the offsets (see apply.py).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plaudit.models import IntakeConsumer, IntakePartitionLease

LEASE_SECONDS = 10.0


def _insert(session: Session, model: type[Any]) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def renew(
    session: Session,
    stream: str,
    partitions: int,
    owner: str,
    *,
    now: datetime,
    lease_seconds: float = LEASE_SECONDS,
) -> set[int]:
    """Claim, keep and give back partitions; the partitions `owner` now holds."""
    until = now + timedelta(seconds=lease_seconds)
    keys = {"stream": stream, "partitions": partitions}
    session.execute(
        _insert(session, IntakeConsumer)
        .values(**keys, owner=owner, expires_at=until)
        .on_conflict_do_update(
            index_elements=["stream", "partitions", "owner"], set_={"expires_at": until}
        )
    )
    session.execute(
        delete(IntakeConsumer).where(
            IntakeConsumer.stream == stream,
            IntakeConsumer.partitions == partitions,
            IntakeConsumer.expires_at <= now,
        )
    )
    live = session.scalar(
        select(func.count()).where(
            IntakeConsumer.stream == stream, IntakeConsumer.partitions == partitions
        )
    )
    share = math.ceil(partitions / max(1, live or 1))
    session.execute(
        _insert(session, IntakePartitionLease)
        .values(
            [{**keys, "partition": p, "owner": None, "expires_at": None} for p in range(partitions)]
        )
        .on_conflict_do_nothing(index_elements=["stream", "partitions", "partition"])
    )
    rows = session.scalars(
        select(IntakePartitionLease)
        .where(IntakePartitionLease.stream == stream, IntakePartitionLease.partitions == partitions)
        .order_by(IntakePartitionLease.partition)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()

    def live_lease(row: IntakePartitionLease) -> bool:
        return row.owner is not None and row.expires_at is not None and row.expires_at > now

    mine = [r for r in rows if r.owner == owner and live_lease(r)]
    free = [r for r in rows if not live_lease(r) and r not in mine]
    held = mine[:share]
    for row in mine[share:]:
        row.owner, row.expires_at = None, None
    held += free[: max(0, share - len(held))]
    for row in held:
        row.owner, row.expires_at = owner, until
    session.flush()
    return {r.partition for r in held}


def release(session: Session, stream: str, partitions: int, owner: str) -> None:
    """Give back every lease of `owner` and unregister it (a clean shutdown)."""
    session.execute(
        update(IntakePartitionLease)
        .where(
            IntakePartitionLease.stream == stream,
            IntakePartitionLease.partitions == partitions,
            IntakePartitionLease.owner == owner,
        )
        .values(owner=None, expires_at=None)
    )
    session.execute(
        delete(IntakeConsumer).where(
            IntakeConsumer.stream == stream,
            IntakeConsumer.partitions == partitions,
            IntakeConsumer.owner == owner,
        )
    )
