"""Award endpoints: give to a member, list with filters, revoke."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status
from sqlalchemy.orm import Session

from plaudit.award import service
from plaudit.award.links import public_links
from plaudit.award.presenter import present_award
from plaudit.award.schemas import AwardGive, AwardListQuery, AwardRead, AwardRevoke
from plaudit.config import Settings
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.http.path_params import PathId
from plaudit.kit.roles import STAFF, Principal
from plaudit.models import Award

router = APIRouter(tags=["awards"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]


def present_all(
    session: Session, awards: Sequence[Award], now: datetime, settings: Settings
) -> list[AwardRead]:
    """The awards as answered, with their public URLs while they are published."""
    published = service.public_ids(session, [a.id for a in awards])
    return [
        present_award(
            a,
            now,
            public_links(settings.public_url, published[a.id]) if a.id in published else None,
        )
        for a in awards
    ]


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
    return present_all(session, [award], now, settings)[0]


@router.get("/awards")
def list_awards(
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    _actor: Staff,
    q: Annotated[AwardListQuery, Query()],
) -> list[AwardRead]:
    awards = service.list_awards(session, q, now=now, limit=q.limit, offset=q.offset)
    return present_all(session, awards, now, settings)


@router.get("/awards/{award_id}")
def get_award(
    award_id: PathId, session: SessionDep, now: NowDep, settings: SettingsDep, _actor: Staff
) -> AwardRead:
    return present_all(session, [service.get_award(session, award_id)], now, settings)[0]


@router.delete("/awards/{award_id}")
def revoke_award(
    award_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    body: Annotated[AwardRevoke | None, Body()] = None,
) -> AwardRead:
    given = reason or (body.reason if body else None)
    award = service.revoke_award(session, award_id, actor=actor, now=now, reason=given)
    return present_all(session, [award], now, settings)[0]
