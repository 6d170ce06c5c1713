"""Achievement lifecycle: create (inactive), edit (a new version each time, only while
inactive), activate, deactivate, delete (keeping awards), and the badge and background
images (stored by plaudit.achievement.images; changing one is an edit, with a version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from plaudit.achievement import images
from plaudit.achievement.definition import check_definition, snapshot, window_from
from plaudit.achievement.images import ImageRow, Which
from plaudit.achievement.prerequisites import check_prerequisites
from plaudit.achievement.schemas import AchievementCreate, AchievementUpdate
from plaudit.audit.service import record_event
from plaudit.badge.image import Badge, validate_image
from plaudit.domain.categories import Category
from plaudit.engine import lifecycle as engine_lifecycle
from plaudit.engine.audiences import member_in_audience
from plaudit.engine.events import name_batch
from plaudit.engine.gate import enter_change
from plaudit.errors import Conflict, not_found
from plaudit.kit.roles import Principal, Role
from plaudit.limits import chunks
from plaudit.models import Achievement, AchievementVersion, Award
from plaudit.periods import Period
from plaudit.rules.model import Rule, dump_requirements, parse_requirements

DEFINITION_FIELDS = (
    "key",
    "name",
    "description",
    "category",
    "points",
    "icon",
    "background_color",
    "text_color",
    "show_next_to_name",
    "secret",
    "prerequisites",
    "tier_group",
    "period",
    "effective_from",
    "effective_until",
    "audience",
    "repeatable",
    "requirements",
    "publish_automatically",
)


def get_achievement(
    session: Session, achievement_id: int, *, for_update: bool = False
) -> Achievement:
    query = select(Achievement).where(
        Achievement.id == achievement_id, Achievement.deleted_at.is_(None)
    )
    if for_update:
        query = query.with_for_update()
    achievement = session.scalars(query).first()
    if achievement is None:
        raise not_found("achievement", achievement_id)
    return achievement


def list_achievements(session: Session, *, active: bool | None = None) -> Sequence[Achievement]:
    query = select(Achievement).where(Achievement.deleted_at.is_(None)).order_by(Achievement.id)
    if active is not None:
        query = query.where(Achievement.active.is_(active))
    return session.scalars(query).all()


def rules_of(achievement: Achievement) -> list[list[Rule]]:
    return parse_requirements(achievement.requirements)


def _ensure_key_free(session: Session, key: str, own_id: int | None) -> None:
    other = session.scalars(
        select(Achievement.id).where(Achievement.key == key, Achievement.deleted_at.is_(None))
    ).first()
    if other is not None and other != own_id:
        raise Conflict(
            detail=f"An achievement with key {key!r} already exists (id {other}).",
            field="key",
            code="duplicate_key",
        )


def _definition(achievement: Achievement) -> dict[str, Any]:
    return snapshot({name: getattr(achievement, name) for name in DEFINITION_FIELDS})


def _new_version(
    session: Session, achievement: Achievement, actor: Principal, now: datetime
) -> None:
    session.add(
        AchievementVersion(
            achievement_id=achievement.id,
            version=achievement.version,
            definition=_definition(achievement),
            created_by=actor.name,
            created_at=now,
        )
    )


def create_achievement(
    session: Session,
    data: AchievementCreate,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
    with_images: Mapping[Which, Badge] | None = None,
) -> Achievement:
    """Create an inactive achievement at version 1; `with_images` (already validated) are
    stored with it, as part of the first version rather than edits after it."""
    start, end = window_from(data.effective, zone)
    check_definition(
        session,
        category=data.category,
        repeatable=data.repeatable,
        audience=data.audience,
        requirements=data.requirements,
    )
    _ensure_key_free(session, data.key, None)
    check_prerequisites(session, None, data.prerequisites)
    achievement = Achievement(
        key=data.key,
        name=data.name,
        description=data.description,
        category=data.category.value,
        points=data.points,
        icon=data.icon,
        background_color=data.background_color,
        text_color=data.text_color,
        show_next_to_name=data.show_next_to_name,
        secret=data.secret,
        prerequisites=list(data.prerequisites),
        tier_group=data.tier_group,
        period=data.period.value,
        effective_from=start,
        effective_until=end,
        audience=list(data.audience),
        repeatable=data.repeatable,
        publish_automatically=data.publish_automatically,
        requirements=dump_requirements(data.requirements),
        active=False,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(achievement)
    session.flush()
    _new_version(session, achievement, actor, now)
    details: dict[str, Any] = {"key": achievement.key}
    if with_images:
        details["images"] = sorted(with_images)
    for which, image in (with_images or {}).items():
        images.store_image(session, achievement.id, which, image, now)
    record_event(
        session,
        actor,
        "achievement.create",
        "achievement",
        achievement.id,
        at=now,
        details=details,
    )
    session.flush()
    return achievement


def _refuse_while_active(achievement: Achievement, doing: str) -> None:
    if achievement.active:
        raise Conflict(
            detail=f"“{achievement.name}” is active and cannot be {doing}; deactivate it first "
            f"(POST /api/v1/achievements/{achievement.id}/deactivate).",
            code="achievement_active",
        )


def update_achievement(
    session: Session,
    achievement_id: int,
    data: AchievementUpdate,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
) -> Achievement:
    achievement = get_achievement(session, achievement_id, for_update=True)
    _refuse_while_active(achievement, "edited")
    changes = data.model_dump(exclude_unset=True)
    # Taken before any field is set, so that a change of the window alone is a change too.
    before = _definition(achievement)
    if "effective" in changes:
        achievement.effective_from, achievement.effective_until = window_from(data.effective, zone)
    requirements = data.requirements if data.requirements is not None else rules_of(achievement)
    category = data.category or Category(achievement.category)
    repeatable = data.repeatable if data.repeatable is not None else achievement.repeatable
    audience = data.audience if data.audience is not None else achievement.audience
    check_definition(
        session,
        category=category,
        repeatable=repeatable,
        audience=audience,
        requirements=requirements,
    )
    if data.key is not None:
        _ensure_key_free(session, data.key, achievement.id)
    if data.prerequisites is not None:
        check_prerequisites(session, achievement.id, data.prerequisites)
    for name in changes:
        if name in ("effective", "requirements"):
            continue
        value = getattr(data, name)
        nullable = ("description", "icon", "background_color", "text_color", "tier_group")
        if value is None and name not in nullable:
            continue
        setattr(achievement, name, value.value if isinstance(value, Category | Period) else value)
    if data.requirements is not None:
        achievement.requirements = dump_requirements(data.requirements)
    after = _definition(achievement)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return achievement
    achievement.version += 1
    achievement.updated_at = now
    _new_version(session, achievement, actor, now)
    record_event(
        session,
        actor,
        "achievement.edit",
        "achievement",
        achievement.id,
        at=now,
        details={"version": achievement.version, "changed": changed},
    )
    session.flush()
    return achievement


def activate_achievement(
    session: Session, achievement_id: int, *, actor: Principal, now: datetime, zone: ZoneInfo
) -> Achievement:
    """Activate and backfill: members whose records already qualify are awarded at once."""
    enter_change(session)
    achievement = get_achievement(session, achievement_id, for_update=True)
    if achievement.active:
        return achievement
    achievement.active = True
    session.flush()
    name_batch(session, f"The activation of {achievement.name} gave it to all who had earned it.")
    awarded = engine_lifecycle.on_activate(session, achievement, now=now, zone=zone)
    record_event(
        session,
        actor,
        "achievement.activate",
        "achievement",
        achievement.id,
        at=now,
        details={"backfill_awards": len(awarded)},
    )
    session.flush()
    return achievement


def deactivate_achievement(
    session: Session, achievement_id: int, *, actor: Principal, now: datetime
) -> Achievement:
    enter_change(session)
    achievement = get_achievement(session, achievement_id, for_update=True)
    if not achievement.active:
        return achievement
    achievement.active = False
    engine_lifecycle.on_deactivate(session, achievement.id)
    record_event(session, actor, "achievement.deactivate", "achievement", achievement.id, at=now)
    session.flush()
    return achievement


def delete_achievement(
    session: Session,
    achievement_id: int,
    *,
    actor: Principal,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Soft delete: the row stays so that awards earned under it keep their meaning."""
    achievement = get_achievement(session, achievement_id, for_update=True)
    _refuse_while_active(achievement, "deleted")
    achievement.deleted_at = now
    record_event(
        session,
        actor,
        "achievement.delete",
        "achievement",
        achievement.id,
        at=now,
        reason=reason,
        details={"key": achievement.key},
    )
    session.flush()


def list_versions(session: Session, achievement_id: int) -> Sequence[AchievementVersion]:
    get_achievement(session, achievement_id)
    return session.scalars(
        select(AchievementVersion)
        .where(AchievementVersion.achievement_id == achievement_id)
        .order_by(AchievementVersion.version)
    ).all()


def _image_edit(
    session: Session,
    achievement: Achievement,
    which: Which,
    details: dict[str, Any],
    *,
    actor: Principal,
    now: datetime,
) -> None:
    """A new image, or one removed, is an edit: a new version and an audit event."""
    achievement.version += 1
    achievement.updated_at = now
    _new_version(session, achievement, actor, now)
    record_event(
        session,
        actor,
        "achievement.edit",
        "achievement",
        achievement.id,
        at=now,
        details={"version": achievement.version, "changed": [images.CHANGED[which]], **details},
    )
    session.flush()


def set_image(
    session: Session,
    achievement_id: int,
    which: Which,
    content: bytes,
    media_type: str,
    *,
    actor: Principal,
    now: datetime,
) -> Achievement:
    """Store the achievement's badge or background image, replacing any there was."""
    achievement = get_achievement(session, achievement_id, for_update=True)
    _refuse_while_active(achievement, "edited")
    image = validate_image(content, media_type, images.KINDS[which])
    images.store_image(session, achievement.id, which, image, now)
    summary = {"media_type": image.media_type, "width": image.width, "height": image.height}
    _image_edit(session, achievement, which, {which: summary}, actor=actor, now=now)
    return achievement


def remove_image(
    session: Session, achievement_id: int, which: Which, *, actor: Principal, now: datetime
) -> Achievement:
    """Remove the badge or background image; 404 when there is none."""
    achievement = get_achievement(session, achievement_id, for_update=True)
    _refuse_while_active(achievement, "edited")
    if not images.delete_image(session, achievement.id, which):
        raise images.missing(which, achievement_id)
    _image_edit(session, achievement, which, {which: None}, actor=actor, now=now)
    return achievement


def set_badge(
    session: Session,
    achievement_id: int,
    content: bytes,
    media_type: str,
    *,
    actor: Principal,
    now: datetime,
) -> Achievement:
    return set_image(session, achievement_id, "badge", content, media_type, actor=actor, now=now)


def image_for_viewer(
    session: Session, achievement_id: int, which: Which, role: Role, member_id: int | None
) -> ImageRow:
    """The image as the viewer may see it: a member sees those of achievements in their
    audience, and those of achievements shown next to names, since the leaderboard shows
    those to everyone who may open it whoever the holder is; to them any other image does
    not exist."""
    if role == Role.member:
        achievement = get_achievement(session, achievement_id)
        if not achievement.show_next_to_name and (
            member_id is None or not member_in_audience(session, achievement.audience, member_id)
        ):
            raise images.missing(which, achievement_id)
        if achievement.secret and (
            member_id is None or not holds(session, member_id, achievement.id)
        ):
            raise images.missing(which, achievement_id)
    return images.get_image(session, achievement_id, which)


def holds(session: Session, member_id: int, achievement_id: int) -> bool:
    """Whether the member holds an award of the achievement that is not revoked (what
    reveals a secret achievement to them)."""
    return (
        session.scalars(
            select(Award.id).where(
                Award.member_id == member_id,
                Award.achievement_id == achievement_id,
                Award.revoked.is_(False),
            )
        ).first()
        is not None
    )


def secrets_held(session: Session, member_id: int) -> set[int]:
    """The secret achievements the member holds (not revoked)."""
    return set(
        session.scalars(
            select(Award.achievement_id)
            .join(Achievement, Achievement.id == Award.achievement_id)
            .where(
                Award.member_id == member_id,
                Award.revoked.is_(False),
                Achievement.secret.is_(True),
            )
            .distinct()
        )
    )


def badge_for_viewer(
    session: Session, achievement_id: int, role: Role, member_id: int | None
) -> ImageRow:
    return image_for_viewer(session, achievement_id, "badge", role, member_id)


def has_badge(session: Session, achievement_ids: Sequence[int]) -> set[int]:
    return images.has_image(session, "badge", achievement_ids)


def has_background(session: Session, achievement_ids: Sequence[int]) -> set[int]:
    return images.has_image(session, "background", achievement_ids)


def completion_counts(
    session: Session, achievement_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Per achievement: the awards not revoked, and the distinct members who hold them."""
    if not achievement_ids:
        return {}
    return {
        achievement_id: (awards, members)
        for some in chunks(achievement_ids)
        for achievement_id, awards, members in session.execute(
            select(
                Award.achievement_id, func.count(Award.id), func.count(distinct(Award.member_id))
            )
            .where(Award.achievement_id.in_(some), Award.revoked.is_(False))
            .group_by(Award.achievement_id)
        )
    }
