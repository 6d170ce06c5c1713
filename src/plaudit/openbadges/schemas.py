"""Issuer settings request and response shapes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints

from plaudit.kit.schemas import SPACE_OR_CONTROL, InputSchema, Name, OutputSchema
from plaudit.member.schemas import Email


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL such as https://www.example.com")
    return value


WebUrl = Annotated[
    str,
    StringConstraints(
        max_length=500,
        strip_whitespace=True,
        pattern=rf"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^{SPACE_OR_CONTROL}]*)?$",
    ),
    AfterValidator(_web_url),
]
Description = Annotated[str, StringConstraints(max_length=2000)]


class IssuerUpdate(InputSchema):
    name: Name
    url: WebUrl
    email: Email
    image: WebUrl | None = None
    description: Description | None = None


class IssuerRead(OutputSchema):
    name: str
    url: str
    email: str
    image: str | None
    description: str | None
    saved: bool
    profile_url: str
