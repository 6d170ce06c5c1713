"""The public Open Badges 2.0 documents: issuer Profile, BadgeClass, Assertion, revocation,
and the baked PNG and SVG read back to the same assertion."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO
from typing import Any

from defusedxml.ElementTree import fromstring
from PIL import Image

from tests.conftest import Api
from tests.one_hop_client import TestClient
from tests.openbadges.helpers import achievement, give, member, public_id, published_award

BASE = "http://127.0.0.1:8000"
LD = "application/ld+json"


def ld(client: TestClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.text)
    assert response.headers["content-type"].startswith(LD)
    return response.json()


def test_issuer_profile_uses_defaults_then_the_saved_settings(
    admin: Api, client: TestClient
) -> None:
    profile = ld(client, "/ob/v2/issuer")
    assert profile["@context"] == "https://w3id.org/openbadges/v2"
    assert profile["type"] == "Issuer"
    assert profile["id"] == f"{BASE}/ob/v2/issuer"
    assert profile["name"] == "Plaudit"
    assert profile["url"] == BASE
    assert admin.ok("GET", "/issuer")["saved"] is False

    saved = admin.ok(
        "PUT",
        "/issuer",
        json={
            "name": "Acme Partners",
            "url": "https://acme.example.com",
            "email": "badges@acme.example.com",
            "description": "Acme's partner programme.",
            "image": "https://acme.example.com/logo.png",
        },
    )
    assert saved["saved"] is True
    assert saved["profile_url"] == f"{BASE}/ob/v2/issuer"
    profile = ld(client, "/ob/v2/issuer")
    assert profile["name"] == "Acme Partners"
    assert profile["email"] == "badges@acme.example.com"
    assert profile["image"] == "https://acme.example.com/logo.png"
    assert profile["description"] == "Acme's partner programme."
    events = admin.ok("GET", "/audit?action=issuer.update")
    assert events[0]["details"]["name"] == "Acme Partners"


def test_issuer_settings_refuse_bad_input_by_field(admin: Api) -> None:
    good = {"name": "Acme", "url": "https://acme.example.com", "email": "b@acme.example.com"}
    for field, value in (("url", "ftp://acme"), ("email", "not-an-email"), ("name", "")):
        response = admin.put("/issuer", json={**good, field: value})
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == f"body.{field}"
    assert admin.ok("GET", "/issuer")["saved"] is False


def test_assertion_badge_class_and_criteria(admin: Api, client: TestClient) -> None:
    published, ann = published_award(admin)
    pid = public_id(published)
    assertion = ld(client, f"/ob/v2/assertions/{pid}")
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == published["openbadges_v2_url"]
    recipient = assertion["recipient"]
    assert recipient["type"] == "email"
    assert recipient["hashed"] is True
    expected = hashlib.sha256((ann["email"] + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == "sha256$" + expected
    assert ann["email"] not in json.dumps(assertion)
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["issuedOn"] == published["awarded_at"]
    assert "expires" not in assertion  # period "none": the award lasts

    badge_id = f"{published['achievement_id']}-v1"
    assert assertion["badge"] == f"{BASE}/ob/v2/badges/{badge_id}"
    badge = ld(client, f"/ob/v2/badges/{badge_id}")
    assert badge["type"] == "BadgeClass"
    assert badge["name"] == "Deal Closer"
    assert badge["description"] == "Close a deal worth telling people about."
    assert badge["issuer"] == f"{BASE}/ob/v2/issuer"
    assert badge["criteria"]["id"] == f"{BASE}/ob/v2/badges/{badge_id}/criteria"
    assert "Close a deal" in badge["criteria"]["narrative"]
    image = client.get(f"/ob/v2/badges/{badge_id}/image")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(image.content)).size == (256, 256)
    assert client.get(f"/ob/v2/badges/{badge_id}/criteria").status_code == 200


def test_expires_is_the_end_of_the_awards_period(admin: Api, client: TestClient) -> None:
    ann = member(admin)
    weekly = achievement(admin, "weekly-star", period="week")
    award = give(admin, ann["id"], weekly["id"])
    published = admin.ok("POST", f"/awards/{award['id']}/publish")
    assertion = ld(client, f"/ob/v2/assertions/{public_id(published)}")
    assert assertion["expires"] == "2026-11-23T00:00:00+00:00" == award["period_end"]


def test_nothing_is_public_before_publishing(admin: Api, client: TestClient) -> None:
    ann = member(admin)
    badge = achievement(admin)
    give(admin, ann["id"], badge["id"])
    for path in (
        f"/ob/v2/badges/{badge['id']}-v1",
        f"/ob/v2/badges/{badge['id']}-v1/image",
        f"/ob/v2/badges/{badge['id']}-v1/criteria",
        f"/ob/v2/badges/{badge['id']}",
        "/ob/v2/badges/nonsense",
        "/ob/v2/assertions/not-a-real-id",
        "/ob/v2/assertions/not-a-real-id/badge.png",
        "/badges/" + "x" * 32,
    ):
        assert client.get(path).status_code == 404, path


def test_revoked_assertion_answers_410_with_the_reason(admin: Api, client: TestClient) -> None:
    published, _ann = published_award(admin)
    pid = public_id(published)
    admin.ok("DELETE", f"/awards/{published['id']}?reason=Given+by+mistake")
    gone = ld(client, f"/ob/v2/assertions/{pid}", 410)
    assert gone["revoked"] is True
    assert gone["revocationReason"] == "Given by mistake"
    assert gone["id"] == published["openbadges_v2_url"]
    # The revoked award keeps its publication (so verifiers learn it is revoked)...
    assert admin.ok("GET", f"/awards/{published['id']}")["public_url"] == published["public_url"]
    # ...but its baked images are no longer handed out.
    assert client.get(f"/ob/v2/assertions/{pid}/badge.png").status_code == 404


def test_baked_png_and_svg_carry_the_assertion(admin: Api, client: TestClient) -> None:
    published, _ann = published_award(admin)
    pid = public_id(published)
    assertion = ld(client, f"/ob/v2/assertions/{pid}")

    png = client.get(f"/ob/v2/assertions/{pid}/badge.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    with Image.open(BytesIO(png.content)) as image:
        image.load()
        assert json.loads(image.text["openbadges"]) == assertion
    assert b"iTXt" in png.content

    svg = client.get(f"/ob/v2/assertions/{pid}/badge.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = fromstring(svg.content)
    carried = root.find("{https://purl.imsglobal.org/ob/v2p0}assertion")
    assert carried is not None
    assert carried.get("verify") == assertion["id"]
    assert json.loads(carried.text or "") == assertion
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v2p0"' in svg.content


def test_public_page_of_a_revoked_award_says_so_and_offers_no_downloads(
    admin: Api, client: TestClient
) -> None:
    published, _ann = published_award(admin)
    pid = public_id(published)
    assert "Download PNG" in client.get(f"/badges/{pid}").text
    admin.ok("DELETE", f"/awards/{published['id']}")
    page = client.get(f"/badges/{pid}")
    assert page.status_code == 200
    assert "This badge was revoked" in page.text
    assert "Download PNG" not in page.text
    assert "linkedin.com" not in page.text
