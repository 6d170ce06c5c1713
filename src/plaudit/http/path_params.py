"""Path parameters shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from plaudit.kit.schemas import MAX_ID, WHOLE_NUMBER_TEXT

PathId = Annotated[int, Path(ge=1, le=MAX_ID), WHOLE_NUMBER_TEXT]
"""An id in a path: a whole number from 1 to the largest id a database stores, so that
`/teams/0` or `/teams/99999999999999999999` is a 422 naming the parameter (and the OpenAPI
document says `minimum: 1`), never a lookup the database cannot make."""
