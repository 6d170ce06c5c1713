"""The engine gate: evaluation and changes to what it depends on never interleave.

Running totals are only right if every record is counted exactly once by every active
achievement that reads it, and an award decided on audiences is only right if the audience
it read is the one that commits. Two transactions can break that on PostgreSQL (READ
COMMITTED) where neither sees the other's uncommitted work:

- an ingest that compiled the rules before an activation commits never adds its records to
  the new achievement's totals, and the activation's backfill never sees those records;
- a member moved into an audience while their qualifying record arrives: the ingest decides
  on the old team, the move re-evaluates totals that do not hold the record yet.

So every transaction that evaluates records holds the gate shared (many at once), and every
transaction that changes what the engine evaluates or who is in an audience (activation,
deactivation, groups, member and team changes) holds it exclusive,
taken before it reads or writes anything else, so it waits for the evaluations in flight and
the ones that follow see its result. A transaction-level advisory lock: nothing is written,
and it is released at commit or rollback. SQLite needs no gate: its writers are serialized
by ``BEGIN IMMEDIATE`` (``db.engine``).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from plaudit.engine.generation import GENERATION_SQL, forget_generation, remember_generation

GATE_KEY = 0x706C61756469  # "plaudi": the advisory lock key of the engine gate
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:key)")
_SHARED_AND_GENERATION = (
    f"SELECT pg_advisory_xact_lock_shared({GATE_KEY}); {GENERATION_SQL}"
).encode()
"""Both in ONE round trip (the simple query protocol, no parameters): in READ COMMITTED each
statement of it takes its own snapshot, so the generation is read after the lock is held,
exactly as two separate statements would read it. The per-record path pays for every round
trip, and every evaluation reads the generation right after taking the gate."""
_HELD = "plaudit.engine.gate"
"""session.info key: (transaction, exclusive?) once the gate is held."""


def enter_evaluation(session: Session) -> None:
    """Hold the gate shared until the transaction ends (call before reading any rules)."""
    _enter(session, exclusive=False)


def enter_change(session: Session) -> None:
    """Hold the gate exclusive until the transaction ends (call before anything else)."""
    _enter(session, exclusive=True)


def _enter(session: Session, *, exclusive: bool) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    held = session.info.get(_HELD)
    if held is not None and held[0] is transaction and (held[1] or not exclusive):
        return
    if exclusive:
        session.execute(_EXCLUSIVE, {"key": GATE_KEY})
        # What was read of the generation before waiting may be stale: read it again.
        forget_generation(session)
    else:
        remember_generation(session, _shared_gate_and_generation(session))
    session.info[_HELD] = (session.get_transaction(), exclusive)


def _shared_gate_and_generation(session: Session) -> int:
    """Take the gate shared and read the generation after it, in one round trip."""
    session.flush()  # as `session.execute` would (autoflush): the driver is used directly
    connection = session.connection()
    driver = cast(Any, connection.connection.dbapi_connection)
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor:
            cursor.execute(_SHARED_AND_GENERATION)
            cursor.nextset()
            row = cursor.fetchone()
    except dbapi_error as exc:
        # Wrapped as SQLAlchemy wraps what it runs: the error handlers (a database that is
        # unavailable answers 503) and `db.retry` (a deadlock runs again) see the same types.
        raise DBAPIError.instance(
            _SHARED_AND_GENERATION.decode(), None, exc, dbapi_error, dialect=connection.dialect
        ) from exc
    return int(row[0]) if row is not None else 0
