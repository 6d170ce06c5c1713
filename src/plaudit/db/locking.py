"""Serialise decisions that read before they write (category limits, completions).

On PostgreSQL a transaction-scoped advisory lock per key; on SQLite the writer lock taken by
BEGIN IMMEDIATE already serialises every write transaction, so nothing more is needed. The
unique indexes stay the guarantee; the lock only avoids needless conflicts.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_decision(session: Session, *parts: object) -> None:
    """Hold an exclusive lock on `parts` until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(*parts)})


def lock_decisions(session: Session, keys: list[tuple[object, ...]]) -> None:
    """Hold exclusive locks on every key of `keys` until the transaction ends, taken in one
    statement and in a fixed order (so two transactions never wait on each other)."""
    if not keys or session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted({lock_key(*parts) for parts in keys})
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM "
            "(SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS ordered"
        ),
        {"keys": numbers},
    )
