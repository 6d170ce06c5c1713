"""POST /embeds: a signed, expiring link that shows a member's portal or a leaderboard in a
frame on another site."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from plaudit.embed.schemas import EmbedCreate, EmbedRead
from plaudit.embed.service import issue_embed
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.kit.signing import TokenSigner

router = APIRouter(tags=["embeds"])
Issuer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]


def embed_signer(request: Request) -> TokenSigner:
    """The signer of embed links, made once per application (create_app)."""
    sign: TokenSigner = request.app.state.embed_signer
    return sign


@router.post("/embeds", status_code=status.HTTP_201_CREATED)
def create_embed(
    body: EmbedCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    actor: Issuer,
) -> EmbedRead:
    """A link to put in an iframe's `src` on one of PLAUDIT_EMBED_ALLOWED_ORIGINS (409
    `embedding_off` when none is set). Admins and managers embed any member's portal or any
    leaderboard; a member token only its own member's portal."""
    issued, token = issue_embed(
        session,
        body,
        actor=actor,
        sign=embed_signer(request),
        origins=settings.embed_origins,
        max_seconds=settings.embed_max_seconds,
        now=now,
        zone=settings.zone,
    )
    url = f"{str(request.base_url).rstrip('/')}{issued.path}?t={token}"
    return EmbedRead(kind=issued.kind, url=url, expires_at=issued.expires_at)
