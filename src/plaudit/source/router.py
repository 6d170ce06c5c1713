"""Source endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from plaudit.http.deps import SessionDep, allow
from plaudit.kit.roles import Role
from plaudit.kit.schemas import WHOLE_NUMBER_TEXT
from plaudit.source import service
from plaudit.source.schemas import (
    FieldValuesRead,
    SourceCreate,
    SourceFieldsAdd,
    SourceRead,
    SourceUpdate,
)
from plaudit.source.values import MAX_LIMIT, field_values

router = APIRouter(tags=["sources"])


@router.post("/sources", status_code=status.HTTP_201_CREATED, dependencies=[allow(Role.admin)])
def create_source(body: SourceCreate, session: SessionDep) -> SourceRead:
    return SourceRead.model_validate(service.create_source(session, body))


@router.get("/sources", dependencies=[allow(Role.admin, Role.manager)])
def list_sources(session: SessionDep) -> list[SourceRead]:
    return [SourceRead.model_validate(s) for s in service.list_sources(session)]


@router.get("/sources/{key}", dependencies=[allow(Role.admin, Role.manager)])
def get_source(key: str, session: SessionDep) -> SourceRead:
    return SourceRead.model_validate(service.get_source(session, key))


@router.get("/sources/{key}/values", dependencies=[allow(Role.admin, Role.manager)])
def list_field_values(
    key: str,
    field: Annotated[str, Query(min_length=1, max_length=100)],
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT), WHOLE_NUMBER_TEXT] = 50,
) -> FieldValuesRead:
    """The values `field` takes in the source's newest records, most frequent first: what a
    filter on it could compare with."""
    return FieldValuesRead.model_validate(field_values(session, key, field, limit))


@router.patch("/sources/{key}", dependencies=[allow(Role.admin)])
def update_source(key: str, body: SourceUpdate, session: SessionDep) -> SourceRead:
    """Rename a source or change the filters new rules over it start with."""
    return SourceRead.model_validate(service.update_source(session, key, body))


@router.post("/sources/{key}/fields", dependencies=[allow(Role.admin)])
def add_source_fields(key: str, body: SourceFieldsAdd, session: SessionDep) -> SourceRead:
    return SourceRead.model_validate(service.add_fields(session, key, body))
