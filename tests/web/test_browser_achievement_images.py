"""In a real browser: an achievement created with a badge and a background image in one
submit, the preview tiles following the chosen files, the preview staying in view while the
rules are edited on a wide screen (and flowing normally on a phone), and the member's page
showing the covered tile with readable text.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/achievement-background.png (the
create form, 1440 px), achievement-background-sticky.png (the rules with the preview beside
them), achievement-background-edit.png, achievement-background-phone.png (390 px) and
achievement-background-portal.png and achievement-background-list.png.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import Achievement, AchievementBackground, AchievementBadge
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def background_png() -> bytes:
    """A busy picture at twice 234x160: light and dark stripes under the text."""
    image = Image.new("RGB", (468, 320), (250, 214, 90))
    draw = ImageDraw.Draw(image)
    for x in range(-320, 468, 40):
        draw.polygon([(x, 320), (x + 20, 320), (x + 340, 0), (x + 320, 0)], fill=(20, 40, 90))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def badge_png() -> bytes:
    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 116, 116), fill=(230, 170, 20), outline=(255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def as_file(name: str, content: bytes) -> Any:
    return {"name": name, "mimeType": "image/png", "buffer": content}


def open_tab(chromium: Browser, live_url: str, viewport: dict[str, int], user: str) -> Tab:
    tab = Tab(chromium, live_url, viewport)
    tab.sign_in(user)
    return tab


def close(tab: Tab) -> None:
    tab.context.close()
    assert tab.errors == [], f"script errors in the page: {tab.errors}"
    assert tab.dialogs == [], f"the page opened dialogs: {tab.dialogs}"


def box_top(page: Page, selector: str) -> float:
    top: float = page.eval_on_selector(selector, "n => n.getBoundingClientRect().top")
    return top


def test_create_with_images_sticky_preview_and_the_member_tile(
    chromium: Browser, live_url: str, site: Site, web_engine: Engine
) -> None:
    wide = open_tab(chromium, live_url, WIDE, "admin")
    page = wide.page
    wide.go("/admin/achievements/new")
    page.fill("#f-name", "Deal closer")
    page.fill("#f-description", "Close a deal worth 10,000 or more")
    page.fill("#f-points", "1200")
    page.uncheck("#f-background_default")
    page.fill("#f-background_color", "#0b3d2e")
    page.set_input_files("#f-badge", files=[as_file("badge.png", badge_png())])
    page.set_input_files("#f-background_image", files=[as_file("stripes.png", background_png())])
    tile = "#preview-complete"
    page.wait_for_function(
        "s => document.querySelector(s).style.getPropertyValue('--tile-image').includes('data:')",
        arg=tile,
    )
    assert "tile-has-image" in (page.get_attribute(tile, "class") or "")
    assert page.is_visible(f"{tile} img.tile-badge") and page.is_hidden(f"{tile} .tile-icon")
    # The text sits on a veil of the tile's own colour (#0b3d2e = 11, 61, 46), nearly opaque.
    veil = page.eval_on_selector(f"{tile} .tile-text", "n => getComputedStyle(n).backgroundColor")
    assert "0.82" in veil and ("11, 61, 46" in veil or "0.0431" in veil), veil
    page.locator("#sec-look").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -20)")
    screenshot(page, "achievement-background")

    # Editing the rules far down the form: the preview stays in view beside them.
    page.click("button:has-text('New rule group (OR)')")
    page.locator("#sec-rules").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 600
    top = box_top(page, tile)
    assert 0 <= top < WIDE["height"] - 150, top
    screenshot(page, "achievement-background-sticky")

    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert "Created “Deal closer”" in (page.text_content(".flash") or "")
    with Session(web_engine) as session:
        row = session.scalars(select(Achievement).where(Achievement.key == "deal-closer")).one()
        achievement_id, version = row.id, row.version
        background = session.get(AchievementBackground, row.id)
        assert session.get(AchievementBadge, row.id) is not None
        assert background is not None and (background.width, background.height) == (468, 320)
    assert version == 1
    page.locator("#sec-background_image").scroll_into_view_if_needed()
    screenshot(page, "achievement-background-edit")
    with page.expect_navigation():
        page.click("button:has-text('Remove badge image')")
    assert "Badge removed." in (page.text_content(".flash") or "")
    assert page.is_hidden(f"{tile} img.tile-badge") and page.is_visible(f"{tile} .tile-icon")
    with page.expect_navigation():
        page.click("a:has-text('Activate…')")
    with page.expect_navigation():
        page.click("button:has-text('Activate')")

    # The list's small tile shows the picture behind the icon.
    wide.go("/admin/achievements")
    mini = wide.page.locator(".mini-tile").first
    assert "url(" in mini.evaluate("n => getComputedStyle(n).backgroundImage")
    screenshot(wide.page.locator("table"), "achievement-background-list")
    close(wide)

    # On a phone the preview flows with the form (above it), not stuck over it.
    phone = open_tab(chromium, live_url, PHONE, "admin")
    phone.go(f"/admin/achievements/{achievement_id}")
    aside = ".editor-preview"
    assert phone.page.eval_on_selector(aside, "n => getComputedStyle(n).position") == "static"
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone.page, "achievement-background-phone")
    close(phone)

    member = open_tab(chromium, live_url, WIDE, "member")
    member.go("/portal")
    covered = "[data-achievement-key='deal-closer']"
    assert "tile-has-image" in (member.page.get_attribute(covered, "class") or "")
    loaded = member.page.evaluate(
        "u => fetch(u).then(r => r.status)",
        f"/backgrounds/{achievement_id}?v=3",
    )
    assert loaded == 200
    screenshot(member.page.locator(covered), "achievement-background-portal")
    close(member)
