"""Roles and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    ingest = "ingest"
    member = "member"


STAFF = (Role.admin, Role.manager)


@dataclass(frozen=True)
class Principal:
    """Who is acting: the name recorded in the audit log, the role, and the bound member."""

    name: str
    role: Role
    member_id: int | None = None
    token_id: int | None = None
    user_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


SYSTEM = Principal(name="system", role=Role.admin)
