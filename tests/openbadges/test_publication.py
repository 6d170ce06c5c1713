"""Publishing and unpublishing awards: who may, what is refused, the URLs in the answers,
the audit events, and the achievement policy that publishes awards as they are given."""

from __future__ import annotations

from typing import Any

from plaudit.achievement.versions import describe_changes
from tests.conftest import Api
from tests.one_hop_client import TestClient
from tests.openbadges.helpers import (
    achievement,
    give,
    member,
    member_token,
    public_id,
    published_award,
)

BASE = "http://127.0.0.1:8000"


def test_publishing_gives_the_award_its_public_urls_and_unpublishing_removes_them(
    admin: Api, client: TestClient
) -> None:
    ann = member(admin)
    badge = achievement(admin)
    award = give(admin, ann["id"], badge["id"])
    assert award["public_url"] is None
    assert award["openbadges_v2_url"] is None

    published = admin.ok("POST", f"/awards/{award['id']}/publish")
    pid = public_id(published)
    assert len(pid) >= 32
    assert published["public_url"] == f"{BASE}/badges/{pid}"
    assert published["openbadges_v2_url"] == f"{BASE}/ob/v2/assertions/{pid}"
    assert published["openbadges_v3_url"] == f"{BASE}/ob/v3/credentials/{pid}"
    assert admin.ok("GET", f"/awards/{award['id']}")["public_url"] == published["public_url"]
    listed = admin.ok("GET", f"/awards?member_id={ann['id']}")
    assert [a["openbadges_v2_url"] for a in listed] == [published["openbadges_v2_url"]]
    # Publishing again changes nothing: the same public id.
    assert (
        admin.ok("POST", f"/awards/{award['id']}/publish")["public_url"] == published["public_url"]
    )
    assert client.get(f"/ob/v2/assertions/{pid}").status_code == 200

    unpublished = admin.ok("DELETE", f"/awards/{award['id']}/publish")
    assert unpublished["public_url"] is None
    assert admin.ok("GET", f"/awards/{award['id']}")["openbadges_v3_url"] is None
    for path in (
        f"/ob/v2/assertions/{pid}",
        f"/ob/v2/assertions/{pid}/badge.png",
        f"/ob/v2/assertions/{pid}/badge.svg",
        f"/badges/{pid}",
    ):
        assert client.get(path).status_code == 404, path
    # Unpublishing what is not published is not an error.
    assert admin.ok("DELETE", f"/awards/{award['id']}/publish")["public_url"] is None


def test_a_new_publication_has_a_new_public_id(admin: Api) -> None:
    first, _ann = published_award(admin)
    admin.ok("DELETE", f"/awards/{first['id']}/publish")
    again = admin.ok("POST", f"/awards/{first['id']}/publish")
    assert public_id(again) != public_id(first)


def test_a_member_publishes_their_own_awards_only(admin: Api) -> None:
    ann, bob = member(admin), member(admin, "Bob", "bob@example.com")
    badge = achievement(admin)
    anns, bobs = give(admin, ann["id"], badge["id"]), give(admin, bob["id"], badge["id"])
    as_ann = member_token(admin, ann["id"])
    assert as_ann.ok("POST", f"/awards/{anns['id']}/publish")["public_url"]
    refused = as_ann.post(f"/awards/{bobs['id']}/publish")
    assert refused.status_code == 403
    assert "only their own" in refused.json()["detail"]
    assert as_ann.delete(f"/awards/{bobs['id']}/publish").status_code == 403
    assert admin.ok("GET", f"/awards/{bobs['id']}")["public_url"] is None
    assert as_ann.ok("DELETE", f"/awards/{anns['id']}/publish")["public_url"] is None


def test_a_member_without_an_email_cannot_publish(admin: Api) -> None:
    ann = member(admin, email=None)
    award = give(admin, ann["id"], achievement(admin)["id"])
    response = admin.post(f"/awards/{award['id']}/publish")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "member_without_email"
    assert "no email address" in problem["detail"]
    assert problem["errors"][0]["field"] == "member.email"
    assert admin.ok("GET", f"/awards/{award['id']}")["public_url"] is None


def test_a_revoked_award_cannot_be_published(admin: Api) -> None:
    ann = member(admin)
    award = give(admin, ann["id"], achievement(admin)["id"])
    admin.ok("DELETE", f"/awards/{award['id']}")
    response = admin.post(f"/awards/{award['id']}/publish")
    assert response.status_code == 409
    assert response.json()["code"] == "award_revoked"


def test_unknown_award_is_404(admin: Api) -> None:
    assert admin.post("/awards/999999/publish").status_code == 404
    assert admin.delete("/awards/999999/publish").status_code == 404


def test_publish_and_unpublish_are_audited(admin: Api) -> None:
    published, ann = published_award(admin)
    admin.ok("DELETE", f"/awards/{published['id']}/publish")
    events = admin.ok("GET", f"/audit?entity_type=award&entity_id={published['id']}")
    actions = [e["action"] for e in events]
    assert actions[:2] == ["award.unpublish", "award.publish"]
    assert events[1]["details"]["member_id"] == ann["id"]


def _rule_source(admin: Api) -> None:
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})


def _rule(**extra: Any) -> dict[str, Any]:
    return {
        "requirements": [
            [{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}]
        ],
        **extra,
    }


def test_publish_automatically_publishes_manual_and_rule_awards_when_given(admin: Api) -> None:
    ann, nomail = member(admin), member(admin, "No Mail", None)
    manual = achievement(admin, "auto-manual", publish_automatically=True)
    assert manual["publish_automatically"] is True
    award = give(admin, ann["id"], manual["id"])
    assert award["public_url"] is not None  # in the give answer itself
    assert give(admin, nomail["id"], manual["id"])["public_url"] is None

    _rule_source(admin)
    ruled = achievement(admin, "auto-rule", publish_automatically=True, **_rule())
    plain = achievement(admin, "plain-rule", **_rule())
    for a in (ruled, plain):
        admin.ok("POST", f"/achievements/{a['id']}/activate")
    admin.ok(
        "POST",
        "/sources/deals/records",
        json={"member_id": ann["id"], "occurred_at": "2026-11-18T10:00:00Z", "data": {}},
    )
    by_achievement = {
        a["achievement_id"]: a for a in admin.ok("GET", f"/awards?member_id={ann['id']}")
    }
    assert by_achievement[ruled["id"]]["public_url"] is not None
    assert by_achievement[ruled["id"]]["source"] == "rule"
    assert by_achievement[plain["id"]]["public_url"] is None


def test_publish_automatically_is_editable(admin: Api) -> None:
    a = achievement(admin)
    assert a["publish_automatically"] is False
    changed = admin.ok("PATCH", f"/achievements/{a['id']}", json={"publish_automatically": True})
    assert changed["publish_automatically"] is True
    assert (
        admin.patch(f"/achievements/{a['id']}", json={"publish_automatically": "yes"}).status_code
        == 422
    )


def test_versions_before_publish_automatically_existed_read_as_off() -> None:
    assert describe_changes({"name": "A"}, {"name": "A", "publish_automatically": False}, {}) == []
    assert describe_changes({}, {"publish_automatically": True}, {}) == [
        "Published automatically: no → yes"
    ]
