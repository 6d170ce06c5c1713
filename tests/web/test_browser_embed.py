"""Embedding in a real browser: a page served by ANOTHER origin (a second small HTTP server on
127.0.0.1, another port) frames a member's portal and a leaderboard, and they render inside
the frame; the same frame on an origin that is not allowed is blocked by chromium because of
`frame-ancestors`. Also the Embed page (/admin/embeds) making a link and copying it.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/embed-portal-1440.png,
embed-portal-390.png, embed-leaderboard-1440.png, embed-blocked-1440.png,
embed-admin-1440.png and embed-admin-390.png.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from tests.conftest import ADMIN_TOKEN
from tests.live_server import live_server
from tests.loopback_http import loopback_request
from tests.web.axe import report, violations
from tests.web.conftest import screenshot, web_settings
from tests.web.helpers import Site
from tests.web.portal_data import THREE_DEALS, achievement, deals, give, member
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 900}


class HostSite:
    """Another site on 127.0.0.1 (its own port, so its own origin) serving pages set by the
    test: stands for the partner portal that frames Plaudit."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[HostSite]:
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(10)


def host_page(title: str, url: str, height: int) -> str:
    """The partner's page: its own heading and colours, the iframe, and the listener that
    sizes the iframe from the embed's height messages."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Unifyr portal</title>
<style>body{{margin:0;font:16px system-ui,sans-serif;background:#eef1f6;color:#14213d}}
header{{background:#14213d;color:#fff;padding:14px 24px;font-weight:700}}
main{{max-width:1100px;margin:24px auto;padding:0 16px}}
.card{{background:#fff;border-radius:12px;padding:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}}
iframe{{display:block;width:100%;border:0}}</style></head>
<body><header>Unifyr partner portal</header><main><h1>{title}</h1>
<div class="card"><iframe id="plaudit" title="{title}" src="{url}" height="{height}"></iframe></div>
<p id="sized">not sized</p></main>
<script>addEventListener("message", function (e) {{
  if (e.data && e.data.type === "plaudit:embed-height") {{
    document.getElementById("plaudit").style.height = e.data.height + "px";
    document.getElementById("sized").textContent = "sized " + e.data.height;
  }}
}});</script></body></html>"""


@pytest.fixture
def allowed() -> Iterator[HostSite]:
    with HostSite().running() as site:
        yield site


@pytest.fixture
def stranger() -> Iterator[HostSite]:
    with HostSite().running() as site:
        yield site


@pytest.fixture
def plaudit(site: Site, web_database_url: str, allowed: HostSite) -> Iterator[str]:
    """Plaudit on its own port, allowing frames from `allowed` only."""
    settings = web_settings(web_database_url, embed_allowed_origins=allowed.origin)
    with live_server(settings) as url:
        yield url


@pytest.fixture
def achievements(site: Site, web_engine: Engine) -> None:
    """Ada has a complete achievement, one in progress and a given award; others rank."""
    achievement(web_engine)  # Profile pro: Ada updated her profile, so she holds it
    achievement(
        web_engine,
        key="closer",
        name="Closer",
        icon="trophy",
        points=50,
        description="Close three deals",
        requirements=[[THREE_DEALS]],
    )
    kudos = achievement(
        web_engine,
        key="kudos",
        name="Kudos",
        icon="heart",
        points=10,
        description="Thanked by a colleague",
        requirements=[],
    )
    deals(web_engine, site.member_id, 1200, 800)
    give(web_engine, site.member_id, kudos)
    for name, count in (("Ben Ortiz", 2), ("Chen Wu", 1)):
        someone = member(web_engine, name)
        for _ in range(count):
            give(web_engine, someone, kudos)


def issue(plaudit: str, body: dict[str, Any]) -> str:
    answer = loopback_request(
        "POST",
        plaudit + "/api/v1/embeds",
        json=body,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["url"]
    return url


@pytest.fixture
def tab(chromium: Browser, plaudit: str) -> Iterator[Tab]:
    opened = Tab(chromium, plaudit, WIDE)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"


def console_of(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def test_an_allowed_site_frames_the_portal_and_a_leaderboard(
    tab: Tab, chromium: Browser, plaudit: str, allowed: HostSite, site: Site, achievements: None
) -> None:
    assert allowed.origin != plaudit  # two origins: another port on 127.0.0.1
    portal = issue(plaudit, {"kind": "portal", "member_id": site.member_id})
    allowed.pages["/portal.html"] = host_page("Your achievements", portal, 400)
    page = tab.page
    page.goto(allowed.origin + "/portal.html")
    frame = page.frame_locator("#plaudit")
    expect(frame.locator(".portal-name")).to_have_text("Ada Lovelace")
    expect(frame.locator("h1")).to_have_text("Achievements of Ada Lovelace")  # for readers
    expect(frame.locator('[data-achievement-key="profile-pro"]')).to_be_visible()
    expect(frame.locator(".tile-badge, .tile-icon").first).to_be_visible()
    assert frame.locator(".site-header, .site-nav, form").count() == 0  # no menu, read-only
    expect(page.locator("#sized")).to_contain_text("sized ")  # embed.js sized the iframe
    height = page.eval_on_selector("#plaudit", "f => f.getBoundingClientRect().height")
    assert height > 450  # grown from 400 to the content's height
    hidden = frame.locator("html").evaluate("h => h.scrollHeight - innerHeight")
    assert hidden <= 1  # nothing left to scroll inside the frame
    assert tab.context.cookies(plaudit) == []  # the frame set no cookie
    screenshot(page, "embed-portal-1440")

    phone = Tab(chromium, allowed.origin, PHONE)
    phone.go("/portal.html")
    expect(phone.page.frame_locator("#plaudit").locator(".portal-name")).to_have_text(
        "Ada Lovelace"
    )
    expect(phone.page.locator("#sized")).to_contain_text("sized ")
    scroll = (
        phone.page.frame_locator("#plaudit")
        .locator("html")
        .evaluate("html => html.scrollWidth - html.clientWidth")
    )
    assert scroll == 0  # nothing wider than the phone
    screenshot(phone.page, "embed-portal-390")
    phone.context.close()

    board = issue(
        plaudit, {"kind": "leaderboard", "period": "none", "theme": {"primary": "#0a7d5a"}}
    )
    allowed.pages["/board.html"] = host_page("Top partners", board, 420)
    page.goto(allowed.origin + "/board.html")
    rows = page.frame_locator("#plaudit").locator(".leaderboard-table tbody tr .member-name")
    expect(rows).to_have_text(["Ada Lovelace", "Ben Ortiz", "Chen Wu", "Grace Hopper"])
    expect(page.frame_locator("#plaudit").locator("h1")).to_have_text("Points · All time")
    expect(page.locator("#sized")).to_contain_text("sized ")
    board_height = page.eval_on_selector("#plaudit", "f => f.getBoundingClientRect().height")
    assert 200 < board_height < 420  # shrunk to the table, no empty band below it
    width = (
        page.frame_locator("#plaudit")
        .locator(".leaderboard-table")
        .evaluate("t => t.getBoundingClientRect().width")
    )
    assert width > 900  # the table fills the frame, not a narrow column in its middle
    screenshot(page, "embed-leaderboard-1440")

    # An altered link shows the refusal inside the frame
    allowed.pages["/bad.html"] = host_page("Broken", portal[:-3] + "xyz", 200)
    page.goto(allowed.origin + "/bad.html")
    expect(page.frame_locator("#plaudit").locator(".embed-refused")).to_contain_text(
        "This embed link is not valid"
    )


def test_a_site_that_is_not_allowed_is_refused_the_frame(
    tab: Tab, plaudit: str, stranger: HostSite, site: Site
) -> None:
    portal = issue(plaudit, {"kind": "portal", "member_id": site.member_id})
    stranger.pages["/portal.html"] = host_page("Not allowed here", portal, 300)
    page = tab.page
    messages = console_of(page)
    page.goto(stranger.origin + "/portal.html")
    page.wait_for_timeout(500)
    frame = page.query_selector("#plaudit")
    assert frame is not None
    inner = frame.content_frame()
    assert inner is not None
    assert inner.query_selector(".portal-name") is None
    assert "Ada Lovelace" not in inner.content()
    assert any("frame-ancestors" in m for m in messages), messages
    screenshot(page, "embed-blocked-1440")


def test_the_embed_page_makes_a_link_and_copies_the_snippet(
    chromium: Browser, plaudit: str, site: Site, achievements: None
) -> None:
    for viewport, name in ((WIDE, "embed-admin-1440"), (PHONE, "embed-admin-390")):
        tab = Tab(chromium, plaudit, viewport)
        tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=plaudit)
        tab.sign_in("admin")
        tab.go(f"/portal?member_id={site.member_id}")
        with tab.page.expect_navigation():
            tab.page.click("text=Embed in another site")
        page = tab.page
        assert page.input_value("#f-member_id") == str(site.member_id)
        page.select_option("#f-expires_in", label="1 day")
        with page.expect_navigation():
            page.click("button:has-text('Make the link')")
        snippet = page.input_value("#embed-snippet")
        assert snippet.startswith(f'<iframe src="{plaudit}/embed/portal?t=')
        page.click("button:has-text('Copy snippet')")
        expect(page.locator('[data-copy-status="embed-snippet"]')).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == snippet
        preview = page.frame_locator(".embed-preview")
        expect(preview.locator(".portal-name")).to_have_text("Ada Lovelace")
        scroll = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert scroll <= 0, f"the page is wider than {viewport['width']} px"
        page.locator("#issued").scroll_into_view_if_needed()
        screenshot(page, name)
        tab.context.close()
        assert tab.errors == [], tab.errors


def test_embedded_pages_pass_axe(tab: Tab, plaudit: str, achievements: None, site: Site) -> None:
    """The framed pages themselves, opened at their signed links, at 1440 and 390 px."""
    links = {
        "embedded portal": issue(plaudit, {"kind": "portal", "member_id": site.member_id}),
        "embedded leaderboard": issue(plaudit, {"kind": "leaderboard"}),
    }
    for name, url in links.items():
        for width in (1440, 390):
            tab.page.set_viewport_size({"width": width, "height": 900})
            tab.page.goto(url)
            found = violations(tab.page)
            assert not found, report(f"{name} at {width} px", found)
