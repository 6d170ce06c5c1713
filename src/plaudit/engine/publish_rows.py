"""Publishing awards as they are given, for achievements whose policy says so.

Every path that writes awards (the engine's completions, a manual give, a notification, a
bulk give) calls :func:`publish_automatic` with the ids it wrote, in the same transaction,
so an award of such an achievement is never visible unpublished. Members without an email
have no recipient to hash, so their awards stay unpublished.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from plaudit.models import Achievement, Award, AwardPublication, Member

CHUNK = 500
"""Award ids looked up per statement (a bulk give may write thousands)."""


def new_public_id() -> str:
    """An unguessable, url-safe identifier: 192 random bits as 32 characters (the public
    page's route matches exactly that shape)."""
    return secrets.token_urlsafe(24)


def new_salt() -> str:
    return secrets.token_hex(16)


def publish_automatic(
    connection: Connection, award_ids: Sequence[int], *, now: datetime, by: str
) -> list[int]:
    """Publish those of the awards whose achievement publishes automatically and whose member
    has an email; return the ids of the awards published."""
    published: list[int] = []
    for start in range(0, len(award_ids), CHUNK):
        chunk = award_ids[start : start + CHUNK]
        query = (
            select(Award.id)
            .join(Achievement, Achievement.id == Award.achievement_id)
            .join(Member, Member.id == Award.member_id)
            .outerjoin(AwardPublication, AwardPublication.award_id == Award.id)
            .where(
                Award.id.in_(chunk),
                Achievement.publish_automatically.is_(True),
                Member.email.is_not(None),
                AwardPublication.id.is_(None),
            )
            .order_by(Award.id)
        )
        ids = list(connection.execute(query).scalars())
        if ids:
            connection.execute(
                insert(AwardPublication),
                [
                    {
                        "award_id": award_id,
                        "public_id": new_public_id(),
                        "recipient_salt": new_salt(),
                        "published_at": now,
                        "published_by": by,
                    }
                    for award_id in ids
                ],
            )
        published.extend(ids)
    return published
