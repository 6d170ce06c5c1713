"""TV mode in a real browser (issue 19, item 4): at 1920x1080, 1280x720, 3840x2160 and on a
portrait screen every one of the ten rows, the title and the footer are inside the viewport
and nothing scrolls; a playlist opened with its TV link (no sign-in) moves to its next board
by itself and stops when the link is revoked.

With PLAUDIT_SCREENSHOTS=1 the tests also save screenshots in docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.test_browser import DESKTOP, PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

LONG_NAMES = [
    "Maximiliana Bartholomew-Featherstonehaugh",
    "Ada Lovelace",
    "Grace Brewster Murray Hopper",
    "Ken Thompson",
    "Katherine Coleman Goble Johnson",
    "Dennis MacAlistair Ritchie",
    "Barbara Liskov",
    "Edsger Wybe Dijkstra",
    "Frances Elizabeth Allen",
    "Donald Ervin Knuth",
    "Margaret Heafield Hamilton",
    "Tim Berners-Lee",
]
SCREENS = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1280x720": {"width": 1280, "height": 720},
    "3840x2160": {"width": 3840, "height": 2160},
    "portrait-1080x1920": {"width": 1080, "height": 1920},
}


def api(tab: Tab, method: str, path: str, body: Any = None) -> Any:
    response = tab.page.request.fetch(
        f"{tab.base}/api/v1{path}",
        method=method,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        data=body,
    )
    assert response.ok, response.text()
    return response.json() if response.text() else None


@pytest.fixture
def admin_tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"


@pytest.fixture
def ranked(admin_tab: Tab) -> dict[str, int]:
    """Twelve members with 1..12 deals, and two boards: deals (published) and points."""
    now = datetime.now(UTC).isoformat()
    records = []
    for n, name in enumerate(LONG_NAMES, start=1):
        member = api(admin_tab, "POST", "/members", {"name": name})
        records += [{"member_id": member["id"], "occurred_at": now, "data": {"value": 10}}] * n
    api(admin_tab, "POST", "/sources/deals/records", {"records": records})
    deals = api(
        admin_tab,
        "POST",
        "/leaderboard/boards",
        {
            "name": "Deals closed · the whole sales organisation",
            "measure": {"source": "deals"},
            "period": "none",
            "published": True,
        },
    )
    points = api(admin_tab, "POST", "/leaderboard/boards", {"name": "Points", "published": False})
    return {"deals": deals["id"], "points": points["id"]}


def assert_fits(page: Page, rows: int) -> None:
    """Every row, the title and the footer inside the viewport; nothing scrolls."""
    sizes = page.evaluate(
        """() => {
          const box = (n) => { const r = n.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
          return {
            height: innerHeight, width: innerWidth,
            scrollHeight: document.scrollingElement.scrollHeight,
            scrollWidth: document.scrollingElement.scrollWidth,
            rows: [...document.querySelectorAll('#tv-board tbody tr')].map(box),
            title: box(document.getElementById('tv-title')),
            foot: box(document.querySelector('.tv-foot')),
            font: parseFloat(
              getComputedStyle(document.querySelector('#tv-board tbody td')).fontSize),
          };
        }"""
    )
    height, width = sizes["height"], sizes["width"]
    assert sizes["scrollHeight"] <= height, sizes
    assert sizes["scrollWidth"] <= width, sizes
    assert len(sizes["rows"]) == rows, sizes
    for part in [*sizes["rows"], sizes["title"], sizes["foot"]]:
        assert part["top"] >= 0 and part["bottom"] <= height, (part, sizes)
        assert part["left"] >= 0 and part["right"] <= width, (part, sizes)
    assert sizes["font"] >= height / 60 or sizes["font"] >= width / 60, sizes  # readable


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_tv_mode_fits_the_screen(
    chromium: Browser, admin_tab: Tab, ranked: dict[str, int], screen: str
) -> None:
    shown = Tab(chromium, admin_tab.base, SCREENS[screen])
    try:
        shown.sign_in("admin")
        shown.go(f"/leaderboard/tv?board=board-{ranked['deals']}&seconds=600")
        title = shown.page.text_content("#tv-title")
        assert title == "Deals closed · the whole sales organisation · All time"
        assert_fits(shown.page, rows=10)
        first = shown.page.text_content("#tv-board tbody tr:first-child .member-name")
        assert first == "Tim Berners-Lee"  # 12 deals
        screenshot(shown.page, f"tv-{screen}")
        assert shown.errors == []
    finally:
        shown.context.close()


def test_playlist_link_cycles_without_sign_in_and_stops_when_revoked(
    chromium: Browser, admin_tab: Tab, ranked: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    made = api(
        admin_tab,
        "POST",
        "/tv/playlists",
        {
            "name": "Sales floor",
            "items": [
                {"board_id": ranked["deals"], "seconds": 5},
                {"board_id": ranked["points"], "seconds": 5},
            ],
        },
    )
    link = api(admin_tab, "POST", f"/tv/playlists/{made['id']}/link")
    screen = Tab(chromium, admin_tab.base, SCREENS["1280x720"])
    try:
        navigations: list[str] = []
        screen.page.on("framenavigated", lambda frame: navigations.append(frame.url))
        # The page's timers run on Playwright's clock: a board's five seconds pass at once.
        screen.page.clock.install()
        screen.go(link["tv_path"])
        page = screen.page
        assert page.text_content("#tv-title") == (
            "Deals closed · the whole sales organisation · All time"
        )
        assert page.text_content("#tv-next-name") == "Points"
        assert_fits(page, rows=10)
        loaded = len(navigations)
        # The unpublished board comes next: the admin put it on the playlist.
        page.clock.run_for(5_000)
        expect(page.locator("#tv-title")).to_have_text("Points · This month", timeout=12_000)
        assert page.text_content("#tv-pos") == "2"
        assert page.get_attribute("[data-dot='1']", "aria-current") == "step"
        assert page.text_content("#tv-next-name") == ("Deals closed · the whole sales organisation")
        assert len(navigations) == loaded, f"the page navigated: {navigations}"
        screenshot(page, "tv-playlist")

        api(admin_tab, "DELETE", f"/tv/playlists/{made['id']}/link")
        page.clock.run_for(5_000)
        expect(page.locator("body")).to_contain_text("revoked", timeout=12_000)
        assert page.locator("#tv-board tbody tr").count() == 0
    finally:
        screen.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, PHONE], ids=["1440", "390"])
def test_playlist_page_builds_a_playlist(
    chromium: Browser, admin_tab: Tab, ranked: dict[str, int], viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    made = api(admin_tab, "POST", "/tv/playlists", {"name": "Lobby"})
    editor = Tab(chromium, admin_tab.base, viewport)
    try:
        editor.sign_in("manager")
        editor.go(f"/admin/playlists/{made['id']}")
        page = editor.page
        for board in ("deals", "points"):
            page.select_option("#add-board", str(ranked[board]))
            with page.expect_navigation():
                page.click("button:has-text('Add board')")
        expect(page.locator("#playlist-notice")).to_contain_text("Board added")
        with page.expect_navigation():
            page.click("button[aria-label='Move board 2 up']")
        page.fill("#seconds-0", "9")
        with page.expect_navigation():
            page.click("button:has-text('Save playlist')")
        saved = api(admin_tab, "GET", f"/tv/playlists/{made['id']}")["items"]
        assert [(i["board_id"], i["seconds"]) for i in saved] == [
            (ranked["points"], 9),
            (ranked["deals"], 20),
        ]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        expect(page.locator(".playlist-warning")).to_contain_text("Points (not published)")
        screenshot(page, f"playlist-edit-{viewport['width']}")
        assert editor.errors == []
    finally:
        editor.context.close()
