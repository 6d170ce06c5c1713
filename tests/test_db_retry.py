"""`db.retry.retry_on_conflict`: on PostgreSQL the work is run again, inside a savepoint, after
a deadlock, a serialization failure or a violation of a listed unique constraint, keeping what
the transaction did before it; anything else is raised at once. On SQLite, whose writers are
serialised, the work runs once as it is.

The races themselves are shown over real sockets in tests/concurrency/test_record_races.py;
here the failures are made deterministic: a row already in the table, or an error raised with
the SQLSTATE of a deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from plaudit.db.retry import retry_on_conflict

KEY = "probe_k_key"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A transaction with a scratch table (unique `k`, constraint KEY) holding the row
    'before', all rolled back at the end."""
    with Session(engine) as s:
        s.execute(
            text(
                "CREATE TEMPORARY TABLE retry_probe (k VARCHAR(20) NOT NULL, other VARCHAR(20), "
                f"CONSTRAINT {KEY} UNIQUE (k), CONSTRAINT probe_other_key UNIQUE (other))"
            )
        )
        s.execute(text("INSERT INTO retry_probe (k, other) VALUES ('before', 'before')"))
        try:
            yield s
        finally:
            s.rollback()


def keys(session: Session) -> list[str]:
    return sorted(session.execute(text("SELECT k FROM retry_probe")).scalars())


def insert(session: Session, key: str, other: str | None = None) -> None:
    session.execute(
        text("INSERT INTO retry_probe (k, other) VALUES (:k, :o)"), {"k": key, "o": other}
    )


def test_work_that_collides_on_a_listed_key_runs_again_after_what_it_wrote_is_undone(
    session: Session,
) -> None:
    attempts: list[int] = []

    def work() -> str:
        attempts.append(1)
        insert(session, f"lost-{len(attempts)}")
        if len(attempts) == 1:
            insert(session, "before")  # as if a concurrent transaction had committed it
        return "done"

    if session.get_bind().dialect.name == "postgresql":
        assert retry_on_conflict(session, work, unique_constraints={KEY}) == "done"
        assert len(attempts) == 2
        # The first attempt's row went with its savepoint; the second attempt's and the
        # transaction's earlier row stay.
        assert keys(session) == ["before", "lost-2"]
    else:
        with pytest.raises(IntegrityError):
            retry_on_conflict(session, work, unique_constraints={KEY})
        assert len(attempts) == 1


@pytest.mark.postgres_only
def test_a_deadlock_victim_runs_again(session: Session) -> None:
    attempts: list[int] = []

    def work() -> int:
        attempts.append(1)
        insert(session, f"try-{len(attempts)}")
        if len(attempts) < 3:
            session.execute(
                text("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
            )
        return len(attempts)

    assert retry_on_conflict(session, work, unique_constraints=()) == 3
    assert keys(session) == ["before", "try-3"]


@pytest.mark.postgres_only
def test_a_serialization_failure_runs_again(session: Session) -> None:
    attempts: list[int] = []

    def work() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            session.execute(
                text("DO $$ BEGIN RAISE EXCEPTION 'serialize' USING ERRCODE = '40001'; END $$")
            )

    retry_on_conflict(session, work, unique_constraints=())
    assert len(attempts) == 2


@pytest.mark.postgres_only
def test_other_constraints_and_errors_are_raised_at_once(session: Session) -> None:
    attempts: list[int] = []

    def other_key() -> None:
        attempts.append(1)
        insert(session, "new", other="before")

    with pytest.raises(IntegrityError, match="probe_other_key"):
        retry_on_conflict(session, other_key, unique_constraints={KEY})
    assert len(attempts) == 1

    def other_error() -> None:
        attempts.append(1)
        session.execute(
            text("DO $$ BEGIN RAISE EXCEPTION 'locked' USING ERRCODE = '55P03'; END $$")
        )

    with pytest.raises(OperationalError, match="locked"):
        retry_on_conflict(session, other_error, unique_constraints={KEY})
    assert len(attempts) == 2
    # The transaction is still usable: only the savepoint failed.
    assert keys(session) == ["before"]


@pytest.mark.postgres_only
def test_a_conflict_that_never_clears_is_raised_after_the_last_attempt(session: Session) -> None:
    attempts: list[int] = []

    def work() -> None:
        attempts.append(1)
        insert(session, "before")

    with pytest.raises(IntegrityError, match=KEY):
        retry_on_conflict(session, work, unique_constraints={KEY}, attempts=3)
    assert len(attempts) == 3
