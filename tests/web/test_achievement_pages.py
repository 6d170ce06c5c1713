"""The admin achievement pages through an in-process client: the form reads into the same
schemas and services as the API, errors land next to their fields, and the lifecycle
actions each go through a confirmation page."""

from __future__ import annotations

import json
import re
from io import BytesIO
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import Achievement, Award
from tests.one_hop_client import TestClient
from tests.web.helpers import csrf_of

PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
DEALS_50K = {
    "source": "deals",
    "where": [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "currency", "op": "in", "value": ["EUR", "USD"]},
    ],
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 50000,
}


def fields(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": "Profile pro",
        "key": "",
        "description": "Update your company profile",
        "category": "award",
        "points": "25",
        "icon": "star",
        "background_default": "on",
        "text_default": "on",
        "period": "none",
        "effective_mode": "none",
        "requirements": json.dumps([[PROFILE_ONCE], [DEALS_50K]]),
    }
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}


def post_form(
    client: TestClient, path: str, data: dict[str, Any], files: dict[str, Any] | None = None
) -> httpx.Response:
    token = csrf_of(client.get("/admin/achievements").text)
    return client.post(path, data={**data, "csrf_token": token}, files=files)


def create(client: TestClient, **overrides: Any) -> int:
    response = post_form(client, "/admin/achievements/new", fields(**overrides))
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/achievements/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def stored(engine: Engine, achievement_id: int) -> Achievement:
    with Session(engine) as session:
        row = session.get(Achievement, achievement_id)
        assert row is not None
        return row


def png(width: int = 120, height: int = 120) -> bytes:
    buffer = BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_create_with_rule_groups_reads_the_form_into_the_service(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = create(
        admin_web,
        background_default=None,
        background_color="#123456",
        effective_mode="between",
        effective_from="2026-11-01",
        effective_until="2026-11-30",
        show_next_to_name="on",
    )
    row = stored(web_engine, achievement_id)
    assert (row.key, row.name, row.category, row.points) == (
        "profile-pro",
        "Profile pro",
        "award",
        25,
    )
    assert row.background_color == "#123456" and row.text_color is None
    assert row.show_next_to_name and not row.active
    assert [[r["source"] for r in g] for g in row.requirements] == [
        ["company_profile_updated"],
        ["deals"],
    ]
    assert row.requirements[1][0]["where"][1] == {
        "field": "currency",
        "op": "in",
        "value": ["EUR", "USD"],
    }
    assert row.effective_from is not None and row.effective_until is not None
    page = admin_web.get(f"/admin/achievements/{achievement_id}").text
    assert "Created “Profile pro”. It is inactive until you activate it." in page
    assert 'value="2026-11-01"' in page and 'value="2026-11-30"' in page
    assert 'id="rule-catalogue"' in page and '"key": "deals"' in page


def test_errors_are_shown_next_to_their_fields(admin_web: TestClient) -> None:
    response = post_form(
        admin_web,
        "/admin/achievements/new",
        fields(
            name="",
            points="lots",
            effective_mode="from",
            requirements=json.dumps([[{**PROFILE_ONCE, "source": "no_such_source"}]]),
        ),
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="error-summary"' in page
    assert 'id="f-name-error"' in page and "Enter a name." in page
    assert 'id="f-points-error"' in page and "Enter a whole number of points" in page
    assert 'id="f-effective-error"' in page and "Choose the start date." in page
    assert 'aria-invalid="true"' in page
    # What was typed is kept.
    assert 'value="lots"' in page


def test_rule_errors_from_the_service_name_the_rule(admin_web: TestClient) -> None:
    bad = {**DEALS_50K, "field": "status"}  # a sum of a text field
    response = post_form(
        admin_web, "/admin/achievements/new", fields(requirements=json.dumps([[PROFILE_ONCE, bad]]))
    )
    assert response.status_code == 422
    assert "Requirements: group 1, rule 2 (field)" in response.text
    assert "&#39;sum&#39; needs a number field" in response.text
    errors = json.loads(re.search(r'id="form-errors">(.*?)</script>', response.text, re.S).group(1))  # type: ignore[union-attr]
    assert "requirements.0.1.field" in errors


def test_unreadable_rules_json_is_a_field_error(admin_web: TestClient) -> None:
    response = post_form(admin_web, "/admin/achievements/new", fields(requirements="[[{"))
    assert response.status_code == 422
    assert "The rules could not be read as JSON" in response.text


def test_duplicate_key_is_reported_on_the_key_field(admin_web: TestClient) -> None:
    create(admin_web, key="same")
    response = post_form(admin_web, "/admin/achievements/new", fields(key="same"))
    assert response.status_code == 422
    assert 'id="f-key-error"' in response.text
    assert "already exists" in response.text


def test_repeatable_rules_are_checked_like_the_api(admin_web: TestClient) -> None:
    response = post_form(admin_web, "/admin/achievements/new", fields(repeatable="on"))
    assert response.status_code == 422
    assert "exactly one rule group" in response.text


def test_edit_saves_a_new_version(admin_web: TestClient, web_engine: Engine) -> None:
    achievement_id = create(admin_web)
    response = post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}",
        fields(name="Profile champion", key="profile-pro", points="40"),
    )
    assert response.status_code == 303
    row = stored(web_engine, achievement_id)
    assert (row.name, row.points, row.version) == ("Profile champion", 40, 2)


def test_unchanged_dates_keep_instants_set_through_the_api(
    admin_web: TestClient, web_engine: Engine
) -> None:
    admin_web.headers["Authorization"] = "Bearer test-admin-token"
    created = admin_web.post(
        "/api/v1/achievements",
        json={
            "key": "timed",
            "name": "Timed",
            "category": "award",
            "effective": {"from": "2026-11-02T09:30:00+00:00", "until": "2026-11-20T17:00:00Z"},
        },
    )
    del admin_web.headers["Authorization"]
    achievement_id = created.json()["id"]
    page = admin_web.get(f"/admin/achievements/{achievement_id}").text
    assert 'value="2026-11-02"' in page and 'value="2026-11-20"' in page
    response = post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}",
        fields(
            name="Timed again",
            key="timed",
            effective_mode="between",
            effective_from="2026-11-02",
            effective_until="2026-11-20",
        ),
    )
    assert response.status_code == 303
    row = stored(web_engine, achievement_id)
    assert row.effective_from is not None and row.effective_until is not None
    assert (row.effective_from.hour, row.effective_from.minute) == (9, 30)
    assert row.effective_until.hour == 17


def test_activate_confirms_then_backfills(admin_web: TestClient, web_engine: Engine) -> None:
    achievement_id = create(admin_web)
    confirm = admin_web.get(f"/admin/achievements/{achievement_id}/activate")
    assert confirm.status_code == 200
    assert "1 member already qualifies" in confirm.text
    assert stored(web_engine, achievement_id).active is False  # the GET changed nothing
    token = csrf_of(confirm.text)
    response = admin_web.post(
        f"/admin/achievements/{achievement_id}/activate", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert stored(web_engine, achievement_id).active is True
    page = admin_web.get(response.headers["location"]).text
    assert "is active. 1 award given to members who already qualify." in page
    with Session(web_engine) as session:
        assert len(session.scalars(select(Award)).all()) == 1
    listing = admin_web.get("/admin/achievements?state=active").text
    assert "Profile pro" in listing and "by 1 member" in listing


def test_active_achievement_is_locked_and_edits_are_refused(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = create(admin_web)
    post_form(admin_web, f"/admin/achievements/{achievement_id}/activate", {})
    page = admin_web.get(f"/admin/achievements/{achievement_id}").text
    assert "This achievement is active, so it cannot be edited." in page
    assert '<fieldset class="form-body" disabled>' in page
    response = post_form(
        admin_web, f"/admin/achievements/{achievement_id}", fields(name="Sneaky", key="profile-pro")
    )
    assert response.status_code == 409
    assert "Deactivate it first" in response.text
    assert stored(web_engine, achievement_id).name == "Profile pro"
    badge = post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}/badge",
        {},
        files={"badge": ("b.png", png(), "image/png")},
    )
    assert badge.status_code == 422
    assert "Deactivate the achievement before changing its badge." in badge.text


def test_deactivate_and_delete_go_through_confirmation(
    admin_web: TestClient, web_engine: Engine
) -> None:
    achievement_id = create(admin_web)
    post_form(admin_web, f"/admin/achievements/{achievement_id}/activate", {})
    refused = admin_web.get(f"/admin/achievements/{achievement_id}/delete")
    assert "is active and cannot be deleted" in refused.text
    assert 'action="/admin/achievements/' not in refused.text.split("confirm-title")[1]
    assert (
        post_form(admin_web, f"/admin/achievements/{achievement_id}/delete", {}).status_code == 409
    )
    confirm = admin_web.get(f"/admin/achievements/{achievement_id}/deactivate")
    assert "Awards already earned are kept" in confirm.text
    post_form(admin_web, f"/admin/achievements/{achievement_id}/deactivate", {})
    assert stored(web_engine, achievement_id).active is False
    response = post_form(
        admin_web, f"/admin/achievements/{achievement_id}/delete", {"reason": "replaced"}
    )
    assert response.status_code == 303
    assert stored(web_engine, achievement_id).deleted_at is not None
    listing = admin_web.get("/admin/achievements").text
    assert "Deleted “Profile pro”." in listing and '/admin/achievements/1"' not in listing
    assert admin_web.get(f"/admin/achievements/{achievement_id}").status_code == 404


def test_png_badge_is_stored_and_served_with_protective_headers(admin_web: TestClient) -> None:
    achievement_id = create(admin_web)
    response = post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}/badge",
        {},
        files={"badge": ("badge.png", png(), "application/octet-stream")},
    )
    assert response.status_code == 303
    page = admin_web.get(f"/admin/achievements/{achievement_id}").text
    src = re.search(r'class="badge-current" src="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    image = admin_web.get(src.replace("&amp;", "&"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.headers["content-security-policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert image.headers["x-content-type-options"] == "nosniff"


def test_unsafe_svg_is_neutralised(admin_web: TestClient) -> None:
    achievement_id = create(admin_web)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" '
        b'viewBox="0 0 100 100" onload="alert(1)"><script>alert(2)</script>'
        b'<a href="javascript:alert(3)"><circle cx="50" cy="50" r="40" fill="red"/></a>'
        b'<image href="https://evil.example/x.png" width="10" height="10"/></svg>'
    )
    response = post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}/badge",
        {},
        files={"badge": ("evil.svg", svg, "image/svg+xml")},
    )
    assert response.status_code == 303
    image = admin_web.get(f"/badges/{achievement_id}")
    assert image.headers["content-type"] == "image/svg+xml"
    body = image.content.lower()
    for unsafe in (b"script", b"onload", b"javascript:", b"evil.example"):
        assert unsafe not in body
    assert b"circle" in body


def test_bad_badges_are_refused_with_a_message(admin_web: TestClient) -> None:
    achievement_id = create(admin_web)
    path = f"/admin/achievements/{achievement_id}/badge"
    wide = post_form(admin_web, path, {}, files={"badge": ("w.png", png(200, 100), "image/png")})
    assert wide.status_code == 422 and 'id="f-badge-error"' in wide.text
    assert "square" in wide.text
    text = post_form(admin_web, path, {}, files={"badge": ("x.txt", b"hello", "text/plain")})
    assert text.status_code == 422 and 'id="f-badge-error"' in text.text
    empty = post_form(admin_web, path, {})
    assert "Choose a PNG or SVG file" in empty.text


def test_members_see_badges_only_of_achievements_shown_to_them(
    web: TestClient, admin_web: TestClient
) -> None:
    achievement_id = create(admin_web)
    post_form(
        admin_web,
        f"/admin/achievements/{achievement_id}/badge",
        {},
        files={"badge": ("badge.png", png(), "image/png")},
    )
    assert admin_web.get(f"/badges/{achievement_id}").status_code == 200
    admin_web.cookies.clear()
    from tests.web.conftest import sign_in

    sign_in(web, "member")
    assert web.get(f"/badges/{achievement_id}").status_code == 200
    assert web.get("/badges/999").status_code == 404


def test_the_rule_builder_asks_which_values_a_field_holds(admin_web: TestClient) -> None:
    """The JSON behind the builder's suggestions: values of the field in the newest records
    (the site has no deals yet, Ada's profile update has no fields), refusals as pages."""
    answer = admin_web.get("/admin/sources/deals/values", params={"field": "status"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"field": "status", "values": [], "sampled": 0}
    catalogue = json.loads(
        re.search(
            r'<script type="application/json" id="rule-catalogue">(.*?)</script>',
            admin_web.get("/admin/achievements/new").text,
            re.S,
        ).group(1)  # type: ignore[union-attr]
    )
    assert catalogue["values_url"] == "/admin/sources/{key}/values"
    assert admin_web.get("/admin/sources/deals/values", params={"field": "nope"}).status_code == 422
    assert admin_web.get("/admin/sources/nope/values", params={"field": "x"}).status_code == 404
