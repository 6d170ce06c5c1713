"""The Open Badges 3.0 `OpenBadgeCredential` of an award (pure): the unsigned credential from
plain facts; data_integrity signs it. https://www.imsglobal.org/spec/ob/v3p0/
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plaudit.openbadges.data_integrity import CREDENTIALS_V2, OB_V3_CONTEXT


@dataclass(frozen=True)
class IssuerFacts:
    did: str
    name: str
    url: str
    email: str | None = None


@dataclass(frozen=True)
class AchievementFacts:
    id: str  # the achievement's (or its version's) public URL
    name: str
    description: str
    criteria: str
    image: str | None = None


@dataclass(frozen=True)
class AwardFacts:
    credential_url: str
    awarded_at: datetime
    valid_until: datetime | None
    email: str
    salt: str


def timestamp(moment: datetime) -> str:
    """XML Schema dateTime in UTC, to the second (`2026-12-06T17:45:00Z`)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def identity_hash(email: str, salt: str) -> str:
    """The recipient's email, salted and hashed as Open Badges IdentityHash: `sha256$` + hex.
    Emails are compared case-insensitively, so the lower-cased address is hashed."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def open_badge_credential(
    *,
    issuer: IssuerFacts,
    achievement: AchievementFacts,
    award: AwardFacts,
    status: dict[str, Any] | None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for one award."""
    profile: dict[str, Any] = {
        "id": issuer.did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    badge: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria},
    }
    if achievement.image:
        badge["image"] = {"id": achievement.image, "type": "Image"}
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3_CONTEXT],
        "id": award.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile,
        "validFrom": timestamp(award.awarded_at),
        "name": achievement.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(award.email, award.salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": award.salt,
                }
            ],
            "achievement": badge,
        },
    }
    if award.valid_until is not None:
        credential["validUntil"] = timestamp(award.valid_until)
    if status is not None:
        credential["credentialStatus"] = status
    return credential
