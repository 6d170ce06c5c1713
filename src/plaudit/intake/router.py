"""GET /intake/dead-letters and POST /intake/dead-letters/{id}/retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.intake import service
from plaudit.intake.schemas import DeadLetterRead, RetryResult
from plaudit.kit.roles import STAFF, Principal
from plaudit.kit.schemas import WHOLE_NUMBER_TEXT

router = APIRouter(tags=["intake"])
STAFF_ONLY = Allow(*STAFF)


@router.get("/intake/dead-letters", dependencies=[allow(*STAFF)])
def list_dead_letters(
    session: SessionDep,
    resolved: bool | None = None,
    source: str | None = None,
    before_id: PathId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000), WHOLE_NUMBER_TEXT] = 100,
) -> list[DeadLetterRead]:
    """The messages from the stream that could not apply, newest first."""
    letters = service.list_dead_letters(
        session, resolved=resolved, source=source, limit=limit, before_id=before_id
    )
    return [DeadLetterRead.model_validate(d) for d in letters]


@router.post("/intake/dead-letters/{letter_id}/retry")
def retry_dead_letter(
    letter_id: PathId,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    actor: Annotated[Principal, Depends(STAFF_ONLY)],
) -> RetryResult:
    """Apply the dead letter's records now (after the member, source or field was fixed):
    200 and resolved, or 422 with the problem and nothing written."""
    outcome = service.retry_dead_letter(
        session, letter_id, actor=actor, now=now, zone=settings.zone
    )
    return RetryResult(
        id=letter_id,
        resolved=True,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        award_ids=outcome.award_ids,
    )
