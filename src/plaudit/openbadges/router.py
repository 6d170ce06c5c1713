"""Open Badges routes: the issuer settings and publishing (API, under /api/v1), and the
public Open Badges 2.0 documents and baked images (no token, under /ob/v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse

from plaudit.award.links import public_links
from plaudit.award.presenter import present_award
from plaudit.award.schemas import AwardRead
from plaudit.config import Settings
from plaudit.errors import NotFound
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Principal, Role
from plaudit.models import Achievement, Award
from plaudit.openbadges import hosted, images, publication, v2
from plaudit.openbadges.issuer import Issuer, get_issuer, update_issuer
from plaudit.openbadges.schemas import IssuerRead, IssuerUpdate

router = APIRouter(tags=["open badges"])
# Outside the API (/api/v1) and its OpenAPI document: JSON-LD documents and images for badge
# verifiers, described in docs/openbadges.md.
public_router = APIRouter(prefix="/ob/v2", include_in_schema=False)

Admin = Annotated[Principal, Depends(Allow(Role.admin))]
Publisher = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]
PublicId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
BadgeId = Annotated[str, Path(min_length=1, max_length=30)]


def _issuer_read(issuer: Issuer, settings: Settings) -> IssuerRead:
    return IssuerRead(
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        image=issuer.image,
        description=issuer.description,
        saved=issuer.saved,
        profile_url=v2.Urls(settings.public_url).issuer,
    )


@router.get("/issuer")
def read_issuer(session: SessionDep, settings: SettingsDep, _actor: Admin) -> IssuerRead:
    return _issuer_read(get_issuer(session, settings.public_url), settings)


@router.put("/issuer")
def save_issuer(
    body: IssuerUpdate, session: SessionDep, settings: SettingsDep, actor: Admin, now: NowDep
) -> IssuerRead:
    issuer = update_issuer(session, body, actor=actor, now=now, public_url=settings.public_url)
    return _issuer_read(issuer, settings)


def _published_answer(
    award: Award, public_id: str | None, now: datetime, settings: Settings
) -> AwardRead:
    links = public_links(settings.public_url, public_id) if public_id else None
    return present_award(award, now, links)


@router.post("/awards/{award_id}/publish")
def publish_award(
    award_id: PathId, session: SessionDep, settings: SettingsDep, actor: Publisher, now: NowDep
) -> AwardRead:
    award = publication.publish(session, award_id, actor=actor, now=now)
    row = publication.publication_of(session, award.id)
    return _published_answer(award, row.public_id if row else None, now, settings)


@router.delete("/awards/{award_id}/publish")
def unpublish_award(
    award_id: PathId, session: SessionDep, settings: SettingsDep, actor: Publisher, now: NowDep
) -> AwardRead:
    award = publication.unpublish(session, award_id, actor=actor, now=now)
    return _published_answer(award, None, now, settings)


def _ld(document: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status_code, media_type=v2.MEDIA_TYPE)


@public_router.get("/issuer", response_class=JSONResponse)
def issuer_profile(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The issuer Profile (public)."""
    issuer = get_issuer(session, settings.public_url)
    return _ld(v2.profile(issuer, v2.Urls(settings.public_url)))


def _badge_version(session: SessionDep, badge_id: str) -> tuple[int, int, dict[str, Any]]:
    parsed = v2.parse_badge_id(badge_id)
    if parsed is None:
        raise NotFound(detail="No published badge has this address.", code="badge_not_found")
    achievement_id, version = parsed
    return achievement_id, version, publication.published_version(session, *parsed)


@public_router.get("/badges/{badge_id}", response_class=JSONResponse)
def badge_class(badge_id: BadgeId, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The BadgeClass of one achievement version (public once one award of it is)."""
    achievement_id, version, definition = _badge_version(session, badge_id)
    urls = v2.Urls(settings.public_url)
    return _ld(hosted.badge_class_of(achievement_id, version, definition, urls))


@public_router.get("/badges/{badge_id}/image", response_class=Response)
def badge_image(badge_id: BadgeId, session: SessionDep, settings: SettingsDep) -> Response:
    """The badge's picture (the achievement's badge, or a plain one)."""
    achievement_id, _version, _definition = _badge_version(session, badge_id)
    achievement = session.get(Achievement, achievement_id)
    if achievement is None:  # pragma: no cover - an award holds its achievement (RESTRICT)
        raise NotFound(detail="No published badge has this address.", code="badge_not_found")
    picture = images.badge_picture(
        session, achievement, settings.primary_color, settings.secondary_color
    )
    return Response(picture.content, media_type=picture.media_type)


@public_router.get("/assertions/{public_id}", response_class=JSONResponse)
def assertion(public_id: PublicId, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The hosted Assertion; 410 with {"revoked": true} once the award is revoked."""
    published = publication.find_published(session, public_id)
    urls = v2.Urls(settings.public_url)
    if published.award.revoked:
        return _ld(v2.revoked(public_id, published.award.revoke_reason, urls), 410)
    return _ld(hosted.assertion_of(published, urls))


@public_router.get("/assertions/{public_id}/badge.png", response_class=Response)
def baked_png(public_id: PublicId, session: SessionDep, settings: SettingsDep) -> Response:
    """The badge as a PNG carrying the assertion (an iTXt chunk "openbadges")."""
    published = publication.find_live(session, public_id)
    colours = (settings.primary_color, settings.secondary_color)
    picture = images.badge_picture(session, published.achievement, *colours)
    document = hosted.assertion_of(published, v2.Urls(settings.public_url))
    content = images.baked_png(picture, published.achievement, colours, document)
    return Response(
        content,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="badge-{public_id}.png"'},
    )


@public_router.get("/assertions/{public_id}/badge.svg", response_class=Response)
def baked_svg(public_id: PublicId, session: SessionDep, settings: SettingsDep) -> Response:
    """The badge as an SVG carrying the assertion (<openbadges:assertion>)."""
    published = publication.find_live(session, public_id)
    colours = (settings.primary_color, settings.secondary_color)
    picture = images.badge_picture(session, published.achievement, *colours)
    urls = v2.Urls(settings.public_url)
    document = hosted.assertion_of(published, urls)
    content = images.baked_svg(
        picture, published.achievement, colours, document, urls.assertion(public_id)
    )
    return Response(
        content,
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="badge-{public_id}.svg"'},
    )
