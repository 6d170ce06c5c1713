"""Creating and finding sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.generation import bump_generation, cached_per_generation
from plaudit.errors import Conflict, FieldError, InvalidInput, invalid_fields, not_found
from plaudit.models import Source
from plaudit.rules.model import FieldType, Filter
from plaudit.rules.validation import validate_filters
from plaudit.source.schemas import SourceCreate, SourceFieldsAdd, SourceUpdate


def get_source(session: Session, key: str) -> Source:
    source = session.scalars(select(Source).where(Source.key == key)).first()
    if source is None:
        raise not_found("source", key)
    return source


@dataclass(frozen=True)
class SourceSchema:
    """What ingesting needs of a source: its id, key and typed fields."""

    id: int
    key: str
    fields: dict[str, FieldType]


def source_schema(session: Session, key: str) -> SourceSchema:
    """The source's schema, read once per engine generation (records arrive far more often
    than sources change; creating a source or adding fields renews the generation)."""

    def load() -> SourceSchema:
        source = get_source(session, key)
        return SourceSchema(source.id, source.key, source.field_types())

    return cached_per_generation(session, f"source-schema:{key}", load)


def create_source(session: Session, data: SourceCreate) -> Source:
    if session.scalars(select(Source.id).where(Source.key == data.key)).first() is not None:
        raise Conflict(
            detail=f"A source with key {data.key!r} already exists.",
            field="key",
            code="duplicate_key",
        )
    fields = {f.name: f.type for f in data.fields}
    source = Source(
        key=data.key,
        name=data.name,
        fields=[f.stored() for f in data.fields],
        default_where=_checked_default_where(data.key, fields, data.default_where),
    )
    session.add(source)
    session.flush()
    bump_generation(session)
    return source


def add_fields(session: Session, key: str, data: SourceFieldsAdd) -> Source:
    source = get_source(session, key)
    existing = source.field_types()
    clashes = [f.name for f in data.fields if f.name in existing]
    if clashes:
        raise InvalidInput(detail=f"Source {key!r} already has fields {clashes}.", field="fields")
    source.fields = [*source.fields, *(f.stored() for f in data.fields)]
    bump_generation(session)
    session.flush()
    return source


def update_source(session: Session, key: str, data: SourceUpdate) -> Source:
    source = get_source(session, key)
    if data.name is not None:
        source.name = data.name
    if data.default_where is not None:
        source.default_where = _checked_default_where(key, source.field_types(), data.default_where)
    session.flush()
    return source


def _checked_default_where(
    key: str, fields: dict[str, FieldType], where: list[Filter]
) -> list[dict[str, Any]]:
    """The default filters as stored, after checking them against the source's fields as a
    rule's filters are checked; raises InvalidInput naming every bad filter."""
    problems = [
        FieldError(("default_where", *p.loc), p.message)
        for p in validate_filters(where, key, fields)
    ]
    if problems:
        raise invalid_fields(problems)
    return [f.model_dump(mode="json") for f in where]


def list_sources(session: Session) -> Sequence[Source]:
    return session.scalars(select(Source).order_by(Source.id)).all()
