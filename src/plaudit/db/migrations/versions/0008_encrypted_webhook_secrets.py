"""notifications.webhook_secret_encrypted: webhook secrets encrypted at rest

The plain-text `webhook_secret` column is replaced by `webhook_secret_encrypted`, a Fernet
token made with the keys of PLAUDIT_ENCRYPTION_KEYS (or the key file, created if missing):
existing secrets are encrypted, and their plain text is overwritten before the column is
dropped. Downgrading decrypts them back (it needs the same keys).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from plaudit.kit.encryption import Keyring

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("webhook_secret", sa.String),
    sa.column("webhook_secret_encrypted", sa.Text),
)


def _keys() -> Keyring:
    """The keys of this process's settings, as `plaudit migrate` and `plaudit serve` read them
    (PLAUDIT_ENCRYPTION_KEYS, or PLAUDIT_ENCRYPTION_KEY_FILE): needed only when a secret is
    stored."""
    from plaudit.config import Settings

    return Settings().keyring()


def _convert(
    source: sa.ColumnClause[str],
    target: sa.ColumnClause[str],
    change: Callable[[Keyring, str], str],
) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(notifications.c.id, source).where(source.is_not(None))).all()
    if not rows:
        return
    keys = _keys()
    for row_id, value in rows:
        bind.execute(
            sa.update(notifications)
            .where(notifications.c.id == row_id)
            .values({target.name: change(keys, value), source.name: None})
        )


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("webhook_secret_encrypted", sa.Text(), nullable=True))
    _convert(
        notifications.c.webhook_secret,
        notifications.c.webhook_secret_encrypted,
        lambda keys, plain: keys.encrypt(plain),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("webhook_secret")


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("webhook_secret", sa.String(length=200), nullable=True))
    _convert(
        notifications.c.webhook_secret_encrypted,
        notifications.c.webhook_secret,
        lambda keys, token: keys.decrypt(token),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("webhook_secret_encrypted")
