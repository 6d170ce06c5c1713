"""Issuing embed links and opening them.

A link is `/embed/portal?t=TOKEN` or `/embed/leaderboard?t=TOKEN`, where TOKEN is a Grant
signed with the process's secret key (kit.signing): it names the one member or the one
leaderboard it shows, its colours and when it stops working, so nothing is stored and a
link cannot be widened without breaking its signature. Links are not revoked one by one:
they expire, and changing PLAUDIT_SECRET_KEY ends them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.embed.schemas import EmbedCreate, EmbedKind, Grant
from plaudit.errors import Conflict, FieldError, Forbidden, PlauditError, invalid_fields
from plaudit.kit.roles import Principal, Role
from plaudit.kit.schemas import error_message
from plaudit.kit.signing import TokenSigner
from plaudit.leaderboard.board.service import show_leaderboard
from plaudit.leaderboard.schemas import LeaderboardQuery
from plaudit.member.service import get_member
from plaudit.team.service import get_team

SALT = "plaudit.embed.v1"
PATHS = {EmbedKind.portal: "/embed/portal", EmbedKind.leaderboard: "/embed/leaderboard"}
QUERY_FIELDS = ("board_id", "period", "team_id", "source", "aggregate", "field", "where")
LEADERBOARD_VIEWER = Principal(name="embed link", role=Role.manager)
"""Who a leaderboard link reads its board as: an admin or manager chose the board when they
made the link (so it may be unpublished or a source's measure), and the link shows only it."""
EMBEDDING_OFF = (
    "Embedding is off on this server: no site may frame Plaudit's pages. Set "
    "PLAUDIT_EMBED_ALLOWED_ORIGINS to the sites that may (e.g. https://portal.example.com) "
    "and restart."
)


@dataclass
class EmbedLinkRefused(PlauditError):
    """An embed link that does not open: altered, made with another key, or expired."""

    status: int = 403
    code: str = "embed_link_invalid"
    title: str = "Embed link not valid"


def signer(secret: str) -> TokenSigner:
    return TokenSigner(secret, SALT)


@dataclass(frozen=True)
class IssuedEmbed:
    kind: EmbedKind
    path: str
    expires_at: datetime


def _member_of(body: EmbedCreate, actor: Principal) -> int:
    """Whose portal: the one asked for; a member's own (and only their own)."""
    if body.kind != EmbedKind.portal:
        raise Forbidden(detail="A member may embed only their own portal, not a leaderboard.")
    if actor.member_id is None:
        raise Forbidden(detail="This token is not linked to a member, so there is no portal.")
    if body.member_id is not None and body.member_id != actor.member_id:
        raise Forbidden(detail="A member may embed only their own portal, not another member's.")
    return actor.member_id


def _not_for(kind: EmbedKind, body: EmbedCreate, names: tuple[str, ...]) -> None:
    given = [n for n in names if getattr(body, n) is not None]
    if given:
        raise invalid_fields(
            [
                FieldError(loc=("body", n), message=f"does not apply to a {kind.value} embed")
                for n in given
            ]
        )


def leaderboard_query(values: dict[str, Any]) -> LeaderboardQuery:
    """The GET /leaderboard query of a grant's (or a request's) leaderboard values."""
    renamed = {("board" if k == "board_id" else k): v for k, v in values.items()}
    return LeaderboardQuery.model_validate(renamed)


def _body_loc(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """A LeaderboardQuery error's place, named as in the request body (`board` is
    `board_id` there)."""
    if loc and loc[0] == "board":
        return ("board_id", *loc[1:])
    return loc


def _checked_query(
    session: Session, body: EmbedCreate, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """The leaderboard values, once shown to be a leaderboard that exists (board, team,
    source and field): a link that could only ever show an error is not made."""
    values = {n: getattr(body, n) for n in QUERY_FIELDS if getattr(body, n) is not None}
    try:
        query = leaderboard_query(values)
    except ValidationError as exc:
        raise invalid_fields(
            [
                FieldError(loc=("body", *_body_loc(e["loc"])), message=error_message(e))
                for e in exc.errors()
            ]
        ) from exc
    if body.team_id is not None:
        get_team(session, body.team_id)
    checked = query.model_copy(update={"limit": 1})
    show_leaderboard(session, checked, viewer=LEADERBOARD_VIEWER, now=now, zone=zone)
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def issue_embed(
    session: Session,
    body: EmbedCreate,
    *,
    actor: Principal,
    sign: TokenSigner,
    origins: tuple[str, ...],
    max_seconds: int,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[IssuedEmbed, str]:
    """A new link for `body`, if `actor` may make it: (what was issued, its signed token).
    Admins and managers embed any portal or leaderboard; a member only their own portal."""
    if not origins:
        raise Conflict(detail=EMBEDDING_OFF, code="embedding_off")
    if body.expires_in > max_seconds:
        raise invalid_fields(
            [
                FieldError(
                    loc=("body", "expires_in"),
                    message=f"must be at most {max_seconds} seconds "
                    f"({max_seconds // 86400} days, PLAUDIT_EMBED_MAX_SECONDS), "
                    f"not {body.expires_in}",
                )
            ]
        )
    expires_at = (now + timedelta(seconds=body.expires_in)).replace(microsecond=0)
    theme = body.theme.model_dump(exclude_none=True) if body.theme else {}
    if body.kind == EmbedKind.portal:
        _not_for(body.kind, body, QUERY_FIELDS)
        member_id = body.member_id if actor.is_staff else _member_of(body, actor)
        if member_id is None:
            raise invalid_fields(
                [FieldError(loc=("body", "member_id"), message="say whose portal to embed")]
            )
        member = get_member(session, member_id)
        grant = Grant(kind=body.kind, member_id=member.id, theme=theme, exp=_epoch(expires_at))
        entity: tuple[str, int | None] = ("member", member.id)
    else:
        if not actor.is_staff:
            _member_of(body, actor)  # refuses: members embed portals only
        _not_for(body.kind, body, ("member_id",))
        query = _checked_query(session, body, now, zone)
        grant = Grant(kind=body.kind, query=query, theme=theme, exp=_epoch(expires_at))
        entity = ("board", body.board_id)
    record_event(
        session,
        actor,
        "embed.issue",
        entity[0],
        entity[1],
        at=now,
        details={"kind": body.kind.value, "expires_at": expires_at.isoformat(), **grant.query},
    )
    token = sign.sign(grant.model_dump(mode="json", exclude_defaults=True))
    return IssuedEmbed(body.kind, PATHS[body.kind], expires_at), token


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def open_embed(
    sign: TokenSigner, token: str, kind: EmbedKind | None, *, now: datetime, zone: ZoneInfo
) -> Grant:
    """The grant of `token` if it is a valid, unexpired link (of this `kind`, if given);
    else EmbedLinkRefused saying which of those it is not."""
    payload = sign.open(token) if token else None
    try:
        grant = Grant.model_validate(payload) if payload is not None else None
    except ValidationError:
        grant = None
    if grant is None or (kind is not None and grant.kind != kind):
        raise EmbedLinkRefused(
            detail="This embed link is not valid: it is incomplete or was changed, or it was "
            "made with another secret key. Ask whoever gave it to you for a new one."
        )
    if now.timestamp() >= grant.exp:
        ended = datetime.fromtimestamp(grant.exp, UTC).astimezone(zone)
        raise EmbedLinkRefused(
            detail=f"This embed link expired on {ended:%Y-%m-%d at %H:%M} ({zone.key}). "
            "Ask whoever gave it to you for a new one.",
            code="embed_link_expired",
            title="Embed link expired",
        )
    return grant
