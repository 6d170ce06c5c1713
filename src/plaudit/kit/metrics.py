"""The Prometheus metrics (prometheus-client) and counting what a transaction did only once
it has committed.

A counter bumped inside a transaction that then rolls back (a refused batch, a savepoint
retried after a concurrent conflict) would count records and awards that never existed, so
the engine calls `count_after_commit`: the increment waits in the session until the
outermost commit and is dropped with any rollback of the (sub)transaction it was made in.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

REQUEST_SECONDS = Histogram(
    "plaudit_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
)
RECORDS_INGESTED = Counter(
    "plaudit_records_ingested_total",
    "Records written (created or changed), by source key.",
    ["source"],
)
AWARDS_GIVEN = Counter(
    "plaudit_awards_given_total",
    "Awards given, by how they were given (rule, manual, notification, streak, season).",
    ["origin"],
)
EVALUATION_SECONDS = Histogram(
    "plaudit_evaluation_seconds",
    "Time to apply a batch of records to the running totals and give the awards due.",
    ["path"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

_PENDING = "plaudit_pending_metrics"


def count_after_commit(session: Session, counter: Any, amount: float = 1) -> None:
    """Increment `counter` (a labelled child) by `amount` when the session's outermost
    transaction commits; never if the transaction, or the savepoint it is in, rolls back."""
    if amount <= 0:
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, counter, amount))


def _inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _apply_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    for _transaction, counter, amount in session.info.pop(_PENDING, []):
        counter.inc(amount)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [p for p in pending if not _inside(p[0], previous)]
