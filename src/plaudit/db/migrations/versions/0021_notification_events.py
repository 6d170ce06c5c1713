"""notification_firings.event_award_id and .event_level_reached_id: award and level triggers

An award trigger fires once per award given, a level trigger once per `level_reached` row;
each firing names the award or the row, unique per notification, so that a firing is tied to
its event exactly once. Removing the event (a level deleted) keeps the firing, unlinked.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification_firings") as batch:
        batch.add_column(sa.Column("event_award_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("event_level_reached_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notification_firings_event_award_id_awards"),
            "awards",
            ["event_award_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_notification_firings_event_level_reached_id_level_reached"),
            "level_reached",
            ["event_level_reached_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(
            op.f("uq_notification_firings_notification_id_event_award_id"),
            ["notification_id", "event_award_id"],
        )
        batch.create_unique_constraint(
            op.f("uq_notification_firings_notification_id_event_level_reached_id"),
            ["notification_id", "event_level_reached_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_firings") as batch:
        batch.drop_constraint(
            op.f("uq_notification_firings_notification_id_event_level_reached_id"), type_="unique"
        )
        batch.drop_constraint(
            op.f("uq_notification_firings_notification_id_event_award_id"), type_="unique"
        )
        batch.drop_constraint(
            op.f("fk_notification_firings_event_level_reached_id_level_reached"),
            type_="foreignkey",
        )
        batch.drop_constraint(
            op.f("fk_notification_firings_event_award_id_awards"), type_="foreignkey"
        )
        batch.drop_column("event_level_reached_id")
        batch.drop_column("event_award_id")
