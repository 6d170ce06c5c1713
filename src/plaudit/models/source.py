"""Source: a kind of record with typed fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType
from plaudit.domain.labels import labels_of
from plaudit.models._columns import created_at_column
from plaudit.rules.model import FieldType


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    default_where: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    """Filters a new rule over this source starts with in the rule builder (the seed's "Status
    defaults to Approved" of deals); a starting point only, never applied to a rule silently."""
    created_at: Mapped[datetime] = created_at_column()

    def field_types(self) -> dict[str, FieldType]:
        return {f["name"]: FieldType(f["type"]) for f in self.fields}

    def field_labels(self) -> dict[str, str]:
        """Field name -> display label (its own, or one derived from the name)."""
        return labels_of(self.fields)
