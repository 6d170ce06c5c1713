"""period_closings: how far the periods of each active achievement have been decided

Rules with an upper bound (at most, less than, exactly) of a periodic achievement, or of one
with an effective end, are decided when the period they count is over; the period closer keeps
its progress here. Achievements active before the upgrade get a row the first time the closer
runs, from then on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_closings",
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("closed_through", plaudit.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_period_closings_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("achievement_id", name=op.f("pk_period_closings")),
    )


def downgrade() -> None:
    op.drop_table("period_closings")
