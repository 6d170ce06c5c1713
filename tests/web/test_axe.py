"""Every page passes axe-core (issue 19): each GET page of the web app is opened in headless
chromium as the role that uses it, over a site with data on every page (tables, forms,
charts), at 1440 px (and 390 px for the main pages), and axe must find no serious or critical
violation. Each role walks its pages in one browser context, signed in once.

"Every page" is enforced: the GET routes of plaudit.web.routes.ROUTERS must each be visited
(VISITS) or excluded with a reason (EXCLUDED). A new page is one line in VISITS.

No page may be wider than the window either (a sideways scroll on a phone).

With PLAUDIT_SCREENSHOTS=1 the walk also writes docs/screenshots/page-<name>.png of every
visited page (1440 px wide, the full page) and page-<name>-phone.png of the pages scanned at
390 px (the first screen).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine

import plaudit.web
from plaudit.web.routes import ROUTERS
from tests.web.axe import report, violations
from tests.web.axe_data import PageIds, make_pages_data
from tests.web.conftest import SCREENSHOTS
from tests.web.helpers import Site
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

WIDE = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ANONYMOUS, MEMBER, MANAGER, ADMIN = "anonymous", "member", "manager", "admin"


@dataclass(frozen=True)
class Visit:
    """One page to scan. `route` is the path exactly as its router declares it; its
    parameters (and any in `query`) are filled from the seeded ids of axe_data.py, by the
    parameter's name or, through `use`, by another id (`{"achievement_id": "closer_id"}`)."""

    name: str  # unique: the failure report's name and docs/screenshots/page-<name>.png
    route: str
    role: str
    query: str = ""
    use: dict[str, str] = field(default_factory=dict)
    phone: bool = False  # scanned at 390 px too

    def url(self, ids: PageIds) -> str:
        values = {**ids, **{param: ids[other] for param, other in self.use.items()}}
        # A parameter with a convertor ("{public_id:public_id}") is filled like any other.
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", self.route).format(**values)
        return f"{path}?{self.query.format(**values)}" if self.query else path


VISITS: tuple[Visit, ...] = (
    Visit("login", "/login", ANONYMOUS, phone=True),
    Visit("home-member", "/", MEMBER),
    Visit("portal", "/portal", MEMBER, phone=True),
    Visit("leaderboard", "/leaderboard", MEMBER, phone=True),
    Visit("leaderboard-tv", "/leaderboard/tv", MEMBER),
    Visit("seasons", "/leaderboard/seasons", MEMBER, query="board={season_board_id}", phone=True),
    Visit(
        "explain",
        "/members/{member_id}/achievements/{achievement_id}/explain",
        MEMBER,
        use={"member_id": "ada_id"},
        phone=True,
    ),
    Visit("tv-playlist", "/tv/playlists/{playlist_id}", MEMBER),
    Visit("home", "/", MANAGER),
    Visit("members", "/admin/members", MANAGER, phone=True),
    Visit("member", "/admin/members/{member_id}", MANAGER, phone=True),
    Visit("member-award-revoke", "/admin/members/{member_id}/awards/{award_id}/revoke", MANAGER),
    Visit("teams", "/admin/teams", MANAGER),
    Visit("team", "/admin/teams/{team_id}", MANAGER, phone=True),
    Visit("groups", "/admin/groups", MANAGER),
    Visit("group-new", "/admin/groups/new", MANAGER),
    Visit("group", "/admin/groups/{group_id}", MANAGER),
    Visit("group-delete", "/admin/groups/{group_id}/delete", MANAGER),
    Visit("report-completion", "/admin/reports/completion", MANAGER, phone=True),
    Visit("report-activity", "/admin/reports/activity", MANAGER),
    Visit(
        "report-completion-members",
        "/admin/reports/completion/members",
        MANAGER,
        query="achievement_id={achievement_id}&team={team_id}",
    ),
    Visit("exports", "/admin/exports", MANAGER),
    Visit("leaderboard-staff", "/leaderboard", MANAGER),
    Visit("boards", "/admin/boards", MANAGER),
    Visit("board", "/admin/boards/{board_id}", MANAGER),
    Visit(
        "board-seasonal",
        "/admin/boards/{board_id}",
        MANAGER,
        use={"board_id": "season_board_id"},
        phone=True,
    ),
    Visit("board-delete", "/admin/boards/{board_id}/delete", MANAGER),
    Visit("playlists", "/admin/playlists", MANAGER),
    Visit("playlist", "/admin/playlists/{playlist_id}", MANAGER),
    Visit("playlist-delete", "/admin/playlists/{playlist_id}/delete", MANAGER),
    Visit("achievements", "/admin/achievements", ADMIN, phone=True),
    Visit("achievement-new", "/admin/achievements/new", ADMIN, phone=True),
    Visit("achievement", "/admin/achievements/{achievement_id}", ADMIN),
    Visit(
        "achievement-draft",
        "/admin/achievements/{achievement_id}",
        ADMIN,
        use={"achievement_id": "inactive_achievement_id"},
    ),
    Visit(
        "achievement-activate",
        "/admin/achievements/{achievement_id}/activate",
        ADMIN,
        use={"achievement_id": "inactive_achievement_id"},
    ),
    Visit("achievement-deactivate", "/admin/achievements/{achievement_id}/deactivate", ADMIN),
    Visit(
        "achievement-delete",
        "/admin/achievements/{achievement_id}/delete",
        ADMIN,
        use={"achievement_id": "inactive_achievement_id"},
    ),
    Visit("achievement-holders", "/admin/achievements/{achievement_id}/holders", ADMIN),
    Visit("achievement-give", "/admin/achievements/{achievement_id}/give", MANAGER),
    Visit(
        "achievement-holder-revoke",
        "/admin/achievements/{achievement_id}/holders/{award_id}/revoke",
        ADMIN,
    ),
    Visit("notifications", "/admin/notifications", ADMIN),
    Visit("notification-new", "/admin/notifications/new", ADMIN),
    Visit("notification", "/admin/notifications/{notification_id}", ADMIN),
    Visit("notification-delete", "/admin/notifications/{notification_id}/delete", ADMIN),
    Visit("notification-test", "/admin/notifications/{notification_id}/test", ADMIN),
    Visit("notification-deliveries", "/admin/notifications/{notification_id}/deliveries", ADMIN),
    Visit(
        "notification-slack",
        "/admin/notifications/{notification_id}",
        ADMIN,
        use={"notification_id": "slack_notification_id"},
    ),
    Visit(
        "notification-award",
        "/admin/notifications/{notification_id}",
        ADMIN,
        use={"notification_id": "award_notification_id"},
    ),
    Visit(
        "notification-level-test",
        "/admin/notifications/{notification_id}/test",
        ADMIN,
        use={"notification_id": "level_notification_id"},
    ),
    Visit(
        "notification-slack-deliveries",
        "/admin/notifications/{notification_id}/deliveries",
        ADMIN,
        use={"notification_id": "slack_notification_id"},
    ),
    Visit("member-new", "/admin/members/new", ADMIN),
    Visit("member-edit", "/admin/members/{member_id}/edit", ADMIN),
    Visit("team-new", "/admin/teams/new", ADMIN),
    Visit("team-edit", "/admin/teams/{team_id}/edit", ADMIN),
    Visit("users", "/admin/users", ADMIN),
    Visit("user", "/admin/users/{user_id}", ADMIN),
    Visit("tokens", "/admin/tokens", ADMIN),
    Visit("calendar", "/admin/calendar", ADMIN, phone=True),
    Visit("streaks", "/admin/streaks", ADMIN, phone=True),
    Visit("levels", "/admin/levels", ADMIN),
    Visit("level-edit", "/admin/levels/{level_id}", ADMIN),
    Visit("sources", "/admin/sources", MANAGER, phone=True),
    Visit("source-new", "/admin/sources/new", ADMIN),
    Visit("source", "/admin/sources/{key}", ADMIN, phone=True),
    Visit("source-record-delete", "/admin/sources/{key}/records/{record_id}/delete", ADMIN),
    Visit("audit-log", "/admin/audit", ADMIN, phone=True),
    Visit("intake", "/admin/intake", MANAGER, query="show=all", phone=True),
    Visit("embeds", "/admin/embeds", ADMIN),
    Visit("token-revoke", "/admin/tokens/{token_id}/revoke", ADMIN),
    Visit("badge-public", "/badges/{public_id:public_id}", ANONYMOUS, phone=True),
    Visit("badge-criteria", "/ob/v2/badges/{badge_id}/criteria", ANONYMOUS),
    Visit("issuer", "/admin/issuer", ADMIN),
)

EXCLUDED: dict[str, str] = {
    "/badges/{achievement_id}": "an image (the badge), not a page",
    "/backgrounds/{achievement_id}": "an image (a tile's background), not a page",
    "/admin/exports/awards.csv": "a CSV download",
    "/admin/reports": "a redirect to /admin/reports/completion",
    "/admin/icons": "JSON for the icon picker of the achievement form",
    "/admin/sources/{key}/values": "JSON for the rule builder's value suggestions",
    "/leaderboard/tv/board": "an HTML fragment that tv.js shows in /leaderboard/tv",
    "/tv/playlists/{playlist_id}/board": "an HTML fragment that tv.js shows in the playlist",
    "/embed/badges/{achievement_id}": "an image (a badge inside an embedded page)",
    "/embed/portal": "needs a signed link and an allowed origin: scanned by "
    "test_browser_embed.py::test_embedded_pages_pass_axe",
    "/embed/leaderboard": "needs a signed link and an allowed origin: scanned by "
    "test_browser_embed.py::test_embedded_pages_pass_axe",
}

ROLES = (ANONYMOUS, MEMBER, MANAGER, ADMIN)

STATIC_JS = Path(plaudit.web.__file__).parent / "static" / "js"
FETCHING_SCRIPTS = tuple(
    sorted(path.name for path in STATIC_JS.glob("*.js") if "fetch(" in path.read_text())
)
"""The pages' scripts that may load more after the page's `load` event (tv boards, previews,
icons, suggested values): read from the scripts themselves, so a new one counts at once."""
LOADS_MORE = "names => [...document.scripts].some(s => names.some(n => s.src.endsWith('/' + n)))"


def page_routes() -> set[str]:
    return {
        route.path
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or ())
    }


def test_every_page_is_scanned_or_excluded_with_a_reason() -> None:
    routes = page_routes()
    visited = {visit.route for visit in VISITS}
    missing = sorted(routes - visited - EXCLUDED.keys())
    assert not missing, (
        f"GET pages that test_axe.py does not scan: {missing}. Add a line to VISITS "
        "(or, for a download, redirect or image, to EXCLUDED with the reason)."
    )
    stale = sorted((visited | EXCLUDED.keys()) - routes)
    assert not stale, f"VISITS or EXCLUDED name routes the web app does not have: {stale}"
    assert not visited & EXCLUDED.keys(), "a route is both visited and excluded"
    assert all(reason.strip() for reason in EXCLUDED.values())
    names = [visit.name for visit in VISITS]
    assert len(names) == len(set(names)), "two visits share a name (and a screenshot)"
    assert {visit.role for visit in VISITS} <= set(ROLES)
    for visit in VISITS:
        params = {name for _, name, _, _ in Formatter().parse(visit.route + visit.query) if name}
        assert set(visit.use) <= params, f"{visit.name}: `use` names no parameter of its route"


@pytest.fixture
def ids(site: Site, web_engine: Engine, web_database_url: str) -> PageIds:
    return make_pages_data(web_engine, site, web_database_url)


@pytest.fixture
def walker(
    chromium: Browser, live_url: str, ids: PageIds, request: pytest.FixtureRequest
) -> Iterator[Tab]:
    """One browser context for the role, signed in once (after the data is made)."""
    tab = Tab(chromium, live_url, WIDE)
    if request.node.callspec.params["role"] != ANONYMOUS:
        tab.sign_in(request.node.callspec.params["role"])
    yield tab
    tab.context.close()


def scan(tab: Tab, visit: Visit, url: str, width: int) -> str | None:
    """Open the page, run axe and measure its width; the report of what is wrong, or None."""
    where = f"{visit.name}: GET {url} as {visit.role}, {width} px"
    response = tab.page.goto(tab.base + url)
    if response is None or response.status != 200:
        return f"{where}: answered {response and response.status}, not 200"
    if tab.page.url != tab.base + url:
        return f"{where}: ended at {tab.page.url} (a redirect), not the page itself"
    # `goto` returned at `load`: every stylesheet, image and script is in. Only a page with a
    # script that fetches may still change; wait for its network to rest (500 ms of quiet).
    if tab.page.evaluate(LOADS_MORE, list(FETCHING_SCRIPTS)):
        tab.page.wait_for_load_state("networkidle")
    found = violations(tab.page)
    if os.environ.get("PLAUDIT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        wide = width == WIDE["width"]
        name = f"page-{visit.name}.png" if wide else f"page-{visit.name}-phone.png"
        tab.page.screenshot(path=str(SCREENSHOTS / name), full_page=wide)
    problems = [report(where, found)] if found else []
    scrolled = tab.page.evaluate("document.documentElement.scrollWidth")
    if scrolled > width:
        problems.append(f"{where}: the page is {scrolled} px wide, wider than the window")
    return "\n".join(problems) or None


@pytest.mark.parametrize("role", ROLES)
def test_pages_pass_axe(role: str, walker: Tab, ids: PageIds) -> None:
    mine = [visit for visit in VISITS if visit.role == role]
    problems = [scan(walker, visit, visit.url(ids), WIDE["width"]) for visit in mine]
    walker.page.set_viewport_size(PHONE)
    problems += [
        scan(walker, visit, visit.url(ids), PHONE["width"]) for visit in mine if visit.phone
    ]
    found = [problem for problem in problems if problem]
    assert not found, "pages with serious or critical axe violations:\n" + "\n".join(found)
    assert walker.errors == [], f"script errors in the pages: {walker.errors}"
    assert walker.dialogs == [], f"the pages opened dialogs: {walker.dialogs}"


def test_the_pages_scripts_that_fetch_are_known() -> None:
    """The walk's wait depends on this list: it must hold the scripts that fetch, and only
    names of scripts that exist."""
    assert {"tv.js", "group-form.js", "icon-picker.js", "rule-builder.js"} <= set(FETCHING_SCRIPTS)
    assert "nav.js" not in FETCHING_SCRIPTS
    assert all((STATIC_JS / name).is_file() for name in FETCHING_SCRIPTS)


def test_the_scan_reports_what_axe_finds(chromium: Browser, live_url: str, site: Site) -> None:
    """The walk is not vacuous: a page spoiled on purpose (an image without a text, a field
    without a label) fails with the rule, the element and axe's help."""
    tab = Tab(chromium, live_url, WIDE)
    try:
        tab.go("/login")
        tab.page.evaluate(
            """() => document.querySelector('main').insertAdjacentHTML('beforeend',
                '<img id="spoilt-image" src="data:,"><input id="spoilt-field">')"""
        )
        found = violations(tab.page)
        assert {violation["id"] for violation in found} >= {"image-alt", "label"}
        text = report("login, spoilt", found)
        assert "image-alt (critical): Images must have alternative text" in text
        assert "at #spoilt-image" in text and "at #spoilt-field" in text
    finally:
        tab.context.close()
