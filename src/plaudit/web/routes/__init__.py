"""Every page router, in the order they are mounted. A new page module adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from plaudit.web.routes.achievement_actions import router as achievement_actions_router
from plaudit.web.routes.achievements import router as achievements_router
from plaudit.web.routes.auth import router as auth_router
from plaudit.web.routes.badges import router as badges_router
from plaudit.web.routes.home import router as home_router

ROUTERS: tuple[APIRouter, ...] = (
    auth_router,
    home_router,
    badges_router,
    achievements_router,
    achievement_actions_router,
)
