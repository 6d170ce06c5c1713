"""The public URLs of a published award, all made from the public base URL and its public id.

The Open Badges package serves them (2.0 here, 3.0 beside it, the page in the web pages);
they are spelt once, here, so the award answers and the documents agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicLinks:
    public_url: str
    openbadges_v2_url: str
    openbadges_v3_url: str


def public_links(base_url: str, public_id: str) -> PublicLinks:
    base = base_url.rstrip("/")
    return PublicLinks(
        public_url=f"{base}/badges/{public_id}",
        openbadges_v2_url=f"{base}/ob/v2/assertions/{public_id}",
        openbadges_v3_url=f"{base}/ob/v3/credentials/{public_id}",
    )
