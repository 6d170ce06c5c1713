"""Build the small references to members, teams and achievements that reports embed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from plaudit.achievement.service import has_badge
from plaudit.models import Achievement, Member, Team
from plaudit.monitoring.schemas import AchievementRef, MemberRef, TeamRef


def member_ref(member: Member) -> MemberRef:
    return MemberRef(
        id=member.id, name=member.name, email=member.email, external_id=member.external_id
    )


def team_ref(team: Team) -> TeamRef:
    return TeamRef(id=team.id, name=team.name, external_id=team.external_id)


def achievement_refs(
    session: Session, achievements: Iterable[Achievement]
) -> dict[int, AchievementRef]:
    """References by id, badge URLs looked up in one query."""
    by_id = {a.id: a for a in achievements}
    badges = has_badge(session, list(by_id))
    return {
        a.id: AchievementRef(
            id=a.id,
            key=a.key,
            name=a.name,
            icon=a.icon,
            category=a.category,
            points=a.points,
            badge_url=f"/api/v1/achievements/{a.id}/badge" if a.id in badges else None,
            deleted=a.deleted_at is not None,
        )
        for a in by_id.values()
    }
