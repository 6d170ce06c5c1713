"""issuer keys: Open Badges 3.0 signing keys and the signed credentials

`issuer_keys` holds the organisation's Ed25519 keys (the secret half encrypted; at most one
active, by a unique `active` column that is NULL for retired keys); `issued_credentials` the signed OpenBadgeCredential of
each published award and its never-reused place in the revocation status lists.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plaudit.db.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=100), nullable=False),
        sa.Column("private_key_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_keys")),
        sa.UniqueConstraint("active", name=op.f("uq_issuer_keys_active")),
        sa.UniqueConstraint(
            "public_key_multibase", name=op.f("uq_issuer_keys_public_key_multibase")
        ),
    )
    op.create_table(
        "issued_credentials",
        sa.Column("award_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column(
            "credential",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("issued_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_issued_credentials_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["issuer_keys.id"],
            name=op.f("fk_issued_credentials_key_id_issuer_keys"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("award_id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("public_id", name=op.f("uq_issued_credentials_public_id")),
        sa.UniqueConstraint("sequence", name=op.f("uq_issued_credentials_sequence")),
    )


def downgrade() -> None:
    op.drop_table("issued_credentials")
    op.drop_table("issuer_keys")
