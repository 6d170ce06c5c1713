"""GET /audit: the audit log, newest first (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plaudit.audit import service
from plaudit.audit.schemas import AuditEventRead
from plaudit.http.deps import SessionDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Role
from plaudit.kit.schemas import WHOLE_NUMBER_TEXT

router = APIRouter(tags=["audit"])


@router.get("/audit", dependencies=[allow(Role.admin)])
def list_audit_events(
    session: SessionDep,
    entity_type: str | None = None,
    entity_id: PathId | None = None,
    action: str | None = None,
    before_id: PathId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000), WHOLE_NUMBER_TEXT] = 100,
) -> list[AuditEventRead]:
    events = service.list_events(
        session,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        limit=limit,
        before_id=before_id,
    )
    return [AuditEventRead.model_validate(e) for e in events]
