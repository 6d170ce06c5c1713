"""TV playlist request and response shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from plaudit.kit.schemas import InputSchema, Name, OutputSchema, StrictId, Timestamp

MIN_SECONDS = 5
MAX_SECONDS = 3600
DEFAULT_SECONDS = 20
MAX_ITEMS = 50

Seconds = Annotated[StrictInt, Field(ge=MIN_SECONDS, le=MAX_SECONDS)]


class PlaylistItem(InputSchema):
    """One board of the playlist and how long it stays on the screen."""

    board_id: StrictId = Field(description="A saved board (GET /leaderboard/boards).")
    seconds: Seconds = Field(
        default=DEFAULT_SECONDS,
        description=f"How long the board shows, {MIN_SECONDS} to {MAX_SECONDS} seconds.",
    )


ITEMS_DESCRIPTION = (
    "The boards in the order they show; a board may appear more than once. The playlist's TV "
    "link shows unpublished boards too; members signed in see its published boards only."
)


class PlaylistCreate(InputSchema):
    name: Name
    items: list[PlaylistItem] = Field(
        default_factory=list, max_length=MAX_ITEMS, description=ITEMS_DESCRIPTION
    )


def _without_null(schema: dict[str, Any]) -> None:
    """Drop the `null` branch a nullable field's schema gets (the field refuses null)."""
    branches = schema.pop("anyOf", None)
    if branches is None:
        return
    kept = [branch for branch in branches if branch.get("type") != "null"]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


class PlaylistUpdate(InputSchema):
    """Only the fields sent change; `items` is replaced as a whole."""

    # Left out means "keep", but null is refused (below), so the document does not offer null.
    name: Name | SkipJsonSchema[None] = None
    items: Annotated[list[PlaylistItem], Field(max_length=MAX_ITEMS)] | None = Field(
        default=None, description=ITEMS_DESCRIPTION, json_schema_extra=_without_null
    )

    @field_validator("name", "items")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"'{info.field_name}' cannot be null; leave it out to keep it")
        return value


class PlaylistItemRead(OutputSchema):
    board_id: int
    board_name: str
    published: bool = Field(description="Whether members see the board outside playlists.")
    seconds: int


class PlaylistRead(OutputSchema):
    id: int
    name: str
    items: list[PlaylistItemRead]
    tv_path: str = Field(description="The TV page of the playlist, for signed-in viewers.")
    has_link: bool = Field(description="Whether a TV link (POST .../link) is valid now.")
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp


class PlaylistLink(OutputSchema):
    tv_path: str = Field(
        description="The TV page with its key: opens without signing in until the link is "
        "replaced or revoked. Shown only once; Plaudit keeps only a hash of the key."
    )
    key: str
