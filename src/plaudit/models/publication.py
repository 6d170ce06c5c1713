"""Award publication: a published award's public identity, and the issuer it is published as.

A publication row makes an award public (its Open Badges assertion, baked images and public
page); unpublishing deletes the row so every public URL answers 404. Revoking an award keeps
the row, so the assertion can answer 410 "revoked" to whoever verifies it later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.models._columns import created_at_column


class AwardPublication(Base):
    __tablename__ = "award_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), unique=True)
    # Unguessable and url-safe: the only key of every public URL of the award.
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    recipient_salt: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = created_at_column()
    published_by: Mapped[str] = mapped_column(String(200))


class IssuerSettings(Base):
    """The one issuer profile awards are published as (the row with id 1, when saved)."""

    __tablename__ = "issuer_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str] = mapped_column(String(320))
    image: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = created_at_column()
    updated_by: Mapped[str] = mapped_column(String(200))
