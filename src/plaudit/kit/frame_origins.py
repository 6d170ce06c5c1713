"""The sites allowed to frame embed pages: a comma-separated list of web origins, checked
strictly, since each one is written into a Content-Security-Policy header."""

from __future__ import annotations

import re

_ORIGIN = re.compile(
    r"^https?://"
    r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::\d{1,5})?$"
)


def parse_origins(value: str) -> tuple[str, ...]:
    """`https://portal.example.com, http://127.0.0.1:8001` as origins (lower case, without a
    trailing slash); anything else (a path, a quote, a semicolon, a missing scheme) is refused
    by name with a ValueError."""
    origins: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        origin = item.lower().removesuffix("/")
        if not _ORIGIN.match(origin):
            raise ValueError(
                f"{item!r} is not a web origin: write it as scheme://host[:port], e.g. "
                "https://portal.example.com (no path; *.example.com for every subdomain)"
            )
        port = origin.rpartition(":")[2]
        if port.isdigit() and not 1 <= int(port) <= 65535:
            raise ValueError(f"{item!r} has no valid port (1 to 65535)")
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)
