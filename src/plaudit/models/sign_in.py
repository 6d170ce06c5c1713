"""Web sign-in state kept on the server: the sessions of signed-in users and recent failed
sign-in attempts (the throttle's counts, shared by every process on the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import UTCDateTime


class WebSession(Base):
    """One signed-in browser. The cookie carries the random session id; only its SHA-256 is
    stored, so a copy of this table lets no one sign in."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SignInFailure(Base):
    """A failed sign-in attempt, counted against an account name or a client address.

    `key_hash` is the SHA-256 of the scope and the key (the name as typed, case-folded, or
    the address), so a password typed into the name field is not kept in clear."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_hash_failed_at", "key_hash", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
