"""Open Badges 2.0 hosted documents as JSON-LD: the issuer Profile, a BadgeClass per
achievement version, an Assertion per published award
(https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).

Pure builders over plain values: the router fetches, these shape.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plaudit.openbadges.issuer import Issuer

CONTEXT = "https://w3id.org/openbadges/v2"
MEDIA_TYPE = "application/ld+json"
_BADGE_ID = re.compile(r"^([1-9][0-9]{0,9})-v([1-9][0-9]{0,9})$")


@dataclass(frozen=True)
class Urls:
    """Every Open Badges 2.0 URL, made from the public base URL."""

    base: str

    @property
    def issuer(self) -> str:
        return f"{self.base}/ob/v2/issuer"

    def badge(self, achievement_id: int, version: int) -> str:
        return f"{self.base}/ob/v2/badges/{badge_id(achievement_id, version)}"

    def badge_image(self, achievement_id: int, version: int) -> str:
        return self.badge(achievement_id, version) + "/image"

    def criteria(self, achievement_id: int, version: int) -> str:
        return self.badge(achievement_id, version) + "/criteria"

    def assertion(self, public_id: str) -> str:
        return f"{self.base}/ob/v2/assertions/{public_id}"

    def baked(self, public_id: str, extension: str) -> str:
        return f"{self.assertion(public_id)}/badge.{extension}"

    def page(self, public_id: str) -> str:
        return f"{self.base}/badges/{public_id}"


def badge_id(achievement_id: int, version: int) -> str:
    """A BadgeClass per achievement version: "12-v3" is version 3 of achievement 12."""
    return f"{achievement_id}-v{version}"


def parse_badge_id(text: str) -> tuple[int, int] | None:
    match = _BADGE_ID.match(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def hashed_email(email: str, salt: str) -> str:
    """The recipient identity: "sha256$" and the hex SHA-256 of the email and the salt (the
    email lower-cased, as the validator compares it)."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def profile(issuer: Issuer, urls: Urls) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": urls.issuer,
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        document["description"] = issuer.description
    if issuer.image:
        document["image"] = issuer.image
    return document


def badge_class(
    achievement_id: int, version: int, definition: dict[str, Any], narrative: str, urls: Urls
) -> dict[str, Any]:
    name = str(definition.get("name") or f"Achievement {achievement_id}")
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge(achievement_id, version),
        "name": name,
        "description": str(definition.get("description") or name),
        "image": urls.badge_image(achievement_id, version),
        "criteria": {"id": urls.criteria(achievement_id, version), "narrative": narrative},
        "issuer": urls.issuer,
    }


def criteria_narrative(definition: dict[str, Any]) -> str:
    """The criteria in words for the JSON document; the criteria page lists each rule."""
    name = str(definition.get("name") or "this badge")
    description = str(definition.get("description") or "").strip()
    groups = definition.get("requirements") or []
    if not groups:
        how = f"{name} is given by the issuer to the people who earned it."
    else:
        rules = sum(len(group) for group in groups)
        how = (
            f"{name} is earned by meeting all the rules of "
            f"{'one of ' + str(len(groups)) + ' groups' if len(groups) > 1 else 'one group'} "
            f"({rules} rule{'s' if rules != 1 else ''} in all), counted from the "
            "recorded activity."
        )
    return f"{description}\n\n{how}" if description else how


def assertion(
    *,
    public_id: str,
    email: str,
    salt: str,
    achievement_id: int,
    version: int,
    issued_on: datetime,
    expires: datetime | None,
    urls: Urls,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(public_id),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": hashed_email(email, salt),
        },
        "badge": urls.badge(achievement_id, version),
        "verification": {"type": "hosted"},
        "issuedOn": issued_on.isoformat(),
    }
    if expires is not None:
        document["expires"] = expires.isoformat()
    return document


def revoked(public_id: str, reason: str | None, urls: Urls) -> dict[str, Any]:
    """The answer (410) for a revoked assertion."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(public_id),
        "revoked": True,
    }
    if reason:
        document["revocationReason"] = reason
    return document
