"""Run a piece of a transaction again when a concurrent transaction made it fail.

On PostgreSQL (READ COMMITTED) two transactions can both find no row for a key and both
insert it: the second waits on the unique index until the first commits, then fails with a
unique violation, although the right answer was to see the first one's row. Likewise two
transactions that lock the same rows in different orders end with one of them chosen as a
deadlock victim. In both cases the other transaction has made progress, and doing the work
again from a fresh read gives the right result: each statement of a READ COMMITTED
transaction sees what was committed before it started.

The work runs inside a SAVEPOINT so that only it is undone, never what the caller did before
in the transaction (a claimed Idempotency-Key, the engine gate), and the row locks it took
are released with it so that the winner can finish. When the work is the first thing the
transaction does, there is nothing before it to keep: a conflict then rolls the whole
transaction back and the work runs again in a new one, which has the same effect without the
savepoint's two round trips (SAVEPOINT, RELEASE) on every call; the single-record ingest pays
for each round trip. SQLite needs none of this: its writers
are serialised by ``BEGIN IMMEDIATE`` (``db.engine``), so the work runs once, as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 20
"""Every failed attempt means another transaction committed (or won a deadlock), so
retries always make progress; the bound only stops a runaway."""
_TRANSIENT = frozenset({"40001", "40P01"})
"""serialization_failure, deadlock_detected"""
_UNIQUE_VIOLATION = "23505"


def retry_on_conflict(
    session: Session,
    work: Callable[[], T],
    *,
    unique_constraints: Collection[str],
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """`work()`, run again (up to `attempts` times) after a deadlock, a serialization failure
    or a violation of one of `unique_constraints` caused by a concurrent transaction.

    `work` must read what it depends on afresh each time (with ``populate_existing`` for ORM
    objects it may have loaded before) and raise anything else unchanged."""
    if session.get_bind().dialect.name != "postgresql":
        return work()
    whole_transaction = not session.in_transaction()
    for attempt in range(1, attempts + 1):
        try:
            if whole_transaction:
                return work()
            with session.begin_nested():
                return work()
        except DBAPIError as exc:
            if whole_transaction:
                session.rollback()
            if attempt == attempts or not _is_conflict(exc, unique_constraints):
                raise
            logger.debug("retrying after a concurrent conflict (attempt %d): %s", attempt, exc)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _is_conflict(exc: DBAPIError, unique_constraints: Collection[str]) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _TRANSIENT:
        return True
    if sqlstate != _UNIQUE_VIOLATION:
        return False
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    return constraint in unique_constraints
