"""web_sessions and sign_in_failures: web sign-in state on the server

Sessions were a signed cookie holding the user's id, so a cookie saved before sign-out kept
working until it expired. Now the cookie carries a random session id, the session lives in
`web_sessions` (the id stored as SHA-256) and signing out, deactivating a user or changing
their role or password deletes it. `sign_in_failures` holds recent failed sign-ins, so every
process on the database counts them together.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        "ix_sign_in_failures_key_hash_failed_at", "sign_in_failures", ["key_hash", "failed_at"]
    )
    op.create_index(op.f("ix_sign_in_failures_failed_at"), "sign_in_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failures_failed_at"), table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_key_hash_failed_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index(op.f("ix_web_sessions_expires_at"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
