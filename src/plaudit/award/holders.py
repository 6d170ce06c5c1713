"""The holders of one achievement: its awards with who holds them, filtered and paged in SQL.

A page is one query (awards joined to their member and team, so nothing is loaded per row) and
one count; both are served by the (achievement_id, period_key) index, whatever the number of
awards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from plaudit.award.schemas import award_is_active
from plaudit.domain.origins import AwardOrigin
from plaudit.limits import chunks
from plaudit.models import Award, Member, Team

MAX_PERIOD_CHOICES = 200


class HolderState(StrEnum):
    """Held: not revoked (its period may be over); revoked: taken back."""

    held = "held"
    revoked = "revoked"


@dataclass(frozen=True)
class HolderFilters:
    period: str | None = None
    source: AwardOrigin | None = None
    state: HolderState | None = None
    version: int | None = None


@dataclass(frozen=True)
class Holder:
    """One award of the achievement, with its member's name and team."""

    award: Award
    member_name: str
    member_active: bool
    team_name: str | None

    def status(self, now: datetime) -> str:
        """revoked, active (its period includes now) or ended."""
        award = self.award
        if award.revoked:
            return "revoked"
        active = award_is_active(False, award.period_start, award.period_end, now)
        return "active" if active else "ended"


def _clauses(achievement_id: int, filters: HolderFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Award.achievement_id == achievement_id]
    if filters.period is not None:
        clauses.append(Award.period_key == filters.period)
    if filters.source is not None:
        clauses.append(Award.origin == filters.source.value)
    if filters.state is HolderState.held:
        clauses.append(Award.revoked.is_(False))
    elif filters.state is HolderState.revoked:
        clauses.append(Award.revoked.is_(True))
    if filters.version is not None:
        clauses.append(Award.achievement_version == filters.version)
    return clauses


def list_holders(
    session: Session, achievement_id: int, filters: HolderFilters, *, limit: int, offset: int
) -> list[Holder]:
    """The achievement's awards matching `filters`, newest first."""
    query = (
        select(Award, Member.name, Member.active, Team.name)
        .join(Member, Member.id == Award.member_id)
        .outerjoin(Team, Team.id == Member.team_id)
        .where(*_clauses(achievement_id, filters))
        .order_by(Award.awarded_at.desc(), Award.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        Holder(award=award, member_name=name, member_active=active, team_name=team)
        for award, name, active, team in session.execute(query)
    ]


def count_holders(session: Session, achievement_id: int, filters: HolderFilters) -> int:
    query = select(func.count(Award.id)).where(*_clauses(achievement_id, filters))
    return session.scalar(query) or 0


def holder_periods(session: Session, achievement_id: int) -> list[str]:
    """The periods the achievement has awards for, newest first (at most a few hundred)."""
    query = (
        select(Award.period_key)
        .where(Award.achievement_id == achievement_id)
        .group_by(Award.period_key)
        .order_by(Award.period_key.desc())
        .limit(MAX_PERIOD_CHOICES)
    )
    return list(session.scalars(query))


def member_names(session: Session, member_ids: Sequence[int]) -> dict[int, str]:
    """Names of the given members, in chunks so that a long list stays one bounded query each."""
    return {
        member_id: name
        for some in chunks(sorted(set(member_ids)))
        for member_id, name in session.execute(
            select(Member.id, Member.name).where(Member.id.in_(some))
        )
    }
