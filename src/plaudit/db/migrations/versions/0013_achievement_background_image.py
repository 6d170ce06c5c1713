"""achievement_backgrounds: a tile's background image, instead of its background colour

One row per achievement that has one, like achievement_badges: the sanitised bytes, their
media type and size. Tiles show it at 234x160, scaled to cover.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "achievement_backgrounds",
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_achievement_backgrounds_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("achievement_id", name=op.f("pk_achievement_backgrounds")),
    )


def downgrade() -> None:
    op.drop_table("achievement_backgrounds")
