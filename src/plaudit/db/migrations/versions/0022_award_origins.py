"""awards.origin: `streak` and `season` for the awards streaks and leaderboard seasons give

Before this revision those awards were stored with origin `manual` (their `given_by` is
"streak:<id>" or "season:<board id>", which no person or token is named). The column is a
plain string without a CHECK constraint, so only the existing rows change; a downgrade puts
them back to `manual`.

Revision ID: 0022_award_origins
Revises: 0021
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_award_origins"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PREFIXES = (("streak", "streak:%"), ("season", "season:%"))


def upgrade() -> None:
    for origin, pattern in _PREFIXES:
        op.execute(
            sa.text(
                "UPDATE awards SET origin = :origin WHERE origin = 'manual' AND given_by LIKE :p"
            ).bindparams(origin=origin, p=pattern)
        )


def downgrade() -> None:
    op.execute(sa.text("UPDATE awards SET origin = 'manual' WHERE origin IN ('streak', 'season')"))
