"""The navigation: one entry per top-level page, shown to the roles that may open it.

To add a page to the menu, add a `NavItem` here; the home page lists the entries the signed-in
user's role may see as cards, and `base.html` shows them in the header through `menu_for`:
entries with a `group` sit in that group's drop-down menu ("People", "Admin") so that the
header stays on one line, and a group with a single entry for the role is shown as that entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from plaudit.kit.roles import STAFF, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]
    description: str = ""
    # Other sections the entry stands for, e.g. all report pages when `href` is one of them.
    also_current: tuple[str, ...] = ()
    # The header's drop-down menu the entry is in; None: a top-level link.
    group: str | None = None
    is_group: ClassVar[bool] = False

    def is_current(self, path: str) -> bool:
        return any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in (self.href, *self.also_current)
        )


PEOPLE = "People"
ADMIN = "Admin"

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
        group=PEOPLE,
    ),
    NavItem(
        "Teams",
        "/admin/teams",
        frozenset(STAFF),
        "Each team's recent activity, achievements completed and members.",
        group=PEOPLE,
    ),
    NavItem(
        "Groups",
        "/admin/groups",
        frozenset(STAFF),
        "Audiences for achievements: static lists of teams and members, or ad hoc conditions.",
        group=PEOPLE,
    ),
    NavItem(
        "Users",
        "/admin/users",
        frozenset({Role.admin}),
        "The people who sign in to these pages, and their roles.",
        group=PEOPLE,
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
        "Sources",
        "/admin/sources",
        frozenset(STAFF),
        "The kinds of records that arrive, their fields and default filters, and the most "
        "recent records; delete a wrong one.",
        group=ADMIN,
    ),
    NavItem(
        "Streaming intake",
        "/admin/intake",
        frozenset(STAFF),
        "Messages from the record stream that could not apply, and why; retry after a fix.",
        group=ADMIN,
    ),
    NavItem(
        "Levels",
        "/admin/levels",
        frozenset({Role.admin}),
        "Named points thresholds shown next to names and on the portal.",
        group=ADMIN,
    ),
    NavItem(
        "Streaks",
        "/admin/streaks",
        frozenset({Role.admin}),
        "Rules met in consecutive days, weeks or months; members see their current and "
        "longest runs on their portal.",
        group=ADMIN,
    ),
    NavItem(
        "Calendar",
        "/admin/calendar",
        frozenset({Role.admin}),
        "Working days and holidays: daily streaks count working days only.",
        group=ADMIN,
    ),
    NavItem(
        "API tokens",
        "/admin/tokens",
        frozenset({Role.admin}),
        "Issue and revoke the tokens integrations use to call the API.",
        group=ADMIN,
    ),
    NavItem(
        "Open Badges issuer",
        "/admin/issuer",
        frozenset({Role.admin}),
        "Who published badges say issued them: name, web site, contact email, logo.",
        group=ADMIN,
    ),
    NavItem(
        "Audit log",
        "/admin/audit",
        frozenset({Role.admin}),
        "Who gave, revoked, activated, edited or deleted what, when and why.",
        group=ADMIN,
    ),
)


def nav_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV if role in item.roles]


@dataclass(frozen=True)
class NavGroup:
    """A drop-down menu of the header: a label and its entries for the role."""

    label: str
    items: tuple[NavItem, ...]
    is_group: ClassVar[bool] = True

    @property
    def slug(self) -> str:
        return self.label.lower().replace(" ", "-")

    def is_current(self, path: str) -> bool:
        return any(item.is_current(path) for item in self.items)


def menu_for(role: Role | None) -> list[NavItem | NavGroup]:
    """The header's entries for `role`, in NAV order: each group where its first entry is,
    holding all its entries; a group with one entry for the role is that entry."""
    items = nav_for(role)
    out: list[NavItem | NavGroup] = []
    placed: set[str] = set()
    for item in items:
        if item.group is None:
            out.append(item)
        elif item.group not in placed:
            placed.add(item.group)
            members = tuple(i for i in items if i.group == item.group)
            out.append(members[0] if len(members) == 1 else NavGroup(item.group, members))
    return out
