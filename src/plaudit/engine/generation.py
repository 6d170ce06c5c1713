"""The engine generation: renewed in the transaction of any change to what is evaluated, so
every process can cache compiled achievements and still never use a stale one."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.db.upsert import insert_for
from plaudit.models import EngineGeneration

T = TypeVar("T")

_MEMO = "plaudit.engine.generation"
"""session.info key: (transaction, token) read once per transaction."""


def bump_generation(session: Session) -> None:
    """Store a new random token: unlike a counter it never repeats, even after a restore or a
    truncation, so a cache can never mistake old rules for current ones."""
    token = secrets.randbits(62) or 1
    stmt = insert_for(session, EngineGeneration).values(id=1, value=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"value": token}))
    session.info[_MEMO] = (session.get_transaction(), token)


def forget_generation(session: Session) -> None:
    """Make the next `current_generation` read the database again (after a lock wait)."""
    session.info.pop(_MEMO, None)


_SELECT = select(EngineGeneration.value).where(EngineGeneration.id == 1)
GENERATION_SQL = "SELECT value FROM engine_generation WHERE id = 1"
"""The same read as plain SQL, for the engine gate's combined round trip (``engine.gate``)."""


def remember_generation(session: Session, token: int) -> None:
    """The token as read in this transaction by someone else (the engine gate)."""
    session.info[_MEMO] = (session.get_transaction(), token)


def current_generation(session: Session) -> int:
    """The token, read once per transaction: every cache consulted in one transaction (rules,
    notifications) then agrees on one generation, and a request pays for one query."""
    transaction = session.get_transaction()
    memo = session.info.get(_MEMO)
    if transaction is not None and memo is not None and memo[0] is transaction:
        return int(memo[1])
    token = session.scalar(_SELECT) or 0
    session.info[_MEMO] = (session.get_transaction(), token)
    return token


_cache: dict[tuple[str, str], tuple[int, Any]] = {}
"""(database URL, what) -> (generation, value)"""


def cached_per_generation(session: Session, what: str, build: Callable[[], T]) -> T:
    """`build()`, reused in this process while the database's generation is unchanged.

    The generation is read again after building: a build that renews it (a repair) is
    stored under the new one."""
    key = (str(session.get_bind().engine.url), what)
    cached = _cache.get(key)
    if cached is not None and cached[0] == current_generation(session):
        return cast(T, cached[1])
    value = build()
    _cache[key] = (current_generation(session), value)
    return value
