"""Every page router, in the order they are mounted. A new page module adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from plaudit.web.routes.achievement_actions import router as achievement_actions_router
from plaudit.web.routes.achievement_holders import router as achievement_holders_router
from plaudit.web.routes.achievement_images import router as achievement_images_router
from plaudit.web.routes.achievements import router as achievements_router
from plaudit.web.routes.audit import router as audit_router
from plaudit.web.routes.auth import router as auth_router
from plaudit.web.routes.badges import router as badges_router
from plaudit.web.routes.boards import router as boards_router
from plaudit.web.routes.bulk_give import router as bulk_give_router
from plaudit.web.routes.calendar import router as calendar_router
from plaudit.web.routes.embed import router as embed_router
from plaudit.web.routes.embed_admin import router as embed_admin_router
from plaudit.web.routes.explain import router as explain_router
from plaudit.web.routes.exports import router as exports_router
from plaudit.web.routes.groups import router as groups_router
from plaudit.web.routes.home import router as home_router
from plaudit.web.routes.icons import router as icons_router
from plaudit.web.routes.intake import router as intake_router
from plaudit.web.routes.issuer import router as issuer_router
from plaudit.web.routes.leaderboard import router as leaderboard_router
from plaudit.web.routes.leaderboard_tv import router as leaderboard_tv_router
from plaudit.web.routes.levels import router as levels_router
from plaudit.web.routes.member_awards import router as member_awards_router
from plaudit.web.routes.member_edit import router as member_edit_router
from plaudit.web.routes.members import router as members_router
from plaudit.web.routes.notification_test import router as notification_test_router
from plaudit.web.routes.notifications import router as notifications_router
from plaudit.web.routes.playlists import router as playlists_router
from plaudit.web.routes.portal import router as portal_router
from plaudit.web.routes.portal_publish import router as portal_publish_router
from plaudit.web.routes.public_badges import router as public_badges_router
from plaudit.web.routes.report_members import router as report_members_router
from plaudit.web.routes.reports import router as reports_router
from plaudit.web.routes.seasons import router as seasons_router
from plaudit.web.routes.source_records import router as source_records_router
from plaudit.web.routes.source_values import router as source_values_router
from plaudit.web.routes.sources import router as sources_router
from plaudit.web.routes.streaks import router as streaks_router
from plaudit.web.routes.team_edit import router as team_edit_router
from plaudit.web.routes.teams import router as teams_router
from plaudit.web.routes.tokens import router as tokens_router
from plaudit.web.routes.tv_playlists import router as tv_playlists_router
from plaudit.web.routes.users import router as users_router

ROUTERS: tuple[APIRouter, ...] = (
    public_badges_router,  # before badges: /badges/<public id> is not an achievement id
    portal_router,
    portal_publish_router,
    explain_router,
    leaderboard_router,
    leaderboard_tv_router,
    seasons_router,
    boards_router,
    playlists_router,
    tv_playlists_router,
    embed_router,
    embed_admin_router,
    auth_router,
    home_router,
    badges_router,
    achievements_router,
    achievement_actions_router,
    achievement_holders_router,
    achievement_images_router,
    bulk_give_router,
    source_values_router,
    icons_router,
    notifications_router,
    notification_test_router,
    reports_router,
    report_members_router,
    exports_router,
    groups_router,
    member_edit_router,  # before members: /admin/members/new is not an id
    members_router,
    member_awards_router,
    team_edit_router,  # before teams: /admin/teams/new is not an id
    teams_router,
    users_router,
    tokens_router,
    levels_router,
    intake_router,
    issuer_router,
    calendar_router,
    streaks_router,
    sources_router,
    source_records_router,
    audit_router,
)
