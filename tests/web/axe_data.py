"""A site rich enough that every page shows its tables, forms and charts, for the page walk
of test_axe.py: the holders' teams and awards (rule, by hand, revoked), awards this month (on
the real clock, for the leaderboards), deals for the charts,
an inactive achievement, saved boards in a playlist, a webhook with a failed delivery, a group
and an API token; all made through the services.

`make_pages_data` returns the ids the page addresses need, keyed by the name of the path
parameter they fill (`achievement_id`, `award_id`, ...) plus a few alternatives (for example
`inactive_achievement_id`, for the pages that only an inactive achievement has).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.group.schemas import GroupCreate
from plaudit.group.service import create_group
from plaudit.identity.schemas import TokenCreate
from plaudit.identity.service import issue_token
from plaudit.kit.roles import SYSTEM, Role
from plaudit.level.schemas import LevelCreate
from plaudit.level.service import create_level
from plaudit.models import (
    Award,
    Member,
    Record,
    Source,
    User,
    WebhookDelivery,
    WebhookDeliveryAttempt,
)
from plaudit.notification.schemas import NotificationCreate
from plaudit.notification.service import WebhookGuard, create_notification
from plaudit.openbadges.publication import publication_of, publish
from tests.web.conftest import web_settings
from tests.web.helpers import Site, approved_deals_by_default
from tests.web.holders_data import HARRIET, make_holders
from tests.web.intake_data import dead_letters
from tests.web.portal_data import NOW, THREE_DEALS, UTC_ZONE, achievement, deals
from tests.web.seasons_data import seasonal_board
from tests.web.streak_data import streaks
from tests.web.test_board_pages import approved_value, saved
from tests.web.test_playlist_pages import playlist

PageIds = dict[str, str]


def make_pages_data(engine: Engine, site: Site, database_url: str) -> PageIds:
    holders = make_holders(engine, site.member_id, site.other_member_id)
    dead_letters(engine)
    approved_deals_by_default(engine)
    for name, values in (("Ada", (1200.0, 800.0, 450.0)), ("Ann", (900.0,)), ("Bob", (300.0,))):
        deals(engine, holders.ids[name], *values, status="Approved")
    deals(engine, holders.ids["Cid"], 75.0, status="Open", at=NOW - timedelta(days=3))
    closer = achievement(
        engine,
        key="deal-closer",
        name="Deal closer",
        icon="trophy",
        description="Close five approved deals",
        requirements=[[{**THREE_DEALS, "value": 5}]],
    )
    inactive = achievement(
        engine,
        active=False,
        key="first-deal",
        name="First deal",
        description="Close your first deal",
        prerequisites=[closer],  # the form's prerequisites and tier group, filled in
        tier_group="deals",
        requirements=[[{**THREE_DEALS, "value": 1}]],
    )
    helper = achievement(
        engine,
        key="helping-hand",
        name="Helping hand",
        icon="heart",
        points=10,
        description="Given by a manager for help beyond the job",
        requirements=[],
    )
    # Given on the real clock of the live server, so "this month" boards have points.
    today = datetime.now(UTC)
    with unit_of_work(build_sessionmaker(engine)) as session:
        for name in ("Ann", "Ann", "Bob", "Ada"):
            give_award(
                session, holders.ids[name], helper, at=None, actor=HARRIET, now=today, zone=UTC_ZONE
            )
    streaks(engine, site.member_id, today)
    points = saved(engine, "Sales points", published=True)
    value = approved_value(engine, name="Approved deals")
    screen = playlist(engine, "Sales floor", [(points, 15), (value, 20)])
    seasons = seasonal_board(engine)
    with unit_of_work(build_sessionmaker(engine)) as session:
        group = create_group(
            session,
            GroupCreate.model_validate(
                {
                    "name": "North reps",
                    "team_ids": [holders.north_id],
                    "conditions": [{"attribute": "team.name", "op": "eq", "value": "South"}],
                }
            ),
        )
        token, _token_secret = issue_token(
            session, TokenCreate(name="CRM import", role=Role.ingest)
        )
        hook, _hook_secret = create_notification(
            session,
            NotificationCreate.model_validate(
                {
                    "name": "Tell the CRM",
                    "trigger": {"type": "record", "source": "deals"},
                    "action": {"type": "webhook", "url": "https://crm.example/hooks/plaudit"},
                }
            ),
            actor=SYSTEM,
            now=NOW,
            guard=WebhookGuard.from_settings(web_settings(database_url)),
        )
        failed = WebhookDelivery(
            notification_id=hook.id,
            url="https://crm.example/hooks/plaudit",
            payload={"event": "record.created"},
            status="failed",
            attempts=1,
            created_at=NOW,
            last_status_code=503,
            last_error="Service Unavailable",
        )
        session.add(failed)
        session.flush()
        session.add(
            WebhookDeliveryAttempt(
                delivery_id=failed.id,
                number=1,
                started_at=NOW,
                duration_ms=12.0,
                status_code=503,
                error="Service Unavailable",
                succeeded=False,
            )
        )
        slack, _none = create_notification(
            session,
            NotificationCreate.model_validate(
                {
                    "name": "Deal won on Slack",
                    "trigger": {"type": "record", "source": "deals"},
                    "action": {"type": "slack", "url": "https://hooks.slack.example/services/x"},
                }
            ),
            actor=SYSTEM,
            now=NOW,
            guard=WebhookGuard.from_settings(web_settings(database_url)),
        )
        session.add(
            WebhookDelivery(
                notification_id=slack.id,
                channel="slack",
                summary_of=12,
                url="slack: hooks.slack.example",
                payload={"channel": "slack", "mentions": []},
                status="delivered",
                attempts=1,
                created_at=NOW,
                delivered_at=NOW,
                last_status_code=200,
            )
        )
        for name, points in (("Bronze", 10), ("Silver", 1000)):
            level = create_level(
                session, LevelCreate(name=name, points=points), now=today, zone=UTC_ZONE
            )
        on_award, _none = create_notification(
            session,
            NotificationCreate.model_validate(
                {
                    "name": "Cheer every award",
                    "trigger": {"type": "award", "categories": ["award", "membership"]},
                    "action": {"type": "email", "to": "managers"},
                    "active": False,
                }
            ),
            actor=SYSTEM,
            now=NOW,
            guard=WebhookGuard.from_settings(web_settings(database_url)),
        )
        on_level, _none = create_notification(
            session,
            NotificationCreate.model_validate(
                {
                    "name": "Level up",
                    "trigger": {"type": "level", "level_ids": [level.id]},
                    "action": {"type": "email", "to": "member"},
                    "active": False,
                }
            ),
            actor=SYSTEM,
            now=NOW,
            guard=WebhookGuard.from_settings(web_settings(database_url)),
        )
        member_user = session.scalars(select(User.id).where(User.username == "member")).one()
        deal = session.scalars(
            select(Record.id)
            .join(Source, Source.id == Record.source_id)
            .where(Source.key == "deals")
        ).first()
        assert deal is not None, "the seed has a deal"
    with unit_of_work(build_sessionmaker(engine)) as session:
        cid = session.get(Member, holders.ids["Cid"])
        assert cid is not None
        cid.email = "cid@example.com"
        session.flush()
        publish(session, holders.cid_award_id, actor=SYSTEM, now=NOW)
        published = publication_of(session, holders.cid_award_id)
        assert published is not None
        cid_award = session.get(Award, holders.cid_award_id)
        assert cid_award is not None
        public_id = published.public_id
        badge = f"{cid_award.achievement_id}-v{cid_award.achievement_version}"
    return {
        "public_id": public_id,
        "badge_id": badge,
        "achievement_id": str(holders.achievement_id),
        "award_id": str(holders.cid_award_id),
        "member_id": str(holders.ids["Cid"]),
        "ada_id": str(site.member_id),
        "team_id": str(holders.north_id),
        "closer_id": str(closer),
        "inactive_achievement_id": str(inactive),
        "board_id": str(value),
        "playlist_id": str(screen),
        "season_board_id": str(seasons.board_id),
        "group_id": str(group.id),
        "token_id": str(token.id),
        "level_id": str(level.id),
        "notification_id": str(hook.id),
        "slack_notification_id": str(slack.id),
        "award_notification_id": str(on_award.id),
        "level_notification_id": str(on_level.id),
        "user_id": str(member_user),
        "key": "deals",
        "record_id": str(deal),
    }
