"""The icon set, searched, as JSON for the achievement form's icon picker: names and their
inline SVG, for a signed-in admin or manager."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from plaudit.kit.icons import search_icons
from plaudit.web.access import StaffUser
from plaudit.web.icons import icon_svg
from plaudit.web.pages import page_router

ICONS_URL = "/admin/icons"
MAX_ICONS = 240

router = page_router()


@router.get(ICONS_URL)
def icons(
    _user: StaffUser,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_ICONS)] = 120,
) -> JSONResponse:
    """`{"total": n, "icons": [{"name", "svg"}]}`: the first `limit` of the `total` icons
    matching `q` (the exact name first, then names starting with it, then containing it)."""
    found = search_icons(q)
    shown = [{"name": name, "svg": str(icon_svg(name))} for name in found[:limit]]
    return JSONResponse({"total": len(found), "icons": shown})
