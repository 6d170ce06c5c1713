"""Achievement endpoints: definitions, lifecycle, versions, badge and background images."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.orm import Session

from plaudit.achievement import service
from plaudit.achievement.images import Which
from plaudit.achievement.presenter import present_many, present_one
from plaudit.achievement.rarity import rarities
from plaudit.achievement.schemas import (
    AchievementCreate,
    AchievementRead,
    AchievementUpdate,
    AchievementVersionRead,
    PreviewRead,
    QualifierRead,
)
from plaudit.engine.preview import preview
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.models import Achievement

router = APIRouter(tags=["achievements"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]

# Badge files are served with a policy that forbids script even if sanitising missed something.
BADGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


async def raw_body(request: Request) -> bytes:
    """The request body as bytes, read on the event loop so the handler can stay synchronous."""
    return await request.body()


@router.post("/achievements", status_code=status.HTTP_201_CREATED)
def create_achievement(
    body: AchievementCreate, session: SessionDep, actor: Staff, now: NowDep, settings: SettingsDep
) -> AchievementRead:
    achievement = service.create_achievement(
        session, body, actor=actor, now=now, zone=settings.zone
    )
    return _read(session, achievement, now, settings.zone)


@router.get("/achievements", dependencies=[allow(*STAFF)])
def list_achievements(
    session: SessionDep, now: NowDep, settings: SettingsDep, active: bool | None = None
) -> list[AchievementRead]:
    found = service.list_achievements(session, active=active)
    rare = rarities(session, found, now=now, zone=settings.zone)
    return [
        read.model_copy(update={"rarity": rare[read.id]}) for read in present_many(session, found)
    ]


@router.get("/achievements/{achievement_id}", dependencies=[allow(*STAFF)])
def get_achievement(
    achievement_id: PathId, session: SessionDep, now: NowDep, settings: SettingsDep
) -> AchievementRead:
    return _read(session, service.get_achievement(session, achievement_id), now, settings.zone)


@router.patch("/achievements/{achievement_id}")
def update_achievement(
    achievement_id: PathId,
    body: AchievementUpdate,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    achievement = service.update_achievement(
        session, achievement_id, body, actor=actor, now=now, zone=settings.zone
    )
    return _read(session, achievement, now, settings.zone)


@router.delete("/achievements/{achievement_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_achievement(
    achievement_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    reason: str | None = None,
) -> Response:
    service.delete_achievement(session, achievement_id, actor=actor, now=now, reason=reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/achievements/{achievement_id}/activate")
def activate_achievement(
    achievement_id: PathId, session: SessionDep, actor: Staff, now: NowDep, settings: SettingsDep
) -> AchievementRead:
    achievement = service.activate_achievement(
        session, achievement_id, actor=actor, now=now, zone=settings.zone
    )
    return _read(session, achievement, now, settings.zone)


@router.post("/achievements/{achievement_id}/deactivate")
def deactivate_achievement(
    achievement_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    achievement = service.deactivate_achievement(session, achievement_id, actor=actor, now=now)
    return _read(session, achievement, now, settings.zone)


@router.get("/achievements/{achievement_id}/versions", dependencies=[allow(*STAFF)])
def list_versions(achievement_id: PathId, session: SessionDep) -> list[AchievementVersionRead]:
    return [
        AchievementVersionRead.model_validate(v)
        for v in service.list_versions(session, achievement_id)
    ]


IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
Viewer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]
Body = Annotated[bytes, Depends(raw_body)]


def _read(
    session: Session, achievement: Achievement, now: datetime, zone: ZoneInfo
) -> AchievementRead:
    """The answer about one achievement, with its rarity (as every achievement answer has)."""
    rare = rarities(session, [achievement], now=now, zone=zone)
    return present_one(session, achievement).model_copy(update={"rarity": rare[achievement.id]})


def _put_image(
    which: Which,
    achievement_id: int,
    request: Request,
    content: bytes,
    session: SessionDep,
    actor: Principal,
    now: NowDep,
    zone: ZoneInfo,
) -> AchievementRead:
    media_type = request.headers.get("content-type", "")
    achievement = service.set_image(
        session, achievement_id, which, content, media_type, actor=actor, now=now
    )
    return _read(session, achievement, now, zone)


def _serve_image(
    which: Which, achievement_id: int, session: SessionDep, viewer: Principal
) -> Response:
    row = service.image_for_viewer(session, achievement_id, which, viewer.role, viewer.member_id)
    return Response(content=row.content, media_type=row.media_type, headers=BADGE_HEADERS)


@router.put("/achievements/{achievement_id}/badge", openapi_extra=IMAGE_BODY)
def put_badge(
    achievement_id: PathId,
    request: Request,
    content: Body,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    return _put_image("badge", achievement_id, request, content, session, actor, now, settings.zone)


@router.get("/achievements/{achievement_id}/badge", response_class=Response)
def get_badge(achievement_id: PathId, session: SessionDep, viewer: Viewer) -> Response:
    return _serve_image("badge", achievement_id, session, viewer)


@router.delete("/achievements/{achievement_id}/badge")
def delete_badge(
    achievement_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    """Remove the badge image: tiles show the icon again. 404 when there is none."""
    achievement = service.remove_image(session, achievement_id, "badge", actor=actor, now=now)
    return _read(session, achievement, now, settings.zone)


@router.put("/achievements/{achievement_id}/background", openapi_extra=IMAGE_BODY)
def put_background(
    achievement_id: PathId,
    request: Request,
    content: Body,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    """The tile's background image, shown instead of its background colour at 234x160
    (scaled to cover). PNG or SVG, any size, at most 30 MB; the badge's checks otherwise."""
    return _put_image(
        "background", achievement_id, request, content, session, actor, now, settings.zone
    )


@router.get("/achievements/{achievement_id}/background", response_class=Response)
def get_background(achievement_id: PathId, session: SessionDep, viewer: Viewer) -> Response:
    return _serve_image("background", achievement_id, session, viewer)


@router.delete("/achievements/{achievement_id}/background")
def delete_background(
    achievement_id: PathId,
    session: SessionDep,
    actor: Staff,
    now: NowDep,
    settings: SettingsDep,
) -> AchievementRead:
    """Remove the background image: the tile shows its background colour again."""
    achievement = service.remove_image(session, achievement_id, "background", actor=actor, now=now)
    return _read(session, achievement, now, settings.zone)


@router.post("/achievements/{achievement_id}/preview", dependencies=[allow(*STAFF)])
def preview_achievement(
    achievement_id: PathId, session: SessionDep, settings: SettingsDep, now: NowDep
) -> PreviewRead:
    """Who would qualify now, from the records in the window; writes nothing."""
    achievement = service.get_achievement(session, achievement_id)
    qualifiers = preview(session, achievement, now=now, zone=settings.zone)
    members = sorted({q.member_id for q in qualifiers})
    return PreviewRead(
        achievement_id=achievement.id,
        active=achievement.active,
        count=len(members),
        new_awards=sum(q.new_awards for q in qualifiers),
        qualifiers=[
            QualifierRead(
                member_id=q.member_id,
                period=q.period,
                completions=q.completions,
                already_awarded=q.already_awarded,
                new_awards=q.new_awards,
            )
            for q in qualifiers
        ],
    )
