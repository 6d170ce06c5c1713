"""webhook_deliveries.channel and .summary_of: Slack, Teams and email go through the outbox

`channel` says how a delivery is sent (`webhook`, `slack`, `teams`, `email`); every row
before this one is a webhook. `summary_of` is set on a chat or email message that stands for
many firings of one batch (their `delivery_id` names it).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="webhook")
        )
        batch.add_column(sa.Column("summary_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("summary_of")
        batch.drop_column("channel")
