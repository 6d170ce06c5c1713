"""leaderboard_boards: named leaderboards that admins and managers publish to members

Members could pass any source, aggregate, field and filter to the leaderboard, which let them
read other members' data; they now see points and the boards published for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plaudit.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leaderboard_boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("aggregate", sa.String(length=20), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column(
            "where",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_leaderboard_boards_team_id_teams"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaderboard_boards")),
        sa.UniqueConstraint("name", name=op.f("uq_leaderboard_boards_name")),
    )


def downgrade() -> None:
    op.drop_table("leaderboard_boards")
