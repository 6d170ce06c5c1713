"""intake: streaming intake from NATS JetStream

`intake_offsets` holds each partition's last applied stream sequence, written in the same
transaction as the records it applied (so a consumer killed at any moment neither loses nor
repeats a message); `intake_partition_leases` and `intake_consumers` let consumer processes
share the partitions; `intake_dead_letters` keeps the messages that could not apply.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_offsets",
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("partitions", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stream", "partitions", "partition"),
    )
    op.create_table(
        "intake_partition_leases",
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("partitions", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("expires_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("stream", "partitions", "partition"),
    )
    op.create_table(
        "intake_consumers",
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("partitions", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream", "partitions", "owner"),
    )
    op.create_table(
        "intake_dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("partitions", sa.Integer(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retried_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_dead_letters_resolved", "intake_dead_letters", ["resolved", "id"])
    op.create_index(
        "ux_intake_dead_letters_message",
        "intake_dead_letters",
        ["stream", "partitions", "partition", "sequence"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_intake_dead_letters_message", table_name="intake_dead_letters")
    op.drop_index("ix_intake_dead_letters_resolved", table_name="intake_dead_letters")
    op.drop_table("intake_dead_letters")
    op.drop_table("intake_consumers")
    op.drop_table("intake_partition_leases")
    op.drop_table("intake_offsets")
