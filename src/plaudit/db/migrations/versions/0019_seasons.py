"""seasons: a seasonal board's final standings archived when each of its periods ends

A board can be seasonal (with season awards for its top places); the period closer archives
the standings of every period that ends (`seasons`, `season_standings`) and the season awards
it gave or the category refused (`season_winners`).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plaudit.db.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("leaderboard_boards") as batch:
        batch.add_column(
            sa.Column("seasonal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("season_awards", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column(
                "seasons_closed_through", plaudit.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("period_start", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["leaderboard_boards.id"],
            name=op.f("fk_seasons_board_id_leaderboard_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_seasons_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint(
            "board_id", "period_start", name=op.f("uq_seasons_board_id_period_start")
        ),
    )
    op.create_index("ix_seasons_period_end", "seasons", ["period", "period_end"])
    op.create_table(
        "season_standings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["seasons.id"],
            name=op.f("fk_season_standings_season_id_seasons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_season_standings_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_standings")),
        sa.UniqueConstraint(
            "season_id", "member_id", name=op.f("uq_season_standings_season_id_member_id")
        ),
    )
    op.create_index("ix_season_standings_rank", "season_standings", ["season_id", "rank"])
    op.create_table(
        "season_winners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("refused", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["seasons.id"],
            name=op.f("fk_season_winners_season_id_seasons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_season_winners_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_season_winners_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_season_winners_award_id_awards"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_winners")),
        sa.UniqueConstraint(
            "season_id",
            "top",
            "achievement_id",
            "member_id",
            name=op.f("uq_season_winners_season_id_top_achievement_id_member_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("season_winners")
    op.drop_index("ix_season_standings_rank", table_name="season_standings")
    op.drop_table("season_standings")
    op.drop_index("ix_seasons_period_end", table_name="seasons")
    op.drop_table("seasons")
    with op.batch_alter_table("leaderboard_boards") as batch:
        batch.drop_column("seasons_closed_through")
        batch.drop_column("season_awards")
        batch.drop_column("seasonal")
