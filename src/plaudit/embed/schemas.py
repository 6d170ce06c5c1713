"""Embed link request and answer shapes, and the grant a link carries."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema

from plaudit.kit.schemas import InputSchema, OutputSchema, StrictId, Timestamp
from plaudit.periods import Period
from plaudit.rules.model import Aggregate

DEFAULT_SECONDS = 3600
MIN_SECONDS = 60


HEX_PATTERN = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
_HEX = re.compile(HEX_PATTERN)


def _hex_color(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError(f"must be a colour written #rgb or #rrggbb, not {value!r}")
    return value


Color = Annotated[
    str, AfterValidator(_hex_color), WithJsonSchema({"type": "string", "pattern": HEX_PATTERN})
]
"""A colour; checked here rather than by a pattern constraint, so that a refusal says what a
colour looks like instead of quoting the regular expression, which the document states."""


class EmbedKind(StrEnum):
    portal = "portal"
    leaderboard = "leaderboard"


class EmbedTheme(InputSchema):
    """Colours of the embedded page (#rgb or #rrggbb); each left out is the server's
    PLAUDIT_EMBED_* setting."""

    primary: Color | None = Field(default=None, description="Accent and default tile colour.")
    secondary: Color | None = Field(default=None, description="Text on the accent colour.")
    background: Color | None = Field(default=None, description="Page background.")
    text: Color | None = Field(default=None, description="Text colour.")


class EmbedCreate(InputSchema):
    """What one embed link shows. `portal`: the portal of `member_id` (a member's own token:
    their own, `member_id` may be left out). `leaderboard`: a saved board (`board_id`, its own
    period and team unless `period` or `team_id` are given) or, without it, the leaderboard
    query of GET /leaderboard (points, or `source`, `aggregate`, `field`, `where`)."""

    kind: EmbedKind
    member_id: StrictId | None = None
    board_id: StrictId | None = None
    period: Period | None = None
    team_id: StrictId | None = None
    source: str | None = Field(default=None, max_length=100)
    aggregate: Aggregate | None = None
    field: str | None = Field(default=None, max_length=100)
    where: str | None = Field(default=None, max_length=10_000)
    expires_in: StrictInt = Field(
        default=DEFAULT_SECONDS,
        ge=MIN_SECONDS,
        description="Seconds the link works for: at least 60, at most PLAUDIT_EMBED_MAX_SECONDS "
        "(30 days unless set); 1 hour when left out.",
    )
    theme: EmbedTheme | None = None


class EmbedRead(OutputSchema):
    kind: EmbedKind
    url: str = Field(description="The page to put in an iframe's src; it carries the grant.")
    expires_at: Timestamp


class Grant(BaseModel):
    """What a signed link grants, and nothing more: one member's portal, or one leaderboard
    query; the theme; the instant it stops working (seconds since the epoch)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EmbedKind
    member_id: int | None = None
    query: dict[str, Any] = Field(default_factory=dict)
    theme: dict[str, str] = Field(default_factory=dict)
    exp: int
