"""Turn award rows into the API's shape."""

from __future__ import annotations

from datetime import datetime

from plaudit.award.links import PublicLinks
from plaudit.award.schemas import AwardRead, award_is_active
from plaudit.domain.origins import AwardOrigin
from plaudit.models import Award


def present_award(award: Award, now: datetime, links: PublicLinks | None = None) -> AwardRead:
    return AwardRead(
        id=award.id,
        achievement_id=award.achievement_id,
        achievement_version=award.achievement_version,
        member_id=award.member_id,
        points=award.points,
        awarded_at=award.awarded_at,
        period=award.period_key,
        period_start=award.period_start,
        period_end=award.period_end,
        completion=award.completion,
        source=AwardOrigin(award.origin),
        notification_id=award.notification_id,
        given_by=award.given_by,
        active=award_is_active(award.revoked, award.period_start, award.period_end, now),
        revoked=award.revoked,
        revoked_at=award.revoked_at,
        revoked_by=award.revoked_by,
        revoke_reason=award.revoke_reason,
        public_url=links.public_url if links else None,
        openbadges_v2_url=links.openbadges_v2_url if links else None,
        openbadges_v3_url=links.openbadges_v3_url if links else None,
    )
