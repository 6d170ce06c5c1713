"""The values a source's text field holds, as JSON for the rule builder's suggestions: the
answer of the API's `GET /sources/{key}/values`, for a signed-in admin or manager."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from plaudit.http.deps import SessionDep
from plaudit.source.schemas import FieldValuesRead
from plaudit.source.values import field_values
from plaudit.web.access import StaffUser
from plaudit.web.forms.rule_builder import VALUES_URL
from plaudit.web.pages import page_router

router = page_router()


@router.get(VALUES_URL)
def source_values(
    key: str,
    field: Annotated[str, Query(min_length=1, max_length=100)],
    _user: StaffUser,
    session: SessionDep,
) -> JSONResponse:
    answer = FieldValuesRead.model_validate(field_values(session, key, field))
    return JSONResponse(answer.model_dump(mode="json"))
