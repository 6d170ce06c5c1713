"""tallies: running aggregates shared by the rules of active achievements

Replaces rule_progress and rule_progress_values (one row per achievement and rule slot) by
tallies (one row per distinct aggregate shape, shared by every rule that differs only in its
operator and target). Progress is derived data: it is not copied. The engine builds the
tallies of active achievements from their records the first time it needs them after the
upgrade, and the downgrade leaves the old tables empty: reactivating an achievement then
rebuilds its progress.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=False),
        sa.Column("definition", plaudit.db.types.JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tallies")),
        sa.UniqueConstraint("signature", name=op.f("uq_tallies_signature")),
    )
    with op.batch_alter_table("tallies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tallies_source_key"), ["source_key"], unique=False)

    op.create_table(
        "achievement_tallies",
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("rule_slot", sa.String(length=20), nullable=False),
        sa.Column("tally_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_achievement_tallies_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tally_id"],
            ["tallies.id"],
            name=op.f("fk_achievement_tallies_tally_id_tallies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("achievement_id", "rule_slot", name=op.f("pk_achievement_tallies")),
    )
    with op.batch_alter_table("achievement_tallies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_achievement_tallies_tally_id"), ["tally_id"], unique=False
        )

    op.create_table(
        "tally_progress",
        sa.Column("tally_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("n_values", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tally_id"],
            ["tallies.id"],
            name=op.f("fk_tally_progress_tally_id_tallies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tally_id", "member_id", "period_key", name=op.f("pk_tally_progress")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tally_values",
        sa.Column("tally_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("value_key", sa.String(length=500), nullable=False),
        sa.Column("numeric", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tally_id"],
            ["tallies.id"],
            name=op.f("fk_tally_values_tally_id_tallies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tally_id",
            "member_id",
            "period_key",
            "value_key",
            "numeric",
            name=op.f("pk_tally_values"),
        ),
        sqlite_with_rowid=False,
    )
    op.drop_table("rule_progress_values")
    with op.batch_alter_table("rule_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_progress_member")
    op.drop_table("rule_progress")


def downgrade() -> None:
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
    op.drop_table("tally_values")
    op.drop_table("tally_progress")
    with op.batch_alter_table("achievement_tallies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievement_tallies_tally_id"))
    op.drop_table("achievement_tallies")
    with op.batch_alter_table("tallies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tallies_source_key"))
    op.drop_table("tallies")
