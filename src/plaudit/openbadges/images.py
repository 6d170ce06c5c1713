"""The pictures of published badges: the achievement's badge, or a plain one, and the
baked files that carry an assertion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from plaudit.badge.image import PNG, SVG
from plaudit.models import Achievement, AchievementBadge
from plaudit.openbadges import baking


@dataclass(frozen=True)
class Picture:
    content: bytes
    media_type: str


def badge_picture(
    session: Session, achievement: Achievement, primary: str, secondary: str
) -> Picture:
    """The uploaded badge as it is, or a plain round one in the achievement's colours."""
    row = session.get(AchievementBadge, achievement.id)
    if row is not None:
        return Picture(row.content, row.media_type)
    return Picture(_placeholder(achievement, primary, secondary), PNG)


def _placeholder(achievement: Achievement, primary: str, secondary: str) -> bytes:
    return baking.placeholder_png(
        achievement.background_color or primary,
        achievement.text_color or secondary,
        achievement.name,
    )


def baked_png(
    picture: Picture,
    achievement: Achievement,
    colours: tuple[str, str],
    assertion: dict[str, Any],
    keyword: str = baking.KEYWORD,
) -> bytes:
    return baking.bake_png(_png_of(picture, achievement, colours), assertion, keyword)


def baked_svg(
    picture: Picture,
    achievement: Achievement,
    colours: tuple[str, str],
    assertion: dict[str, Any],
    verify_url: str,
) -> bytes:
    return baking.bake_svg(_svg_of(picture, achievement, colours), assertion, verify_url)


def baked_svg_credential(
    picture: Picture,
    achievement: Achievement,
    colours: tuple[str, str],
    credential: dict[str, Any],
) -> bytes:
    return baking.bake_svg_credential(_svg_of(picture, achievement, colours), credential)


def _png_of(picture: Picture, achievement: Achievement, colours: tuple[str, str]) -> bytes:
    """The badge as a PNG: the uploaded one, else a plain round stand-in (baking a PNG needs
    a PNG, and nothing here renders an SVG)."""
    return picture.content if picture.media_type == PNG else _placeholder(achievement, *colours)


def _svg_of(picture: Picture, achievement: Achievement, colours: tuple[str, str]) -> bytes:
    if picture.media_type == SVG:
        return picture.content
    return baking.svg_around_png(_png_of(picture, achievement, colours))
