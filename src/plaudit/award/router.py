"""Award endpoints: give to a member, list with filters, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status

from plaudit.award import service
from plaudit.award.presenter import present_award
from plaudit.award.schemas import AwardGive, AwardListQuery, AwardRead, AwardRevoke
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.http.path_params import PathId
from plaudit.kit.roles import STAFF, Principal

router = APIRouter(tags=["awards"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]


@router.post("/members/{member_id}/awards", status_code=status.HTTP_201_CREATED)
def give_award(
    member_id: PathId,
    body: AwardGive,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AwardRead:
    award = service.give_award(
        session,
        member_id,
        body.achievement_id,
        at=body.at,
        actor=actor,
        now=now,
        zone=settings.zone,
        reason=body.reason,
    )
    return present_award(award, now)


@router.get("/awards")
def list_awards(
    session: SessionDep,
    now: NowDep,
    _actor: Staff,
    q: Annotated[AwardListQuery, Query()],
) -> list[AwardRead]:
    return [
        present_award(a, now)
        for a in service.list_awards(session, q, now=now, limit=q.limit, offset=q.offset)
    ]


@router.get("/awards/{award_id}")
def get_award(award_id: PathId, session: SessionDep, now: NowDep, _actor: Staff) -> AwardRead:
    return present_award(service.get_award(session, award_id), now)


@router.delete("/awards/{award_id}")
def revoke_award(
    award_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    body: Annotated[AwardRevoke | None, Body()] = None,
) -> AwardRead:
    given = reason or (body.reason if body else None)
    award = service.revoke_award(session, award_id, actor=actor, now=now, reason=given)
    return present_award(award, now)
