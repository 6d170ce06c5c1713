"""What the public page of a published award shows, and its "Add to LinkedIn" address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from plaudit.openbadges.credentials import Urls as CredentialUrls
from plaudit.openbadges.v2 import Urls
from plaudit.web.rule_words import SourceWords, rule_sentence

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def long_date(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.day} {local:%B %Y}"


def linkedin_url(
    *,
    name: str,
    organisation: str,
    issued: datetime,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
    zone: ZoneInfo,
) -> str:
    """LinkedIn's "add a licence or certification" form, filled in."""
    issued_local = issued.astimezone(zone)
    fields: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": issued_local.year,
        "issueMonth": issued_local.month,
    }
    if expires is not None:
        # The last day it holds: an award ending at midnight expires the day before.
        last = (expires - timedelta(seconds=1)).astimezone(zone)
        fields["expirationYear"] = last.year
        fields["expirationMonth"] = last.month
    fields["certUrl"] = cert_url
    fields["certId"] = cert_id
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"


def criteria_groups(
    definition: Mapping[str, Any], sources: Mapping[str, SourceWords]
) -> list[list[str]]:
    """The rules of a definition in words, one list per group (any group earns it)."""
    return [
        [rule_sentence(rule, sources) for rule in group]
        for group in definition.get("requirements") or []
    ]


@dataclass(frozen=True)
class Downloads:
    """Open Badges 2.0 (the hosted assertion and images baked with it) and 3.0 (the signed
    credential and images baked with it)."""

    json: str
    png: str
    svg: str
    credential: str
    credential_png: str
    credential_svg: str


def downloads(urls: Urls, public_id: str) -> Downloads:
    v3 = CredentialUrls(urls.base)
    return Downloads(
        json=urls.assertion(public_id),
        png=urls.baked(public_id, "png"),
        svg=urls.baked(public_id, "svg"),
        credential=v3.credential(public_id),
        credential_png=v3.baked(public_id, "png"),
        credential_svg=v3.baked(public_id, "svg"),
    )
