"""Where an award came from."""

from __future__ import annotations

from enum import StrEnum


class AwardOrigin(StrEnum):
    manual = "manual"
    rule = "rule"
    notification = "notification"
