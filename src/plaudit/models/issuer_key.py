"""Open Badges 3.0: the issuer's Ed25519 signing keys and the credentials signed with them.

`issuer_keys`: one active key (`active` true; unique, and NULL for retired keys, so a second
active key is impossible however many processes make the first key at once); retired keys
are kept so that their public halves stay in the DID document. The secret half is stored encrypted
(kit.encryption). `issued_credentials`: the signed OpenBadgeCredential of each award that was
published, kept as signed (a later rotation does not re-sign it), with its place in the
revocation status lists (`sequence`, never reused).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.models._columns import created_at_column


class IssuerKey(Base):
    __tablename__ = "issuer_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_key_multibase: Mapped[str] = mapped_column(String(100), unique=True)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # True for the active key, NULL for retired ones: unique, so at most one is active
    # (NULLs are distinct on SQLite and PostgreSQL alike).
    active: Mapped[bool | None] = mapped_column(unique=True, default=True)


class IssuedCredential(Base):
    __tablename__ = "issued_credentials"

    award_id: Mapped[int] = mapped_column(
        ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The award's place in the status lists: list sequence // LIST_SIZE + 1, bit the rest.
    sequence: Mapped[int] = mapped_column(unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("issuer_keys.id", ondelete="RESTRICT"))
    credential: Mapped[dict[str, Any]] = mapped_column(JSONType)
    issued_at: Mapped[datetime] = created_at_column()
