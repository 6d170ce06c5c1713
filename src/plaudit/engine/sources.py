"""The typed fields of sources, as rule validation and the engine want them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.models import Source
from plaudit.rules.model import FieldType


def field_types_by_source(
    session: Session, keys: Iterable[str] | None = None
) -> dict[str, dict[str, FieldType]]:
    """The typed fields of every source (or of `keys`), as rule validation wants them."""
    query = select(Source)
    if keys is not None:
        query = query.where(Source.key.in_(list(keys)))
    return {s.key: s.field_types() for s in session.scalars(query)}
