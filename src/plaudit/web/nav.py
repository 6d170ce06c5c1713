"""The navigation: one entry per top-level page, shown to the roles that may open it.

To add a page to the menu, add a `NavItem` here; `base.html` shows the entries the signed-in
user's role may see and marks the current one, and the home page lists them as cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from plaudit.kit.roles import STAFF, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]
    description: str = ""

    def is_current(self, path: str) -> bool:
        return path == self.href or path.startswith(self.href.rstrip("/") + "/")


NAV: tuple[NavItem, ...] = (
    NavItem(
        "Achievements",
        "/admin/achievements",
        frozenset(STAFF),
        "Create achievements, set their rules, activate and deactivate them.",
    ),
)


def nav_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV if role in item.roles]
