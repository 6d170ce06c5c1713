"""Idempotency-Key: the first answer to a key is stored and replayed for repeats.

The key row is inserted before the work, so a concurrent repeat waits on the unique index
(PostgreSQL) or on the writer lock (SQLite) and then finds the stored answer.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.errors import Conflict
from plaudit.models import IdempotentResponse


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def claim(session: Session, scope: str, key: str, digest: str) -> IdempotentResponse | None:
    """Return the stored answer for a repeat, or None after claiming the key for this request."""
    stored = _find(session, scope, key)
    if stored is None:
        try:
            with session.begin_nested():
                session.add(
                    IdempotentResponse(
                        scope=scope, key=key, request_hash=digest, status_code=0, body={}
                    )
                )
                session.flush()
            return None
        except IntegrityError:
            stored = _find(session, scope, key)
    if stored is None or stored.status_code == 0:
        raise Conflict(
            detail=f"A request with Idempotency-Key {key!r} is still being processed.",
            code="idempotency_in_progress",
        )
    if stored.request_hash != digest:
        raise Conflict(
            detail=f"Idempotency-Key {key!r} was already used with a different request body.",
            code="idempotency_key_reused",
        )
    return stored


def remember(
    session: Session, scope: str, key: str, status_code: int, body: dict[str, Any]
) -> None:
    stored = _find(session, scope, key)
    assert stored is not None
    stored.status_code, stored.body = status_code, body
    session.flush()


def _find(session: Session, scope: str, key: str) -> IdempotentResponse | None:
    return session.scalars(
        select(IdempotentResponse).where(
            IdempotentResponse.scope == scope, IdempotentResponse.key == key
        )
    ).first()
