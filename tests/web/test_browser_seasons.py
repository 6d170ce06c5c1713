"""The seasons page in a real browser, at 1440 px and 390 px: from the leaderboard to the
seasons of a board, then to a past season with a tie, nothing wider than the window.

With PLAUDIT_SCREENSHOTS=1 the test also saves screenshots in docs/screenshots/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.seasons_data import seasonal_board
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "390"])
def test_browse_the_past_seasons_of_a_board(
    chromium: Browser, live_url: str, site: Site, web_engine: Engine, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    seasonal_board(web_engine)
    tab = Tab(chromium, live_url, viewport)
    try:
        tab.sign_in("member")
        tab.go("/leaderboard")
        with tab.page.expect_navigation():
            tab.page.click("a:has-text('Seasons')")
        page = tab.page
        expect(page.locator("caption").first).to_have_text("Monthly deal value · October 2026")
        first = page.locator(".leaderboard-table tbody tr").first
        expect(first.locator(".member-name")).to_have_text("Cem")
        expect(page.locator(".season-awards tbody tr")).to_have_count(4)
        screenshot(page, f"seasons-{viewport['width']}")
        with page.expect_navigation():
            page.click("a:has-text('August 2026')")
        expect(page.locator(".season-chips a[aria-current='page']")).to_have_text("August 2026")
        ranks = page.locator(".leaderboard-table tbody .rank").all_text_contents()
        assert ranks == ["1", "2", "3", "3"]  # Cem and Dee tie for third
        expect(page.locator(".season-awards tbody tr")).to_have_count(5)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"seasons-tie-{viewport['width']}")
        assert tab.errors == []
    finally:
        tab.context.close()
