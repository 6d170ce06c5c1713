"""The public badge page, the criteria page, the portal's "Share your badges" and the issuer
settings page, through the real application (signed in with a password where needed)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import AwardPublication, Member
from tests.conftest import ADMIN_TOKEN, Api
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of

BASE = "http://127.0.0.1:8000"


def _api(web: TestClient) -> Api:
    return Api(web, ADMIN_TOKEN)


def _set_email(engine: Engine, member_id: int, email: str | None) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.email = email


def _award(web: TestClient, member_id: int, **extra: object) -> dict[str, object]:
    api = _api(web)
    badge = api.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "helping-hand",
            "name": "Helping hand",
            "description": "Help beyond the job.",
            "category": "award",
            "points": 10,
            "requirements": [],
            **extra,
        },
    )
    api.ok("POST", f"/achievements/{badge['id']}/activate")
    return dict(
        api.ok("POST", f"/members/{member_id}/awards", 201, json={"achievement_id": badge["id"]})
    )


def _meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"no {name} meta tag"
    return unescape(match.group(1))


def test_public_page_shows_the_badge_with_linkedin_and_open_graph(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    _set_email(web_engine, site.member_id, "ada@example.com")
    award = _award(web, site.member_id)
    published = _api(web).ok("POST", f"/awards/{award['id']}/publish")
    pid = str(published["public_url"]).rsplit("/", 1)[1]

    page = web.get(f"/badges/{pid}")  # nobody signed in
    assert page.status_code == 200
    html = page.text
    assert "Helping hand" in html
    assert "Ada Lovelace" in html
    assert "Help beyond the job." in html
    assert "18 November 2026" in html
    assert "Plaudit" in html  # the default issuer
    assert "ada@example.com" not in html
    assert _meta(html, "property", "og:image") == f"{BASE}/ob/v2/assertions/{pid}/badge.png"
    assert _meta(html, "property", "og:url") == f"{BASE}/badges/{pid}"
    assert _meta(html, "property", "og:title") == "Helping hand"
    assert _meta(html, "name", "twitter:card") == "summary"
    for suffix in ("badge.png", "badge.svg"):
        assert f'href="{BASE}/ob/v2/assertions/{pid}/{suffix}"' in html
    assert f'href="{BASE}/ob/v2/assertions/{pid}"' in html

    link = re.search(r'<a class="button button-primary" href="([^"]+)"[^>]*data-linkedin', html)
    assert link
    url = urlsplit(unescape(link.group(1)))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Helping hand",
        "organizationName": "Plaudit",
        "issueYear": "2026",
        "issueMonth": "11",
        "certUrl": f"{BASE}/badges/{pid}",
        "certId": pid,
    }

    _api(web).ok("DELETE", f"/awards/{award['id']}/publish")
    gone = web.get(f"/badges/{pid}")
    assert gone.status_code == 404
    assert "Helping hand" not in gone.text


def test_criteria_page_lists_the_rules_in_words(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    _set_email(web_engine, site.member_id, "ada@example.com")
    rule = {
        "source": "company_profile_updated",
        "aggregate": "count",
        "operator": "at_least",
        "value": 1,
    }
    award = _award(web, site.member_id, requirements=[[rule]])
    badge = f"{award['achievement_id']}-v{award['achievement_version']}"
    assert web.get(f"/ob/v2/badges/{badge}/criteria").status_code == 404  # not yet public
    _api(web).ok("POST", f"/awards/{award['id']}/publish")
    page = web.get(f"/ob/v2/badges/{badge}/criteria")
    assert page.status_code == 200
    assert "How to earn Helping hand" in page.text
    assert "Company Profile Updated: at least 1" in unescape(page.text)


def test_portal_publishes_and_unpublishes_the_members_own_award(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    _set_email(web_engine, site.member_id, "ada@example.com")
    award = _award(web, site.member_id)
    sign_in(web, "member")
    portal = web.get("/portal")
    assert 'id="share"' in portal.text
    assert f'action="/portal/awards/{award["id"]}/publish"' in portal.text

    done = web.post(
        f"/portal/awards/{award['id']}/publish", data={"csrf_token": csrf_of(portal.text)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/portal#share"
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        row = session.query(AwardPublication).filter_by(award_id=award["id"]).one()
        pid = row.public_id
    portal = web.get("/portal")
    assert "is public now" in portal.text
    assert f'href="/badges/{pid}"' in portal.text
    assert f'action="/portal/awards/{award["id"]}/unpublish"' in portal.text

    done = web.post(
        f"/portal/awards/{award['id']}/unpublish", data={"csrf_token": csrf_of(portal.text)}
    )
    assert done.status_code == 303
    assert "no longer public" in web.get("/portal").text
    assert web.get(f"/badges/{pid}").status_code == 404


def test_portal_says_why_a_member_without_email_cannot_publish(web: TestClient, site: Site) -> None:
    award = _award(web, site.member_id)
    sign_in(web, "member")
    portal = web.get("/portal").text
    assert "no email address" in portal
    assert f"/portal/awards/{award['id']}/publish" not in portal
    # And the button's route refuses it too, with the reason.
    done = web.post(f"/portal/awards/{award['id']}/publish", data={"csrf_token": csrf_of(portal)})
    assert done.status_code == 303
    assert "no email address" in web.get("/portal").text


def test_a_member_cannot_publish_someone_elses_award(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    _set_email(web_engine, site.other_member_id, "grace@example.com")
    award = _award(web, site.other_member_id)
    sign_in(web, "member")
    token = csrf_of(web.get("/portal").text)
    web.post(f"/portal/awards/{award['id']}/publish", data={"csrf_token": token})
    assert "only their own" in web.get("/portal").text
    assert _api(web).ok("GET", f"/awards/{award['id']}")["public_url"] is None


def test_issuer_page_saves_and_rerenders_errors(web: TestClient, site: Site) -> None:
    sign_in(web, "admin")
    form = web.get("/admin/issuer")
    assert form.status_code == 200
    assert 'value="Plaudit"' in form.text
    token = csrf_of(form.text)
    bad = web.post(
        "/admin/issuer",
        data={"csrf_token": token, "name": "Acme", "url": "acme", "email": "nope"},
    )
    assert bad.status_code == 400
    assert 'value="acme"' in bad.text
    assert "error-summary" in bad.text
    ok = web.post(
        "/admin/issuer",
        data={
            "csrf_token": token,
            "name": "Acme Partners",
            "url": "https://acme.example.com",
            "email": "badges@acme.example.com",
            "image": "",
            "description": "Partner programme",
        },
    )
    assert ok.status_code == 303
    assert _api(web).ok("GET", "/issuer")["name"] == "Acme Partners"
    assert 'value="Acme Partners"' in web.get("/admin/issuer").text


def test_issuer_page_is_for_admins_only(web: TestClient, site: Site) -> None:
    sign_in(web, "manager")
    assert web.get("/admin/issuer").status_code == 403
