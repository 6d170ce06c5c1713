"""An achievement's `icon` through the API: an icon name of the set or one emoji, anything
else a 422 naming the field and suggesting close names; on create and on update."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


def create(admin: Api, icon: Any) -> Any:
    return admin.post(
        "/achievements", json={"key": "k", "name": "K", "category": "award", "icon": icon}
    )


def icon_errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["body.icon"], errors
    return list(errors)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("trophy", "trophy"),
        ("graduation-cap", "graduation-cap"),
        ("Thumbs up", "thumbs-up"),
        ("🏆", "🏆"),
        ("👍🏽", "👍🏽"),
        ("🇩🇰", "🇩🇰"),
        (None, None),
    ],
)
def test_names_and_emoji_are_stored(admin: Api, sent: str | None, stored: str | None) -> None:
    response = create(admin, sent)
    assert response.status_code == 201, response.text
    assert response.json()["icon"] == stored
    assert admin.ok("GET", f"/achievements/{response.json()['id']}")["icon"] == stored


def test_an_unknown_name_is_a_422_suggesting_close_names(admin: Api) -> None:
    errors = icon_errors(create(admin, "trohpy"))
    message = errors[0]["message"]
    assert "'trohpy' is neither an icon name of the icon set nor an emoji" in message
    assert "did you mean trophy" in message
    assert "Value error" not in message
    assert admin.ok("GET", "/achievements") == []


@pytest.mark.parametrize("sent", ["★", "$", "trophy HH", "🏆🎉", "roph", "xyzzy"])
def test_text_that_is_neither_is_refused(admin: Api, sent: str) -> None:
    icon_errors(create(admin, sent))


def test_update_checks_the_icon_too_and_keeps_the_old_one(admin: Api) -> None:
    made = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "k", "name": "K", "category": "award", "icon": "crown"},
    )
    path = f"/achievements/{made['id']}"
    errors = icon_errors(admin.patch(path, json={"icon": "megafone"}))
    assert "megaphone" in errors[0]["message"]
    assert admin.ok("GET", path)["icon"] == "crown"
    assert admin.ok("PATCH", path, json={"icon": "⭐"})["icon"] == "⭐"
    assert admin.ok("PATCH", path, json={"icon": "Rocket"})["icon"] == "rocket"
    assert admin.ok("PATCH", path, json={"icon": None})["icon"] is None
