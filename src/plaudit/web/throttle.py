"""Sign-in throttling: too many failures for an account name, or from a client address,
and sign-in is refused for a while before any password is checked.

Counts are rows of `sign_in_failures` in the database, so every process serving the same
database shares them. Each attempt is written *before* its password is checked and committed
at once (under a per-key lock on PostgreSQL; SQLite's writer lock serialises anyway), so a
burst of simultaneous guesses cannot all slip under the limit. A successful sign-in removes
its attempt and the account's earlier failures; a refused (throttled) attempt is not counted.
Rows older than the window are deleted as attempts arrive.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from plaudit.config import Settings
from plaudit.db.locking import lock_decision
from plaudit.models import SignInFailure


def _key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the account name as typed and the client's address."""

    address: str
    username: str

    @property
    def account_key(self) -> str:
        return _key_hash("account", self.username.casefold())

    @property
    def address_key(self) -> str:
        return _key_hash("address", self.address)


@dataclass(frozen=True)
class Admission:
    """What `SignInThrottle.begin` decided: `retry_after` seconds to wait (0: go ahead and
    check the password) and the rows that count this attempt."""

    retry_after: int
    counted: tuple[int, ...]


@dataclass(frozen=True)
class SignInThrottle:
    per_account: int
    per_address: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInThrottle:
        return cls(
            per_account=settings.sign_in_max_failures_per_account,
            per_address=settings.sign_in_max_failures_per_address,
            window=timedelta(seconds=settings.sign_in_window_seconds),
        )

    def begin(self, session: Session, attempt: Attempt, *, now: datetime) -> Admission:
        """Count this attempt as a failure until it succeeds, unless it is refused; commits,
        so that other processes see it while the password is being checked."""
        since = now - self.window
        session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= since))
        limits = ((attempt.account_key, self.per_account), (attempt.address_key, self.per_address))
        for key, _limit in limits:
            lock_decision(session, "sign-in", key)
        wait = max(self._wait(session, key, limit, since, now) for key, limit in limits)
        rows = [] if wait else [SignInFailure(key_hash=key, failed_at=now) for key, _ in limits]
        session.add_all(rows)
        session.flush()
        admission = Admission(retry_after=wait, counted=tuple(row.id for row in rows))
        session.commit()
        return admission

    def _wait(self, session: Session, key: str, limit: int, since: datetime, now: datetime) -> int:
        """Seconds until fewer than `limit` failures of `key` lie within the window."""
        recent = (
            select(SignInFailure.failed_at)
            .where(SignInFailure.key_hash == key, SignInFailure.failed_at > since)
            .order_by(SignInFailure.failed_at.desc())
        )
        count = session.scalar(select(func.count()).select_from(recent.subquery()))
        if not count or count < limit:
            return 0
        oldest_counted = session.scalar(recent.offset(limit - 1).limit(1))
        if oldest_counted is None:  # pragma: no cover - the count above found it
            return 0
        return max(1, math.ceil((oldest_counted + self.window - now).total_seconds()))

    def succeeded(self, session: Session, attempt: Attempt, admission: Admission) -> None:
        """The password was right: forget the account's failures and this attempt (earlier
        failures from the address still count)."""
        session.execute(
            delete(SignInFailure).where(
                (SignInFailure.key_hash == attempt.account_key)
                | SignInFailure.id.in_(admission.counted)
            )
        )
