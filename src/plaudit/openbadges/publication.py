"""Publishing and unpublishing awards, and reading what is public.

Publishing gives an award a public id (unguessable, url-safe) and a recipient salt; every
public URL of the award is made from that id. Unpublishing deletes the row, so those URLs
answer 404 from then on. Revoking keeps it: the assertion answers 410 "revoked".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.award.service import get_award
from plaudit.engine.publish_rows import new_public_id, new_salt
from plaudit.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from plaudit.kit.roles import Principal, Role
from plaudit.models import Achievement, AchievementVersion, Award, AwardPublication, Member


@dataclass(frozen=True)
class Published:
    """A published award with everything its public documents show."""

    publication: AwardPublication
    award: Award
    member: Member
    achievement: Achievement
    definition: dict[str, Any]


def may_publish(actor: Principal, award: Award) -> None:
    """Admins and managers publish any award; a member only their own."""
    if actor.is_staff:
        return
    if actor.role is Role.member and actor.member_id == award.member_id:
        return
    raise Forbidden(detail="A member may publish or unpublish only their own awards.")


def publication_of(session: Session, award_id: int) -> AwardPublication | None:
    return session.scalars(
        select(AwardPublication).where(AwardPublication.award_id == award_id)
    ).one_or_none()


def publish(session: Session, award_id: int, *, actor: Principal, now: datetime) -> Award:
    """Publish the award (again: nothing changes). Refused for a revoked award and for a
    member without an email, whose recipient cannot be named."""
    award = get_award(session, award_id)
    may_publish(actor, award)
    if publication_of(session, award.id) is not None:
        return award
    if award.revoked:
        raise Conflict(
            detail=f"Award {award.id} is revoked: a revoked award cannot be published.",
            code="award_revoked",
        )
    member = session.get(Member, award.member_id)
    if member is None or not member.email:
        raise InvalidInput(
            detail="The member has no email address: an Open Badge names its recipient by "
            "email, so add one to the member before publishing.",
            code="member_without_email",
            errors=[
                FieldError(loc=("member", "email"), message="The member has no email address.")
            ],
        )
    publication = AwardPublication(
        award_id=award.id,
        public_id=new_public_id(),
        recipient_salt=new_salt(),
        published_at=now,
        published_by=actor.name,
    )
    try:
        with session.begin_nested():
            session.add(publication)
            session.flush()
    except IntegrityError:
        # Published at the same moment by another request: that publication stands.
        return award
    record_event(
        session,
        actor,
        "award.publish",
        "award",
        award.id,
        at=now,
        details={"achievement_id": award.achievement_id, "member_id": award.member_id},
    )
    return award


def unpublish(session: Session, award_id: int, *, actor: Principal, now: datetime) -> Award:
    """Take the award's public documents down (when it is not published: nothing changes)."""
    award = get_award(session, award_id)
    may_publish(actor, award)
    publication = publication_of(session, award.id)
    if publication is None:
        return award
    session.delete(publication)
    record_event(
        session,
        actor,
        "award.unpublish",
        "award",
        award.id,
        at=now,
        details={"achievement_id": award.achievement_id, "member_id": award.member_id},
    )
    session.flush()
    return award


def find_published(session: Session, public_id: str) -> Published:
    """The published award behind a public id; NotFound when there is none (never was, or
    unpublished)."""
    row = session.execute(
        select(AwardPublication, Award, Member, Achievement)
        .join(Award, Award.id == AwardPublication.award_id)
        .join(Member, Member.id == Award.member_id)
        .join(Achievement, Achievement.id == Award.achievement_id)
        .where(AwardPublication.public_id == public_id)
    ).one_or_none()
    if row is None:
        raise NotFound(detail="No published badge has this address.", code="badge_not_found")
    publication, award, member, achievement = row
    definition = session.scalars(
        select(AchievementVersion.definition).where(
            AchievementVersion.achievement_id == award.achievement_id,
            AchievementVersion.version == award.achievement_version,
        )
    ).one_or_none()
    return Published(publication, award, member, achievement, definition or {})


def find_live(session: Session, public_id: str) -> Published:
    """`find_published`, but a revoked award has no baked images or downloads: NotFound."""
    published = find_published(session, public_id)
    if published.award.revoked:
        raise NotFound(detail="This badge was revoked.", code="badge_revoked")
    return published


def published_version(session: Session, achievement_id: int, version: int) -> dict[str, Any]:
    """The definition of an achievement version that has at least one published award;
    NotFound otherwise (nothing is public before something is published)."""
    published = session.scalars(
        select(Award.id)
        .join(AwardPublication, AwardPublication.award_id == Award.id)
        .where(Award.achievement_id == achievement_id, Award.achievement_version == version)
        .limit(1)
    ).first()
    definition = session.scalars(
        select(AchievementVersion.definition).where(
            AchievementVersion.achievement_id == achievement_id,
            AchievementVersion.version == version,
        )
    ).one_or_none()
    if published is None or definition is None:
        raise NotFound(detail="No published badge has this address.", code="badge_not_found")
    return dict(definition)


@dataclass(frozen=True)
class Shareable:
    """One of a member's standing awards, and its public id while published."""

    award: Award
    achievement_name: str
    public_id: str | None


def shareable_awards(session: Session, member_id: int, *, limit: int = 100) -> list[Shareable]:
    """The member's awards that are not revoked, newest first, with their publication."""
    rows = session.execute(
        select(Award, Achievement.name, AwardPublication.public_id)
        .join(Achievement, Achievement.id == Award.achievement_id)
        .outerjoin(AwardPublication, AwardPublication.award_id == Award.id)
        .where(Award.member_id == member_id, Award.revoked.is_(False))
        .order_by(Award.awarded_at.desc(), Award.id.desc())
        .limit(limit)
    )
    return [Shareable(award, name, public_id) for award, name, public_id in rows]
