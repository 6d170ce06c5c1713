"""rule progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:43:31.783099
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engine_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_generation")),
    )
    op.create_table(
        "achievement_sources",
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_achievement_sources_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "achievement_id", "source_key", name=op.f("pk_achievement_sources")
        ),
    )
    with op.batch_alter_table("achievement_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_achievement_sources_source_key"), ["source_key"], unique=False
        )

    op.create_table(
        "rule_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("rule_slot", sa.String(length=20), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("n_values", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_rule_progress_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_rule_progress_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_progress")),
        sa.UniqueConstraint(
            "achievement_id",
            "member_id",
            "period_key",
            "rule_slot",
            name=op.f("uq_rule_progress_achievement_id_member_id_period_key_rule_slot"),
        ),
    )
    with op.batch_alter_table("rule_progress", schema=None) as batch_op:
        batch_op.create_index("ix_rule_progress_member", ["member_id", "period_key"], unique=False)

    op.create_table(
        "rule_progress_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("rule_slot", sa.String(length=20), nullable=False),
        sa.Column("value_key", sa.String(length=500), nullable=False),
        sa.Column("numeric", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_rule_progress_values_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_rule_progress_values_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_progress_values")),
        sa.UniqueConstraint(
            "achievement_id",
            "member_id",
            "period_key",
            "rule_slot",
            "value_key",
            "numeric",
            name=op.f(
                "uq_rule_progress_values_achievement_id_member_id_period_key_rule_slot_value_key_numeric"
            ),
        ),
    )


def downgrade() -> None:
    op.drop_table("rule_progress_values")
    with op.batch_alter_table("rule_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_progress_member")

    op.drop_table("rule_progress")
    with op.batch_alter_table("achievement_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievement_sources_source_key"))

    op.drop_table("achievement_sources")
    op.drop_table("engine_generation")
