"""Embed pages: a member's portal or a leaderboard, read-only, for a frame on another site.

`/embed/portal?t=TOKEN` and `/embed/leaderboard?t=TOKEN`, where TOKEN is a link made by
POST /api/v1/embeds or the Embed page (plaudit.embed.service). The token is the only
credential: no sign-in, no session cookie (a cross-site frame would not send it anyway), no
forms. Badges are served under `/embed/badges/ID?t=TOKEN`, for the same link. A link that
does not open answers a 403 page in the frame, saying why. Framing by other sites is
allowed by web/headers.py for PLAUDIT_EMBED_ALLOWED_ORIGINS only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from sqlalchemy.orm import Session

from plaudit.achievement import service as achievements
from plaudit.achievement.router import BADGE_HEADERS
from plaudit.config import Settings
from plaudit.embed.schemas import EmbedKind, Grant
from plaudit.embed.service import LEADERBOARD_VIEWER, leaderboard_query, open_embed
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.kit.signing import TokenSigner
from plaudit.leaderboard.board.service import get_board, show_leaderboard
from plaudit.leaderboard.schemas import LeaderboardQuery
from plaudit.leaderboard.service import hide_secret_badges
from plaudit.source.service import list_sources
from plaudit.team.service import get_team
from plaudit.web.forms.leaderboard import (
    CURRENT_TOKENS,
    PERIOD_LABELS,
    WITH_DEFAULTS,
    column_label,
    measure_label,
    measure_options,
)
from plaudit.web.org import Org
from plaudit.web.pages import page_router
from plaudit.web.routes.badges import BadgeLink
from plaudit.web.routes.leaderboard import Board, ranked_rows
from plaudit.web.routes.portal import build_portal

router = page_router()
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def link_token(t: str = "") -> str:
    """The signed link (`?t=`): the only credential of an embed page, which checks it and
    answers a 403 page of its own when it does not open."""
    return t.strip()


LinkToken = Annotated[str, Depends(link_token)]


@dataclass(frozen=True)
class Theme:
    primary: str
    secondary: str
    background: str
    text: str


def theme_of(settings: Settings, org: Org, chosen: dict[str, str]) -> Theme:
    """The link's colours, else the PLAUDIT_EMBED_* settings, else the organisation's."""
    defaults = {
        "primary": settings.embed_primary_color or org.primary,
        "secondary": settings.embed_secondary_color or org.secondary,
        "background": settings.embed_background_color or "#ffffff",
        "text": settings.embed_text_color or "#1d2330",
    }
    picked = {
        name: chosen[name] if _COLOR.match(chosen.get(name, "")) else value
        for name, value in defaults.items()
    }
    return Theme(**picked)


def render_embed(
    request: Request, template: str, *, title: str, theme: Theme, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    """Render without touching the session (no flash, no CSRF token): no cookie is set."""
    env: Environment = request.app.state.web_templates
    org = Org(primary=theme.primary, secondary=theme.secondary)
    html = env.get_template(template).render(title=title, theme=theme, org=org, **ctx)
    return HTMLResponse(html, status_code=status_code)


def _signer(request: Request) -> TokenSigner:
    sign: TokenSigner = request.app.state.embed_signer
    return sign


def _refusal(request: Request, settings: Settings, exc: PlauditError) -> HTMLResponse:
    status = exc.status if exc.status in (403, 404) else 400
    return render_embed(
        request,
        "embed/error.html",
        title=exc.title if exc.status == 403 else "Nothing to show",
        theme=theme_of(settings, request.app.state.web_org, {}),
        status_code=status,
        detail=exc.detail,
    )


def _badge_link(token: str) -> BadgeLink:
    def link(achievement_id: int, version: int) -> str:
        return f"/embed/badges/{achievement_id}?{urlencode({'v': version, 't': token})}"

    return link


@router.get("/embed/portal")
def embed_portal(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep, t: LinkToken
) -> Response:
    try:
        grant = open_embed(_signer(request), t, EmbedKind.portal, now=now, zone=settings.zone)
        assert grant.member_id is not None  # a portal grant always names its member
        content = build_portal(
            session,
            grant.member_id,
            now=now,
            zone=settings.zone,
            badge_link=_badge_link(t),
            background_link=None,  # background images are served to signed-in pages only
        )
    except PlauditError as exc:
        return _refusal(request, settings, exc)
    return render_embed(
        request,
        "embed/portal.html",
        title=f"Achievements of {content.member.name}",
        theme=theme_of(settings, request.app.state.web_org, grant.theme),
        member=content.member,
        points=content.points,
        level=content.level,
        items=content.items,
        awards=content.awards,
        embedded=True,  # no links into the signed-in pages
    )


def _measure_name(session: Session, query: LeaderboardQuery) -> str:
    """What a query without a board ranks by, as the leaderboard page names it."""
    if query.source is None:
        return "Points"
    sources = list_sources(session)
    source = next((s for s in sources if s.key == query.source), None)
    aggregate = query.aggregate.value if query.aggregate is not None else "count"
    tail = f"/{aggregate}" + (f"/{query.field}" if query.field else "")
    defaults = [f.model_dump() for f in query.filters]
    if source is not None and query.where is not None and defaults == source.default_where:
        return measure_label(
            f"{query.source}{WITH_DEFAULTS}{tail}", measure_options(sources), sources
        )
    named = measure_label(f"{query.source}{tail}", measure_options(sources), sources)
    return named + (" (filtered)" if query.where is not None else "")


def leaderboard_of(
    session: Session,
    grant: Grant,
    *,
    now: datetime,
    zone: ZoneInfo,
    badge_link: BadgeLink,
) -> Board:
    """The board a leaderboard grant shows, titled as the leaderboard page titles it."""
    query = leaderboard_query(grant.query)
    shown = show_leaderboard(session, query, viewer=LEADERBOARD_VIEWER, now=now, zone=zone)
    result = hide_secret_badges(shown, set())  # whoever looks has earned nothing secret
    team_id = query.team_id
    if result.board is not None:
        saved = get_board(session, result.board.id)
        named = result.board.name
        measure = column_label(saved.source, saved.aggregate, saved.field)
        if "team_id" not in query.model_fields_set:
            team_id = saved.team_id
    else:
        named = measure = _measure_name(session, query)
    period = PERIOD_LABELS[CURRENT_TOKENS[result.period]]
    team = get_team(session, team_id).name if team_id is not None else None
    title = f"{named} · {period}" + (f" · {team}" if team else "")
    rows = ranked_rows(session, result, badge_link)
    return Board(title=title, measure=measure, period=period, rows=rows, spec="")


@router.get("/embed/leaderboard")
def embed_leaderboard(
    request: Request, session: SessionDep, now: NowDep, settings: SettingsDep, t: LinkToken
) -> Response:
    try:
        grant = open_embed(_signer(request), t, EmbedKind.leaderboard, now=now, zone=settings.zone)
        board = leaderboard_of(
            session, grant, now=now, zone=settings.zone, badge_link=_badge_link(t)
        )
    except PlauditError as exc:
        return _refusal(request, settings, exc)
    return render_embed(
        request,
        "embed/leaderboard.html",
        title=board.title,
        theme=theme_of(settings, request.app.state.web_org, grant.theme),
        board=board,
    )


@router.get("/embed/badges/{achievement_id}")
def embed_badge(
    achievement_id: int,
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    t: LinkToken,
) -> Response:
    """A badge shown by an embed page: of an achievement in the portal member's audience,
    or (either kind of link) one shown next to names on leaderboards."""
    try:
        grant = open_embed(_signer(request), t, None, now=now, zone=settings.zone)
        member_id = grant.member_id if grant.kind == EmbedKind.portal else None
        row = achievements.badge_for_viewer(session, achievement_id, Role.member, member_id)
    except PlauditError as exc:
        return Response(status_code=exc.status if exc.status in (403, 404) else 400)
    return Response(content=row.content, media_type=row.media_type, headers=BADGE_HEADERS)
