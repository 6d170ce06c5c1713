"""achievements.icon: free text becomes an icon name of the icon set, or an emoji

An achievement's `icon` was free text, shown as typed. It now names an icon of the icon set
(Lucide, from the `lucide` package) or holds an emoji. Existing values are mapped:

- an emoji (one or several) is kept as it is;
- a name of the set, in any case and with spaces or underscores ("Thumbs up"), becomes
  that name ("thumbs-up");
- a few words and symbols used before the set existed map to the icon meant (`ALIASES`:
  "★" to star, "♛" to crown, "cup" to trophy, "$" to dollar-sign...);
- anything else becomes `award`, the icon shown for an achievement without one.

An empty icon becomes NULL. The frozen definitions in `achievement_versions` are history and
are left as they were. Downgrading keeps the mapped values: the old free-text column accepts
them as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from plaudit.kit.icons import is_emoji_text, is_icon_name, normalise_name

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALLBACK = "award"

ALIASES: dict[str, str] = {
    "★": "star",
    "☆": "star",
    "✩": "star",
    "✪": "star",
    "♛": "crown",
    "♕": "crown",
    "♚": "crown",
    "♔": "crown",
    "$": "dollar-sign",
    "€": "euro",
    "£": "pound-sterling",
    "♥": "heart",
    "♡": "heart",
    "✓": "check",
    "✔": "check",
    "⚑": "flag",
    "☎": "phone",
    "✉": "mail",
    "cup": "trophy",
    "prize": "trophy",
    "winner": "trophy",
    "king": "crown",
    "queen": "crown",
    "badge": "badge-check",
    "ribbon": "award",
    "rosette": "award",
    "fire": "flame",
    "hot": "flame",
    "lightning": "zap",
    "bolt": "zap",
    "thunder": "zap",
    "money": "banknote",
    "cash": "banknote",
    "dollar": "dollar-sign",
    "deal": "handshake",
    "call": "phone",
    "calls": "phone",
    "telephone": "phone",
    "email": "mail",
    "envelope": "mail",
    "thumbsup": "thumbs-up",
    "like": "thumbs-up",
    "idea": "lightbulb",
    "bulb": "lightbulb",
    "diamond": "gem",
    "jewel": "gem",
    "party": "party-popper",
    "celebrate": "party-popper",
    "team": "users",
    "people": "users",
    "person": "user",
    "chart": "chart-line",
    "growth": "trending-up",
    "graduation": "graduation-cap",
    "school": "graduation-cap",
    "book": "book-open",
    "id": "id-card",
    "card": "id-card",
    "loudspeaker": "megaphone",
    "announcement": "megaphone",
    "bullhorn": "megaphone",
}
"""Words and symbols used as icons before the icon set, and the icon of the set they meant."""

achievements = sa.table(
    "achievements",
    sa.column("id", sa.Integer),
    sa.column("icon", sa.String),
)


def icon_name_for(value: str | None) -> str | None:
    """What an old `icon` value becomes (see the module docstring)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if is_emoji_text(text):
        return text
    name = normalise_name(text)
    if is_icon_name(name):
        return name
    alias = ALIASES.get(text) or ALIASES.get(name) or ALIASES.get(name.replace("-", ""))
    if alias is not None and is_icon_name(alias):
        return alias
    return FALLBACK


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(achievements.c.id, achievements.c.icon)).all()
    for row_id, value in rows:
        mapped = icon_name_for(value)
        if mapped != value:
            bind.execute(
                sa.update(achievements).where(achievements.c.id == row_id).values(icon=mapped)
            )


def downgrade() -> None:
    """Nothing to undo: icon names and emoji are valid free text."""
