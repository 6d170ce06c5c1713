"""levels: named points thresholds, the levels members reached, secret achievements

`levels` holds the thresholds (all time or per calendar year); `level_reached` the fact that
a member reached one, once per (member, level, scope key) by a unique constraint, written in
the transaction of the award that crossed the threshold. `achievements.secret` hides an
achievement from members until they earn it; `achievements.prerequisites` lists the
achievements a member must hold before a rule awards it; `achievements.tier_group` joins
the tiers of one goal into one portal card.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plaudit.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_levels")),
        sa.UniqueConstraint("name", name=op.f("uq_levels_name")),
    )
    op.create_table(
        "level_reached",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=10), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reached_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["levels.id"],
            name=op.f("fk_level_reached_level_id_levels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_level_reached_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_reached")),
        sa.UniqueConstraint(
            "member_id",
            "level_id",
            "scope_key",
            name=op.f("uq_level_reached_member_id_level_id_scope_key"),
        ),
    )
    op.create_index("ix_level_reached_time", "level_reached", ["reached_at", "id"])
    with op.batch_alter_table("achievements") as batch:
        batch.add_column(
            sa.Column("secret", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "prerequisites",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
        batch.add_column(sa.Column("tier_group", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("achievements") as batch:
        batch.drop_column("tier_group")
        batch.drop_column("prerequisites")
        batch.drop_column("secret")
    op.drop_index("ix_level_reached_time", table_name="level_reached")
    op.drop_table("level_reached")
    op.drop_table("levels")
