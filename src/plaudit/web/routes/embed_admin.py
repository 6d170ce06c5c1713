"""The Embed page (admins and managers): make a link that shows a member's achievements or
a leaderboard in a frame on another site, and copy the `<iframe>` snippet. The same service
as POST /api/v1/embeds."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.config import Settings
from plaudit.embed.schemas import EmbedCreate, EmbedKind
from plaudit.embed.service import issue_embed
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.member.service import list_members
from plaudit.team.service import list_teams
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import FieldErrors, errors_from_exception, form_data
from plaudit.web.forms.embed import (
    CURRENT_PERIODS,
    LIFETIMES,
    EmbedValues,
    embed_body,
    read_form,
)
from plaudit.web.forms.people import parse_schema
from plaudit.web.pages import page_router, render
from plaudit.web.routes.embed import theme_of
from plaudit.web.routes.leaderboard import viewer_measures

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/embeds"
LABELS = {
    "kind": "What to embed",
    "member_id": "Member",
    "measure": "Leaderboard",
    "period": "Period",
    "team": "Team",
    "expires_in": "Link works for",
    "theme": "Colours",
}


def _defaults(request: Request, settings: Settings) -> dict[str, str]:
    theme = theme_of(settings, request.app.state.web_org, {})
    return {
        "primary": theme.primary,
        "secondary": theme.secondary,
        "background": theme.background,
        "text": theme.text,
    }


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    user: StaffUser,
    *,
    values: EmbedValues,
    errors: FieldErrors,
    status_code: int = 200,
    issued: dict[str, Any] | None = None,
) -> Response:
    defaults = _defaults(request, settings)
    values.theme = {k: values.theme.get(k) or v for k, v in defaults.items()}
    team_options = [(str(t.id), t.name) for t in list_teams(session)]
    lifetimes = [(str(s), label) for s, label in LIFETIMES if s <= settings.embed_max_seconds]
    return render(
        request,
        "admin/embeds/page.html",
        title="Embed in another site",
        status_code=status_code,
        values=values,
        errors=errors,
        labels=LABELS,
        origins=settings.embed_origins,
        members=[(str(m.id), m.name) for m in list_members(session)],
        measures=viewer_measures(session, user.principal),
        periods=[("", "The board's own, or this month"), *CURRENT_PERIODS],
        teams=[("", "The board's own, or all teams"), *team_options],
        lifetimes=lifetimes,
        issued=issued,
    )


@router.get(BASE)
def embed_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffUser,
    kind: str = "",
    member_id: str = "",
    measure: str = "",
) -> Response:
    """The form; `kind`, `member_id` and `measure` choose what it starts with (the portal and
    leaderboard pages link here)."""
    values = EmbedValues(
        kind=kind if kind in {k.value for k in EmbedKind} else EmbedKind.portal.value,
        member_id=member_id,
        measure=measure or "points",
    )
    return _page(request, session, settings, user, values=values, errors={})


@router.post(BASE)
def make_embed(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffUser,
    form: Form,
    now: NowDep,
) -> Response:
    values = read_form(form)
    body, errors = embed_body(session, values, _defaults(request, settings))
    data = None
    if not errors:
        data, errors = parse_schema(EmbedCreate, body, model_field="kind")
    if data is None or errors:
        return _page(
            request, session, settings, user, values=values, errors=errors, status_code=400
        )
    try:
        issued, token = issue_embed(
            session,
            data,
            actor=user.principal,
            sign=request.app.state.embed_signer,
            origins=settings.embed_origins,
            max_seconds=settings.embed_max_seconds,
            now=now,
            zone=settings.zone,
        )
    except PlauditError as exc:
        session.rollback()
        errors = {_form_field(k): v for k, v in errors_from_exception(exc).items()}
        return _page(
            request, session, settings, user, values=values, errors=errors, status_code=400
        )
    url = f"{str(request.base_url).rstrip('/')}{issued.path}?t={token}"
    title = _frame_title(session, data)
    shown = {
        "url": url,
        "expires_at": issued.expires_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        "zone": settings.zone.key,
        "path": f"{issued.path}?t={token}",
        "snippet": (
            f'<iframe src="{escape(url, quote=True)}" title="{escape(title, quote=True)}" '
            f'width="100%" height="{_height(data)}" style="border:0" loading="lazy"></iframe>'
        ),
    }
    return _page(request, session, settings, user, values=values, errors={}, issued=shown)


def _form_field(key: str) -> str:
    """A service error's field (`body.member_id`, `body.board_id`) as the form's field."""
    name = key.removeprefix("body.")
    if name in {"board_id", "source", "aggregate", "field", "where"}:
        return "measure"
    if name == "team_id":
        return "team"
    return name.split(".")[0]


def _frame_title(session: Session, data: EmbedCreate) -> str:
    """The iframe's title (read by screen readers): what the frame shows."""
    if data.kind == EmbedKind.portal and data.member_id is not None:
        names = {m.id: m.name for m in list_members(session)}
        return f"Achievements of {names.get(data.member_id, 'a member')}"
    return "Leaderboard"


def _height(data: EmbedCreate) -> int:
    return 720 if data.kind == EmbedKind.portal else 560
