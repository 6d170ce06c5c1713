"""awards: an index for an achievement's holders, newest first

The holders page lists one achievement's awards by `awarded_at` descending; with only the
(achievement_id, period_key) index the database reads and sorts all of them (a third of a
second at 100,000 awards). This index serves the page in key order. Achievement versions
needed no change: every version's definition is stored since the first migration.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_awards_achievement_time", "awards", ["achievement_id", "awarded_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_awards_achievement_time", table_name="awards")
