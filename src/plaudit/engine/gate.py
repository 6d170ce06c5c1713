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

from sqlalchemy import text
from sqlalchemy.orm import Session

from plaudit.engine.generation import forget_generation

GATE_KEY = 0x706C61756469  # "plaudi": the advisory lock key of the engine gate
_SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)")
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:key)")
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
    session.execute(_EXCLUSIVE if exclusive else _SHARED, {"key": GATE_KEY})
    session.info[_HELD] = (session.get_transaction(), exclusive)
    # What was read of the generation before waiting may be stale: read it again.
    forget_generation(session)
