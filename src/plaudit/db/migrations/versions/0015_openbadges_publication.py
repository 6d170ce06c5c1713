"""Open Badges publication: issuer settings, award publications, achievements' auto-publish

issuer_settings holds the one issuer profile awards are published as; award_publications one
row per published award (its unguessable public id and the salt of its hashed recipient);
achievements.publish_automatically publishes awards of an achievement when they are given.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuer_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("image", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_settings")),
    )
    op.create_table(
        "award_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_salt", sa.String(length=64), nullable=False),
        sa.Column("published_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_award_publications_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_publications")),
        sa.UniqueConstraint("award_id", name=op.f("uq_award_publications_award_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_award_publications_public_id")),
    )
    with op.batch_alter_table("achievements") as batch:
        batch.add_column(
            sa.Column(
                "publish_automatically",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("achievements") as batch:
        batch.drop_column("publish_automatically")
    op.drop_table("award_publications")
    op.drop_table("issuer_settings")
