"""The hosted Open Badges 2.0 documents of what is published, read from the database."""

from __future__ import annotations

from typing import Any

from plaudit.openbadges import v2
from plaudit.openbadges.publication import Published


def assertion_of(published: Published, urls: v2.Urls) -> dict[str, Any]:
    award, publication = published.award, published.publication
    return v2.assertion(
        public_id=publication.public_id,
        email=published.member.email or "",
        salt=publication.recipient_salt,
        achievement_id=award.achievement_id,
        version=award.achievement_version,
        issued_on=award.awarded_at,
        expires=award.period_end,
        urls=urls,
    )


def badge_class_of(
    achievement_id: int, version: int, definition: dict[str, Any], urls: v2.Urls
) -> dict[str, Any]:
    return v2.badge_class(
        achievement_id, version, definition, v2.criteria_narrative(definition), urls
    )
