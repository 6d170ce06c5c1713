"""Achievement request and response shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from plaudit.domain.categories import Category
from plaudit.kit.icons import checked_icon
from plaudit.kit.schemas import (
    Color,
    InputSchema,
    Key,
    Name,
    OutputSchema,
    StrictId,
    Timestamp,
    not_a_number,
)
from plaudit.limits import MAX_AUDIENCE
from plaudit.periods import Period
from plaudit.rules.model import Requirements

Icon = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(checked_icon)]
"""An icon name of the icon set (see plaudit.kit.icons) or one emoji."""
Description = Annotated[str, StringConstraints(max_length=2000)]
Points = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]
# A timestamp first: a midnight timestamp must not be read as a (whole-day) date.
DateOrInstant = Annotated[
    AwareDatetime | date,
    not_a_number("a date such as 2026-11-18 or an ISO 8601 date-time with an offset"),
]


class EffectiveDates(InputSchema):
    """`from` and `until` take a date (a whole local day: `until` includes that day) or an
    aware timestamp."""

    model_config = ConfigDict(populate_by_name=True)

    from_: DateOrInstant | None = Field(default=None, alias="from")
    until: DateOrInstant | None = None


MAX_PREREQUISITES = 20


class AchievementCreate(InputSchema):
    key: Key
    name: Name
    description: Description | None = None
    category: Category
    points: Points = 0
    icon: Icon | None = None
    background_color: Color | None = None
    text_color: Color | None = None
    show_next_to_name: StrictBool = False
    secret: StrictBool = Field(
        default=False, description="Hidden from members until they earn it (staff see it)."
    )
    prerequisites: list[StrictId] = Field(
        default_factory=list,
        max_length=MAX_PREREQUISITES,
        description="Achievements a member must hold before a rule awards this one.",
    )
    tier_group: Key | None = Field(
        default=None,
        description="Tiers of one goal share a group: the portal shows them as one card, "
        "ordered by points.",
    )
    period: Period = Period.none
    effective: EffectiveDates | None = None
    audience: list[StrictId] = Field(default_factory=list, max_length=MAX_AUDIENCE)
    repeatable: StrictBool = False
    requirements: Requirements = Field(default_factory=list)
    publish_automatically: StrictBool = Field(
        default=False, description="Publish its awards as Open Badges when they are given."
    )


class AchievementUpdate(InputSchema):
    """Every field optional; what is sent replaces what was there."""

    key: Key | None = None
    name: Name | None = None
    description: Description | None = None
    category: Category | None = None
    points: Points | None = None
    icon: Icon | None = None
    background_color: Color | None = None
    text_color: Color | None = None
    show_next_to_name: StrictBool | None = None
    secret: StrictBool | None = None
    prerequisites: list[StrictId] | None = Field(default=None, max_length=MAX_PREREQUISITES)
    tier_group: Key | None = None
    period: Period | None = None
    effective: EffectiveDates | None = None
    audience: list[StrictId] | None = Field(default=None, max_length=MAX_AUDIENCE)
    repeatable: StrictBool | None = None
    requirements: Requirements | None = None
    publish_automatically: StrictBool | None = None


class EffectiveRead(OutputSchema):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: Timestamp | None = Field(default=None, alias="from")
    until: Timestamp | None = None


class Rarity(OutputSchema):
    """The share of the achievement's audience holding it (in the current period)."""

    holders: int
    audience: int
    share: float = Field(description="holders / audience, from 0 to 1 (0 for no audience).")


class AchievementRead(OutputSchema):
    id: int
    key: str
    name: str
    description: str | None
    category: Category
    points: int
    icon: str | None
    background_color: str | None
    text_color: str | None
    show_next_to_name: bool
    secret: bool = False
    prerequisites: list[int] = Field(default_factory=list)
    tier_group: str | None = None
    period: Period
    effective: EffectiveRead
    audience: list[int]
    repeatable: bool
    requirements: list[list[dict[str, Any]]]
    publish_automatically: bool
    active: bool
    version: int
    badge_url: str | None
    background_image_url: str | None = Field(
        description="The tile's background image, shown instead of background_color at "
        "234x160 (scaled to cover); null when there is none."
    )
    created_at: Timestamp
    updated_at: Timestamp
    rarity: Rarity | None = Field(
        default=None,
        description="The share of its audience that holds it (current period for a periodic "
        "achievement); given on lists, single reads and the portal.",
    )


class AchievementVersionRead(OutputSchema):
    version: int
    definition: dict[str, Any]
    created_by: str
    created_at: Timestamp


class QualifierRead(OutputSchema):
    member_id: int
    period: str
    completions: int
    already_awarded: int
    new_awards: int


class PreviewRead(OutputSchema):
    achievement_id: int
    active: bool
    count: int
    new_awards: int
    qualifiers: list[QualifierRead]


def effective_read(start: datetime | None, end: datetime | None) -> EffectiveRead:
    return EffectiveRead(from_=start, until=end)
