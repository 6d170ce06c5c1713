"""Open Badges 3.0 over HTTP: the public DID document, signed credentials and status lists
(no token), and the admin's key rotation under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from plaudit.audit.service import record_event
from plaudit.config import Settings
from plaudit.errors import NotFound
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.openbadges import baking, credentials, images, keys
from plaudit.openbadges.credentials import Urls
from plaudit.openbadges.images import Picture
from plaudit.openbadges.issuer import get_issuer
from plaudit.openbadges.publication import Published, find_live, find_published

VC_MEDIA_TYPE = "application/vc+ld+json"
DID_MEDIA_TYPE = "application/did+ld+json"

public_router = APIRouter(tags=["open badges (public)"], include_in_schema=False)
router = APIRouter(tags=["open badges"])
Admin = Annotated[Principal, Depends(Allow(Role.admin))]
PublicId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ListId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _urls(settings: Settings) -> Urls:
    return Urls(settings.public_url)


def _json(document: dict[str, Any], media_type: str) -> JSONResponse:
    return JSONResponse(document, media_type=media_type)


@public_router.get("/.well-known/did.json")
def did_document(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """The issuer's did:web document: every signing key, the retired ones too, so that every
    credential ever issued still verifies."""
    return _json(credentials.did_document(session, _urls(settings)), DID_MEDIA_TYPE)


@public_router.get("/ob/v3/credentials/{public_id}")
def credential(
    public_id: PublicId, session: SessionDep, settings: SettingsDep, now: NowDep
) -> JSONResponse:
    """A published award's signed OpenBadgeCredential; 404 when nothing is published there.
    A revoked award's credential is still served: its status list says it is revoked."""
    published = find_published(session, public_id)
    return _json(_signed(session, settings, published, now), VC_MEDIA_TYPE)


def _signed(
    session: SessionDep, settings: Settings, published: Published, now: datetime
) -> dict[str, Any]:
    return credentials.credential_of(
        session,
        published,
        issuer=get_issuer(session, settings.public_url),
        urls=_urls(settings),
        keyring=settings.keyring(),
        now=now,
    )


def _baked(
    public_id: str, session: SessionDep, settings: Settings, now: datetime
) -> tuple[Published, Picture, tuple[str, str], dict[str, Any]]:
    """What a baked 3.0 image is made of; a revoked award has none (as in 2.0)."""
    published = find_live(session, public_id)
    colours = (settings.primary_color, settings.secondary_color)
    picture = images.badge_picture(session, published.achievement, *colours)
    return published, picture, colours, _signed(session, settings, published, now)


def _download(content: bytes, media_type: str, public_id: str, extension: str) -> Response:
    disposition = f'attachment; filename="badge-{public_id}-ob3.{extension}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@public_router.get("/ob/v3/credentials/{public_id}/badge.png", response_class=Response)
def baked_png(
    public_id: PublicId, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The badge as a PNG carrying the signed credential (an iTXt chunk
    "openbadgecredential")."""
    published, picture, colours, signed = _baked(public_id, session, settings, now)
    content = images.baked_png(
        picture, published.achievement, colours, signed, keyword=baking.V3_KEYWORD
    )
    return _download(content, "image/png", public_id, "png")


@public_router.get("/ob/v3/credentials/{public_id}/badge.svg", response_class=Response)
def baked_svg(
    public_id: PublicId, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The badge as an SVG carrying the signed credential (<openbadges:credential>)."""
    published, picture, colours, signed = _baked(public_id, session, settings, now)
    content = images.baked_svg_credential(picture, published.achievement, colours, signed)
    return _download(content, "image/svg+xml", public_id, "svg")


@public_router.get("/ob/v3/status/{list_id}")
def status_list(
    list_id: ListId, session: SessionDep, settings: SettingsDep, now: NowDep
) -> JSONResponse:
    """A signed BitstringStatusListCredential: bit i is 1 when the award with
    statusListIndex i in this list is revoked."""
    document = credentials.status_list_credential(
        session, list_id, urls=_urls(settings), keyring=settings.keyring(), now=now
    )
    if document is None:
        raise NotFound(detail=f"No status list {list_id}.")
    return _json(document, VC_MEDIA_TYPE)


class IssuerKeyRead(BaseModel):
    id: int
    public_key_multibase: str
    verification_method: str
    created_at: datetime


@router.post("/issuer/keys/rotate")
def rotate_issuer_key(
    session: SessionDep, settings: SettingsDep, now: NowDep, actor: Admin
) -> IssuerKeyRead:
    """Make a new signing key active; the old ones stay in the DID document."""
    urls = _urls(settings)
    key = keys.rotate_key(session, settings.keyring(), now)
    record_event(session, actor, "issuer_key.rotate", "issuer_key", key.id, at=now)
    return IssuerKeyRead(
        id=key.id,
        public_key_multibase=key.public_key_multibase,
        verification_method=credentials.verification_method(urls, key),
        created_at=now,
    )
