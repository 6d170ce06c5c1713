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
    # Other sections the entry stands for, e.g. all report pages when `href` is one of them.
    also_current: tuple[str, ...] = ()

    def is_current(self, path: str) -> bool:
        return any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in (self.href, *self.also_current)
        )


NAV: tuple[NavItem, ...] = (
    NavItem(
        "My achievements",
        "/portal",
        frozenset({Role.member}),
        "Your achievements: progress towards each, your points and your recent awards.",
    ),
    NavItem(
        "Achievements",
        "/admin/achievements",
        frozenset(STAFF),
        "Create achievements, set their rules, activate and deactivate them.",
    ),
    NavItem(
        "Members",
        "/admin/members",
        frozenset(STAFF),
        "Find members, see their awards and points, give or revoke an achievement.",
    ),
    NavItem(
        "Teams",
        "/admin/teams",
        frozenset(STAFF),
        "Each team's recent activity, achievements completed and members.",
    ),
    NavItem(
        "Groups",
        "/admin/groups",
        frozenset(STAFF),
        "Audiences for achievements: static lists of teams and members, or ad hoc conditions.",
    ),
    NavItem(
        "Leaderboard",
        "/leaderboard",
        frozenset({Role.admin, Role.manager, Role.member}),
        "Members ranked by points or by records, per period and team; TV mode for a screen.",
        also_current=("/admin/boards", "/admin/playlists", "/admin/embeds"),
    ),
    NavItem(
        "Notifications",
        "/admin/notifications",
        frozenset(STAFF),
        "Give achievements or call webhooks when records arrive or a formula crosses a "
        "threshold; test them first.",
    ),
    NavItem(
        "Reports",
        "/admin/reports/completion",
        frozenset(STAFF),
        "Completion of each achievement by team, awards and points over time, CSV export.",
        also_current=("/admin/reports", "/admin/exports"),
    ),
    NavItem(
        "Users",
        "/admin/users",
        frozenset({Role.admin}),
        "The people who sign in to these pages, and their roles.",
    ),
    NavItem(
        "API tokens",
        "/admin/tokens",
        frozenset({Role.admin}),
        "Issue and revoke the tokens integrations use to call the API.",
    ),
)


def nav_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV if role in item.roles]
