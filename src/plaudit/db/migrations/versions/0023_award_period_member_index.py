"""awards: ix_awards_achievement_period gains member_id (achievement, period, member)

An exact-key probe of the awards, (achievement, member, period) as the bulk path's "already
earned" look-ups send thousands of per batch, matched two indexes: the rule completions'
unique index on all three, and ix_awards_achievement_period on two of them. PostgreSQL, with
no statistics of the awards when nothing analyzes them (autovacuum off), rates both at one
row and takes the cheaper-looking one; once the awards grew, that was the two-column index,
and each probe read every award of the achievement in the period (5,000 rows a probe, the
batch 40 times slower). With member_id in it, either index answers the probe exactly; it
still serves every look-up by achievement and period.

Revision ID: 0023_award_period_member_index
Revises: 0022_award_origins
Create Date: 2026-12-07 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023_award_period_member_index"
down_revision: str | None = "0022_award_origins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_awards_achievement_period_member",
        "awards",
        ["achievement_id", "period_key", "member_id"],
    )
    op.drop_index("ix_awards_achievement_period", table_name="awards")


def downgrade() -> None:
    op.create_index("ix_awards_achievement_period", "awards", ["achievement_id", "period_key"])
    op.drop_index("ix_awards_achievement_period_member", table_name="awards")
