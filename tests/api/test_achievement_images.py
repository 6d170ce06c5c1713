"""An achievement's background image (PUT/GET/DELETE /achievements/{id}/background) and the
removal of its badge: the same formats, limits and answers as the badge upload."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_achievements import png
from tests.api.test_awards import make_achievement
from tests.conftest import Api

SVG_BACKGROUND = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="234" height="160">'
    b'<rect width="234" height="160" fill="#0a7"/><script>alert(1)</script></svg>'
)


def put_image(
    admin: Api, aid: int, which: str, content: bytes, media_type: str = "image/png"
) -> Any:
    return admin.put(
        f"/achievements/{aid}/{which}", content=content, headers={"Content-Type": media_type}
    )


def test_background_upload_serve_and_remove(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    assert admin.ok("GET", f"/achievements/{aid}")["background_image_url"] is None
    assert admin.get(f"/achievements/{aid}/background").status_code == 404

    image = png(234, 160)  # not square: a background may have any shape
    body = put_image(admin, aid, "background", image).json()
    url = f"/api/v1/achievements/{aid}/background"
    assert (body["background_image_url"], body["badge_url"], body["version"]) == (url, None, 2)
    assert admin.ok("GET", f"/achievements/{aid}")["background_image_url"] == url
    assert admin.ok("GET", "/achievements")[0]["background_image_url"] == url

    served = admin.get(f"/achievements/{aid}/background")
    assert (served.status_code, served.content) == (200, image)
    assert served.headers["content-type"] == "image/png"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert served.headers["x-content-type-options"] == "nosniff"

    event = admin.ok("GET", "/audit?action=achievement.edit")[0]["details"]
    assert event["changed"] == ["background_image"]
    assert event["background"] == {"media_type": "image/png", "width": 234, "height": 160}

    removed = admin.delete(f"/achievements/{aid}/background")
    assert removed.status_code == 200, removed.text
    assert (removed.json()["background_image_url"], removed.json()["version"]) == (None, 3)
    assert admin.get(f"/achievements/{aid}/background").status_code == 404
    # Removing what is not there is a 404 and changes nothing.
    assert admin.delete(f"/achievements/{aid}/background").status_code == 404
    assert admin.ok("GET", f"/achievements/{aid}")["version"] == 3


def test_a_background_svg_is_cleaned(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    answer = put_image(admin, aid, "background", SVG_BACKGROUND, "image/svg+xml")
    assert answer.status_code == 200, answer.text
    served = admin.get(f"/achievements/{aid}/background")
    assert served.headers["content-type"] == "image/svg+xml"
    assert b"<rect" in served.content
    assert b"script" not in served.content


def test_badge_and_background_are_separate(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    badge, background = png(120, 120), png(468, 320)
    assert put_image(admin, aid, "badge", badge).status_code == 200
    assert put_image(admin, aid, "background", background).status_code == 200
    assert admin.get(f"/achievements/{aid}/badge").content == badge
    assert admin.get(f"/achievements/{aid}/background").content == background

    answer = admin.delete(f"/achievements/{aid}/badge")
    assert answer.status_code == 200, answer.text
    assert answer.json()["badge_url"] is None
    assert answer.json()["background_image_url"] is not None
    assert admin.get(f"/achievements/{aid}/badge").status_code == 404
    assert admin.get(f"/achievements/{aid}/background").content == background
    assert admin.delete(f"/achievements/{aid}/badge").status_code == 404


@pytest.mark.parametrize(
    ("content", "media_type", "status", "words"),
    [
        (b"not a png at all", "image/png", 422, "background image declared as image/png"),
        (b"", "image/png", 422, "background image is empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 422, "viewBox"),
        (png(234, 160), "image/jpeg", 415, "image/jpeg"),
        (png(234, 160), "application/octet-stream", 415, "not supported"),
    ],
)
def test_bad_backgrounds_are_refused(
    admin: Api, content: bytes, media_type: str, status: int, words: str
) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    response = put_image(admin, aid, "background", content, media_type)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert admin.get(f"/achievements/{aid}/background").status_code == 404
    assert admin.ok("GET", f"/achievements/{aid}")["version"] == 1


def test_background_size_limits(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    headers = {"Content-Type": "image/png"}
    # Above the JSON limit, below the image limit: read, and refused for what it is.
    answer = admin.put(
        f"/achievements/{aid}/background", content=b"x" * (6 * 1024 * 1024), headers=headers
    )
    assert answer.status_code == 422, answer.text
    answer = admin.put(
        f"/achievements/{aid}/background", content=b"x" * (31 * 1024 * 1024), headers=headers
    )
    assert answer.status_code == 413, answer.text


def test_images_of_an_active_or_unknown_achievement(admin: Api) -> None:
    assert put_image(admin, 999, "background", png(234, 160)).status_code == 404
    assert admin.get("/achievements/999/background").status_code == 404
    assert admin.delete("/achievements/999/background").status_code == 404
    aid = make_achievement(admin, "kudos", "award")["id"]
    assert put_image(admin, aid, "background", png(234, 160)).status_code == 200
    admin.ok("POST", f"/achievements/{aid}/activate")
    for answer in (
        put_image(admin, aid, "background", png(234, 160)),
        admin.delete(f"/achievements/{aid}/background"),
        admin.delete(f"/achievements/{aid}/badge"),
    ):
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "achievement_active"
    assert admin.get(f"/achievements/{aid}/background").status_code == 200


def test_who_may_change_and_see_a_background(admin: Api, tokens: dict[str, str]) -> None:
    outsiders = admin.ok("POST", "/teams", 201, json={"name": "Elsewhere"})
    group = admin.ok("POST", "/groups", 201, json={"name": "Them", "team_ids": [outsiders["id"]]})
    hidden = make_achievement(admin, "hidden", "award", audience=[group["id"]])["id"]
    public = make_achievement(admin, "public", "award")["id"]
    for aid in (hidden, public):
        assert put_image(admin, aid, "background", png(234, 160)).status_code == 200
    member = admin.as_token(tokens["member"])
    assert member.get(f"/achievements/{public}/background").status_code == 200
    assert member.get(f"/achievements/{hidden}/background").status_code == 404
    for role in ("ingest", "member"):
        api = admin.as_token(tokens[role])
        assert put_image(api, public, "background", png(234, 160)).status_code == 403, role
        assert api.delete(f"/achievements/{public}/background").status_code == 403, role
    manager = admin.as_token(tokens["manager"])
    assert manager.delete(f"/achievements/{public}/background").status_code == 200
