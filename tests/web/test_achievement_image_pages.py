"""The achievement pages' images: a badge and a background image chosen on the create form
and stored with the new achievement in one submit; upload, replace and remove on the edit
page; tiles on the list and the member's page covered by the background."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plaudit.models import Achievement, AchievementBackground, AchievementBadge
from tests.one_hop_client import TestClient
from tests.web.test_achievement_pages import create, fields, png, post_form, stored

SVG_BACKGROUND = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 234 160">'
    b'<rect width="234" height="160" fill="#0a7"/><script>alert(1)</script></svg>'
)


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def backgrounds(engine: Engine) -> int:
    return count(engine, AchievementBackground)


def new_with_images(client: TestClient, files: dict[str, tuple[str, bytes, str]]) -> Any:
    return post_form(client, "/admin/achievements/new", fields(), files=files)


def test_create_with_a_badge_and_a_background_in_one_submit(
    admin_web: TestClient, web_engine: Engine
) -> None:
    answer = new_with_images(
        admin_web,
        {
            "badge": ("badge.png", png(120, 120), "image/png"),
            "background_image": ("back.svg", SVG_BACKGROUND, "image/svg+xml"),
        },
    )
    assert answer.status_code == 303, answer.text
    achievement_id = int(answer.headers["location"].rsplit("/", 1)[1])
    # Stored with the first version: the images are part of creating it, not edits after it.
    assert stored(web_engine, achievement_id).version == 1
    page = admin_web.get(f"/admin/achievements/{achievement_id}").text
    badge = re.search(r'class="badge-current" src="([^"]+)"', page)
    background = re.search(r'class="background-current" src="([^"]+)"', page)
    assert badge and background
    served = admin_web.get(background.group(1).replace("&amp;", "&"))
    assert served.headers["content-type"] == "image/svg+xml"
    assert b"<rect" in served.content and b"script" not in served.content
    assert admin_web.get(badge.group(1).replace("&amp;", "&")).content == png(120, 120)
    # The preview tiles are covered by the background and show the badge.
    assert page.count("tile-has-image") >= 2
    assert f"--tile-image: url('/backgrounds/{achievement_id}?v=1')" in page
    assert "Remove badge image" in page and "Remove background image" in page


def test_a_bad_image_on_create_writes_nothing_and_names_the_field(
    admin_web: TestClient, web_engine: Engine
) -> None:
    before = count(web_engine, Achievement)
    answer = new_with_images(
        admin_web,
        {
            "badge": ("badge.png", png(120, 120), "image/png"),
            "background_image": ("notes.txt", b"hello", "text/plain"),
        },
    )
    assert answer.status_code == 422
    page = answer.text
    assert 'id="f-background_image-error"' in page
    assert "Background image type &#39;text/plain&#39; is not supported" in page
    # The good badge must be chosen again, and the page says so; the typed fields stay.
    assert "Choose the badge again: files are not kept when the form has errors." in page
    assert 'value="Profile pro"' in page
    assert count(web_engine, Achievement) == before
    assert (count(web_engine, AchievementBadge), backgrounds(web_engine)) == (0, 0)


def test_a_wrong_badge_shape_on_create_is_a_message(admin_web: TestClient) -> None:
    answer = new_with_images(admin_web, {"badge": ("w.png", png(200, 100), "image/png")})
    assert answer.status_code == 422
    assert "Badge image must be square: got 200x100" in answer.text


def test_edit_uploads_replaces_and_removes_each_image(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = create(admin_web)
    base = f"/admin/achievements/{achievement_id}"
    files = {"background_image": ("wide.png", png(468, 320), "image/png")}
    assert post_form(admin_web, base + "/background", {}, files=files).status_code == 303
    page = admin_web.get(base).text
    assert "Background image saved." in page
    assert backgrounds(web_engine) == 1 and stored(web_engine, achievement_id).version == 2
    assert "Remove background image" in page and "Remove badge image" not in page

    files = {"badge": ("b.png", png(), "image/png")}
    assert post_form(admin_web, base + "/badge", {}, files=files).status_code == 303
    assert post_form(admin_web, base + "/badge/remove", {}).status_code == 303
    assert "Badge removed." in admin_web.get(base).text
    assert count(web_engine, AchievementBadge) == 0 and backgrounds(web_engine) == 1

    assert post_form(admin_web, base + "/background/remove", {}).status_code == 303
    assert backgrounds(web_engine) == 0
    again = post_form(admin_web, base + "/background/remove", {})
    assert again.status_code == 422 and "There is no background image to remove." in again.text
    missing = post_form(admin_web, base + "/background", {})
    assert missing.status_code == 422 and "Choose a PNG or SVG file" in missing.text


def test_images_of_an_active_achievement_cannot_change(admin_web: TestClient) -> None:
    achievement_id = create(admin_web)
    base = f"/admin/achievements/{achievement_id}"
    files = {"background_image": ("b.png", png(234, 160), "image/png")}
    assert post_form(admin_web, base + "/background", {}, files=files).status_code == 303
    assert post_form(admin_web, base + "/activate", {}).status_code == 303
    refused = post_form(admin_web, base + "/background/remove", {})
    assert refused.status_code == 422
    assert "Deactivate the achievement before removing its background image." in refused.text


def test_list_and_member_page_tiles_show_the_background(
    web: TestClient, admin_web: TestClient
) -> None:
    achievement_id = create(admin_web, requirements="[]")
    base = f"/admin/achievements/{achievement_id}"
    files = {"background_image": ("b.png", png(234, 160), "image/png")}
    assert post_form(admin_web, base + "/background", {}, files=files).status_code == 303
    assert post_form(admin_web, base + "/activate", {}).status_code == 303
    listing = admin_web.get("/admin/achievements").text
    url = f"/backgrounds/{achievement_id}?v=2"  # the upload was version 2
    assert f"--tile-image: url('{url}')" in listing
    admin_web.cookies.clear()
    from tests.web.conftest import sign_in

    sign_in(web, "member")
    portal = web.get("/portal").text
    assert f"--tile-image: url('{url}')" in portal and "tile-has-image" in portal
    assert web.get(url).status_code == 200


def test_the_create_page_takes_images_larger_than_a_json_body(
    admin_web: TestClient, web_engine: Engine
) -> None:
    """Above the 5 MB body limit of other requests, below the image limit: the file is read
    and judged for what it is, not refused as too large."""
    junk = b"x" * (6 * 1024 * 1024)
    answer = new_with_images(admin_web, {"background_image": ("big.png", junk, "image/png")})
    assert answer.status_code == 422
    assert "Background image type &#39;application/octet-stream&#39;" not in answer.text
    assert 'id="f-background_image-error"' in answer.text
    assert backgrounds(web_engine) == 0
