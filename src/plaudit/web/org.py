"""The organisation's styling: tile defaults and the pages' accent colour."""

from __future__ import annotations

import re
from dataclasses import dataclass

from plaudit.config import Settings

_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_PRIMARY = "#3056d3"
DEFAULT_SECONDARY = "#ffffff"


def six_digit(color: str, fallback: str) -> str:
    """`#abc` -> `#aabbcc` (what <input type=color> needs); a malformed colour -> fallback."""
    if not _HEX_COLOR.match(color):
        return fallback
    if len(color) == 4:
        return "#" + "".join(c * 2 for c in color[1:]).lower()
    return color.lower()


@dataclass(frozen=True)
class Org:
    """The organisation's styling: tile defaults and the pages' accent colour."""

    primary: str
    secondary: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Org:
        return cls(
            primary=six_digit(settings.primary_color, DEFAULT_PRIMARY),
            secondary=six_digit(settings.secondary_color, DEFAULT_SECONDARY),
        )
