"""Achievements: every field of the definition, validation, lifecycle, versions, audit, badge."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from tests.api.test_awards import give, make_achievement, make_member
from tests.conftest import Api

NOW = "2026-11-18T13:00:00+00:00"  # the fixed clock

# The three examples of the Unifyr seed (003), written as rules.
PROFILE_UPDATED = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
FIVE_CAMPAIGNS = {
    "source": "campaign_activations",
    "aggregate": "count_distinct",
    "field": "campaign_id",
    "operator": "at_least",
    "value": 5,
}
DEALS_50K = {
    "source": "deals",
    "where": [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "currency", "op": "eq", "value": "USD"},
        {"field": "type", "op": "in", "value": ["New", "Renewal"]},
        {"field": "close_date", "op": "gte", "value": "2026-01-01"},
    ],
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 50000,
}
# "Company Profile updated at least once AND activations for 5 campaigns OR deals of 50,000".
AND_OR = [[PROFILE_UPDATED, FIVE_CAMPAIGNS], [DEALS_50K]]


def make_sources(admin: Api) -> None:
    admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": "company_profile_updated", "name": "Company Profile Updated", "fields": []},
    )
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "campaign_activations",
            "name": "Campaign activations",
            "fields": [{"name": "campaign_id", "type": "string"}],
        },
    )
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "deals",
            "name": "Deals",
            "fields": [
                {"name": "type", "type": "string"},
                {"name": "stage", "type": "string"},
                {"name": "currency", "type": "string"},
                {"name": "status", "type": "string"},
                {"name": "value", "type": "number"},
                {"name": "close_date", "type": "date"},
            ],
        },
    )


def normalised(requirements: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Rules as the service answers them: every key present, defaults filled in."""
    return [
        [
            {
                "source": r["source"],
                "where": r.get("where", []),
                "aggregate": r["aggregate"],
                "field": r.get("field"),
                "operator": r["operator"],
                "value": r["value"],
            }
            for r in group
        ]
        for group in requirements
    ]


def full_body(admin: Api, key: str = "partner-star", **overrides: Any) -> dict[str, Any]:
    group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
        },
    )
    body: dict[str, Any] = {
        "key": key,
        "name": "Partner star",
        "description": "Update your profile and activate five campaigns, or close $50k.",
        "category": "membership",
        "points": 250,
        "icon": "star",
        "background_color": "#1A2b3C",
        "text_color": "#fff",
        "show_next_to_name": True,
        "period": "quarter",
        "effective": {"from": "2026-10-01", "until": "2026-12-31"},
        "audience": [group["id"]],
        "repeatable": False,
        "requirements": AND_OR,
    }
    body.update(overrides)
    return body


def error_fields(response: Any) -> list[str]:
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["status"] == response.status_code
    return [e["field"] for e in body.get("errors", [])]


def png(width: int, height: int) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 0)).save(out, format="PNG")
    return out.getvalue()


def put_badge(
    admin: Api, achievement_id: int, content: bytes, media_type: str = "image/png"
) -> Any:
    return admin.put(
        f"/achievements/{achievement_id}/badge",
        content=content,
        headers={"Content-Type": media_type},
    )


# --- creating -------------------------------------------------------------------------------


def test_create_with_every_field_round_trips(admin: Api) -> None:
    make_sources(admin)
    body = full_body(admin)
    created = admin.ok("POST", "/achievements", 201, json=body)
    assert isinstance(created["id"], int)
    assert created["active"] is False
    assert created["version"] == 1
    assert created["badge_url"] is None
    assert created["created_at"] == created["updated_at"] == NOW
    for name in (
        "key",
        "name",
        "description",
        "category",
        "points",
        "icon",
        "background_color",
        "text_color",
        "show_next_to_name",
        "period",
        "audience",
        "repeatable",
    ):
        assert created[name] == body[name], name
    assert created["requirements"] == normalised(AND_OR)
    # A date `until` includes that whole day: the window ends at the next midnight.
    assert created["effective"] == {
        "from": "2026-10-01T00:00:00+00:00",
        "until": "2027-01-01T00:00:00+00:00",
    }
    assert admin.ok("GET", f"/achievements/{created['id']}") == created
    assert admin.ok("GET", "/achievements") == [created]


def test_defaults_of_a_minimal_achievement(admin: Api) -> None:
    created = admin.ok(
        "POST", "/achievements", 201, json={"key": "kudos", "name": "Kudos", "category": "award"}
    )
    assert {
        k: created[k]
        for k in (
            "description",
            "points",
            "icon",
            "background_color",
            "text_color",
            "show_next_to_name",
            "period",
            "audience",
            "repeatable",
            "requirements",
            "active",
            "version",
        )
    } == {
        "description": None,
        "points": 0,
        "icon": None,
        "background_color": None,
        "text_color": None,
        "show_next_to_name": False,
        "period": "none",
        "audience": [],
        "repeatable": False,
        "requirements": [],
        "active": False,
        "version": 1,
    }
    assert created["effective"] == {"from": None, "until": None}


@pytest.mark.parametrize(
    ("effective", "expected"),
    [
        ({"from": "2026-11-01"}, {"from": "2026-11-01T00:00:00+00:00", "until": None}),
        ({"until": "2026-11-30"}, {"from": None, "until": "2026-12-01T00:00:00+00:00"}),
        (
            {"from": "2026-11-01T09:30:00+01:00", "until": "2026-11-20T17:00:00-05:00"},
            {"from": "2026-11-01T08:30:00+00:00", "until": "2026-11-20T22:00:00+00:00"},
        ),
        (
            {"from": "2026-11-01", "until": "2026-11-20T17:00:00Z"},
            {"from": "2026-11-01T00:00:00+00:00", "until": "2026-11-20T17:00:00+00:00"},
        ),
        ({}, {"from": None, "until": None}),
    ],
)
def test_effective_between_from_until(
    admin: Api, effective: dict[str, str], expected: dict[str, Any]
) -> None:
    created = make_achievement(admin, "window", "award", effective=effective)
    assert created["effective"] == expected
    assert admin.ok("GET", f"/achievements/{created['id']}") == created
    version = admin.ok("GET", f"/achievements/{created['id']}/versions")[0]["definition"]
    assert (version["effective_from"], version["effective_until"]) == (
        expected["from"],
        expected["until"],
    )


def test_effective_dates_are_local_days_of_the_organisation(admin: Api, client: Any) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"timezone": "Europe/Oslo"}
    )
    created = make_achievement(
        admin, "oslo", "award", effective={"from": "2026-11-01", "until": "2026-11-30"}
    )
    assert created["effective"] == {
        "from": "2026-10-31T23:00:00+00:00",
        "until": "2026-11-30T23:00:00+00:00",
    }


@pytest.mark.parametrize(
    "effective",
    [
        {"from": "2026-11-30", "until": "2026-11-01"},
        {"from": "2026-11-20T10:00:00+00:00", "until": "2026-11-20T10:00:00+00:00"},
        {"from": "2026-11-20T10:00:00+00:00", "until": "2026-11-19"},
    ],
)
def test_until_must_be_after_from(admin: Api, effective: dict[str, str]) -> None:
    response = admin.post(
        "/achievements", json={"key": "w", "name": "W", "category": "award", "effective": effective}
    )
    assert response.status_code == 422, response.text
    assert error_fields(response) == ["effective.until"]
    assert "after" in response.json()["detail"]


def test_naive_effective_timestamp_is_refused(admin: Api) -> None:
    response = admin.post(
        "/achievements",
        json={
            "key": "w",
            "name": "W",
            "category": "award",
            "effective": {"from": "2026-11-20T10:00:00"},
        },
    )
    assert response.status_code == 422, response.text
    assert any(f.startswith("body.effective.from") for f in error_fields(response))


def test_repeatable_with_one_group_of_at_least_count_or_sum(admin: Api) -> None:
    make_sources(admin)
    rules = [{**FIVE_CAMPAIGNS, "aggregate": "count", "field": None}, {**DEALS_50K}]
    created = make_achievement(admin, "closer", "award", repeatable=True, requirements=[rules])
    assert created["repeatable"] is True
    assert created["requirements"] == normalised([rules])


@pytest.mark.parametrize(
    ("category", "overrides", "fields"),
    [
        # Two groups.
        ("award", {"requirements": [[PROFILE_UPDATED], [PROFILE_UPDATED]]}, ["requirements"]),
        # No requirements at all.
        ("award", {"requirements": []}, ["requirements", "requirements"]),
        # Not 'at_least'.
        (
            "award",
            {"requirements": [[{**PROFILE_UPDATED, "operator": "more_than"}]]},
            ["requirements.0.0.operator"],
        ),
        # Not count or sum.
        ("award", {"requirements": [[FIVE_CAMPAIGNS]]}, ["requirements.0.0.aggregate"]),
        # A target of zero can never be completed "k times".
        (
            "award",
            {"requirements": [[{**PROFILE_UPDATED, "value": 0}]]},
            ["requirements.0.0.value"],
        ),
        # Memberships and records are held at most once per period.
        ("membership", {"requirements": [[PROFILE_UPDATED]]}, ["repeatable"]),
        ("record", {"requirements": [[PROFILE_UPDATED]]}, ["repeatable"]),
    ],
)
def test_repeatable_is_refused_unless_it_fits(
    admin: Api, category: str, overrides: dict[str, Any], fields: list[str]
) -> None:
    make_sources(admin)
    body = {"key": "rep", "name": "Rep", "category": category, "repeatable": True, **overrides}
    response = admin.post("/achievements", json=body)
    assert response.status_code == 422, response.text
    assert error_fields(response) == fields
    assert admin.ok("GET", "/achievements") == []


def test_unknown_group_in_audience(admin: Api) -> None:
    group = admin.ok("POST", "/groups", 201, json={"name": "G", "member_ids": []})
    response = admin.post(
        "/achievements",
        json={"key": "aud", "name": "Aud", "category": "award", "audience": [group["id"], 4242]},
    )
    assert response.status_code == 422, response.text
    assert error_fields(response) == ["audience.1"]
    assert "group 4242 does not exist" in response.json()["detail"]


@pytest.mark.parametrize(
    ("rule", "field", "words"),
    [
        ({**PROFILE_UPDATED, "source": "webinars"}, "requirements.0.0.source", "unknown source"),
        (
            {**DEALS_50K, "where": [{"field": "region", "op": "eq", "value": "EMEA"}]},
            "requirements.0.0.where.0.field",
            "no field 'region'",
        ),
        ({**DEALS_50K, "field": "amount"}, "requirements.0.0.field", "no field 'amount'"),
        ({**DEALS_50K, "field": "currency"}, "requirements.0.0.field", "needs a number field"),
        (
            {**DEALS_50K, "where": [{"field": "value", "op": "contains", "value": "5"}]},
            "requirements.0.0.where.0.op",
            "only on string fields",
        ),
        (
            {**DEALS_50K, "where": [{"field": "close_date", "op": "gte", "value": "soon"}]},
            "requirements.0.0.where.0.value",
            "'close_date' is a date field",
        ),
    ],
)
def test_rules_are_checked_against_the_sources(
    admin: Api, rule: dict[str, Any], field: str, words: str
) -> None:
    make_sources(admin)
    response = admin.post(
        "/achievements",
        json={
            "key": "bad",
            "name": "Bad",
            "category": "award",
            "requirements": [[PROFILE_UPDATED], [rule]],
        },
    )
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field.replace(".0.0.", ".1.0.")]
    assert words in response.json()["detail"]


@pytest.mark.parametrize(
    "rule",
    [
        {**PROFILE_UPDATED, "aggregate": "average"},
        {**PROFILE_UPDATED, "field": "anything"},  # count takes no field
        {**DEALS_50K, "where": [{"field": "type", "op": "in", "value": "New"}]},
        {**PROFILE_UPDATED, "value": "one"},
    ],
)
def test_rule_shape_errors_name_the_rule(admin: Api, rule: dict[str, Any]) -> None:
    make_sources(admin)
    response = admin.post(
        "/achievements",
        json={"key": "bad", "name": "Bad", "category": "award", "requirements": [[rule]]},
    )
    assert response.status_code == 422, response.text
    fields = error_fields(response)
    assert fields and all(f.startswith("body.requirements.0.0") for f in fields), fields


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("background_color", "red"),
        ("background_color", "#12345"),
        ("text_color", "#ggg"),
        ("text_color", "fff"),
    ],
)
def test_colours_must_be_hex(admin: Api, name: str, value: str) -> None:
    response = admin.post(
        "/achievements", json={"key": "c", "name": "C", "category": "award", name: value}
    )
    assert response.status_code == 422, response.text
    assert error_fields(response) == [f"body.{name}"]


@pytest.mark.parametrize(
    "body",
    [
        {"key": "Has Spaces", "name": "K", "category": "award"},
        {"key": "k", "name": "", "category": "award"},
        {"key": "k", "name": "K", "category": "trophy"},
        {"key": "k", "name": "K", "category": "award", "period": "fortnight"},
        {"key": "k", "name": "K", "category": "award", "points": -1},
        {"key": "k", "name": "K", "category": "award", "colour": "#fff"},
    ],
)
def test_field_shapes(admin: Api, body: dict[str, Any]) -> None:
    response = admin.post("/achievements", json=body)
    assert response.status_code == 422, response.text
    assert error_fields(response)


def test_key_is_unique_among_live_achievements(admin: Api) -> None:
    first = make_achievement(admin, "kudos", "award")
    response = admin.post(
        "/achievements", json={"key": "kudos", "name": "Again", "category": "award"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_key"
    other = make_achievement(admin, "other", "award")
    clash = admin.patch(f"/achievements/{other['id']}", json={"key": "kudos"})
    assert clash.status_code == 409
    assert str(first["id"]) in clash.json()["detail"]


# --- lifecycle ------------------------------------------------------------------------------


def test_active_achievement_cannot_be_changed_until_deactivated(admin: Api) -> None:
    kudos = make_achievement(admin, "kudos", "award")
    aid = kudos["id"]
    activated = admin.ok("POST", f"/achievements/{aid}/activate")
    assert activated["active"] is True
    assert activated["version"] == 1
    assert admin.ok("GET", f"/achievements/{aid}")["active"] is True

    for response in (
        admin.patch(f"/achievements/{aid}", json={"name": "New name"}),
        admin.delete(f"/achievements/{aid}"),
        put_badge(admin, aid, png(96, 96)),
    ):
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "achievement_active"
        assert "deactivate it first" in problem["detail"]
        assert f"/achievements/{aid}/deactivate" in problem["detail"]
    unchanged = admin.ok("GET", f"/achievements/{aid}")
    assert (unchanged["name"], unchanged["version"], unchanged["badge_url"]) == ("Kudos", 1, None)

    deactivated = admin.ok("POST", f"/achievements/{aid}/deactivate")
    assert deactivated["active"] is False
    edited = admin.ok("PATCH", f"/achievements/{aid}", json={"name": "New name", "points": 5})
    assert (edited["name"], edited["points"], edited["version"]) == ("New name", 5, 2)
    assert edited["updated_at"] == NOW


def test_activate_and_deactivate_are_idempotent(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    admin.ok("POST", f"/achievements/{aid}/activate")
    assert admin.ok("POST", f"/achievements/{aid}/activate")["active"] is True
    admin.ok("POST", f"/achievements/{aid}/deactivate")
    assert admin.ok("POST", f"/achievements/{aid}/deactivate")["active"] is False
    actions = [
        e["action"] for e in admin.ok("GET", f"/audit?entity_id={aid}&entity_type=achievement")
    ]
    assert actions == ["achievement.deactivate", "achievement.activate", "achievement.create"]


def test_list_filter_by_active(admin: Api) -> None:
    on = make_achievement(admin, "on", "award")
    off = make_achievement(admin, "off", "award")
    admin.ok("POST", f"/achievements/{on['id']}/activate")
    assert [a["id"] for a in admin.ok("GET", "/achievements?active=true")] == [on["id"]]
    assert [a["id"] for a in admin.ok("GET", "/achievements?active=false")] == [off["id"]]
    assert [a["id"] for a in admin.ok("GET", "/achievements")] == [on["id"], off["id"]]


def test_every_edit_is_a_new_version(admin: Api) -> None:
    make_sources(admin)
    created = make_achievement(admin, "closer", "award", requirements=[[PROFILE_UPDATED]])
    aid = created["id"]
    admin.ok("PATCH", f"/achievements/{aid}", json={"points": 20, "requirements": AND_OR})
    admin.ok("PATCH", f"/achievements/{aid}", json={"description": "Close deals"})
    versions = admin.ok("GET", f"/achievements/{aid}/versions")
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["definition"]["points"] for v in versions] == [10, 20, 20]
    assert versions[0]["definition"]["requirements"] == normalised([[PROFILE_UPDATED]])
    assert versions[1]["definition"]["requirements"] == normalised(AND_OR)
    assert [v["definition"]["description"] for v in versions] == [None, None, "Close deals"]
    assert all(v["created_by"] == "admin-token" and v["created_at"] == NOW for v in versions)
    assert admin.ok("GET", f"/achievements/{aid}")["version"] == 3
    assert admin.get("/achievements/999/versions").status_code == 404


def test_an_edit_that_changes_nothing_makes_no_version(admin: Api) -> None:
    make_sources(admin)
    created = make_achievement(
        admin,
        "closer",
        "award",
        requirements=AND_OR,
        effective={"from": "2026-11-01", "until": "2026-12-01T09:00:00+01:00"},
    )
    aid = created["id"]
    same = admin.ok(
        "PATCH",
        f"/achievements/{aid}",
        json={
            "name": created["name"],
            "points": 10,
            "requirements": AND_OR,
            # The same instants, written another way.
            "effective": {"from": "2026-11-01T01:00:00+01:00", "until": "2026-12-01T08:00:00Z"},
        },
    )
    assert same["version"] == 1
    assert admin.ok("PATCH", f"/achievements/{aid}", json={})["version"] == 1
    assert len(admin.ok("GET", f"/achievements/{aid}/versions")) == 1
    assert admin.ok("GET", "/audit?action=achievement.edit") == []


def test_editing_only_the_effective_window_makes_a_version(admin: Api) -> None:
    created = make_achievement(admin, "promo", "award", effective={"from": "2026-11-01"})
    aid = created["id"]
    edited = admin.ok(
        "PATCH",
        f"/achievements/{aid}",
        json={"effective": {"from": "2026-11-01", "until": "2026-11-30"}},
    )
    assert edited["effective"]["until"] == "2026-12-01T00:00:00+00:00"
    assert edited["version"] == 2
    versions = admin.ok("GET", f"/achievements/{aid}/versions")
    assert [v["definition"]["effective_until"] for v in versions] == [
        None,
        "2026-12-01T00:00:00+00:00",
    ]
    event = admin.ok("GET", "/audit?action=achievement.edit")[0]
    assert event["details"]["changed"] == ["effective_until"]


def test_edits_are_validated_like_creation(admin: Api) -> None:
    make_sources(admin)
    award = make_achievement(
        admin, "closer", "award", repeatable=True, requirements=[[PROFILE_UPDATED]]
    )
    aid = award["id"]
    response = admin.patch(f"/achievements/{aid}", json={"category": "record"})
    assert response.status_code == 422
    assert error_fields(response) == ["repeatable"]
    response = admin.patch(f"/achievements/{aid}", json={"requirements": AND_OR})
    assert response.status_code == 422
    assert "requirements" in error_fields(response)
    response = admin.patch(
        f"/achievements/{aid}", json={"effective": {"from": "2026-11-02", "until": "2026-11-01"}}
    )
    assert response.status_code == 422
    assert error_fields(response) == ["effective.until"]
    after = admin.ok("GET", f"/achievements/{aid}")
    assert after == award
    assert admin.patch("/achievements/999", json={"name": "X"}).status_code == 404


def test_delete_keeps_awards_and_frees_the_key(admin: Api) -> None:
    ann = make_member(admin)
    kudos = make_achievement(admin, "kudos", "award")
    aid = kudos["id"]
    first = give(admin, ann["id"], aid).json()
    admin.ok("PATCH", f"/achievements/{aid}", json={"points": 30})
    second = give(admin, ann["id"], aid).json()

    assert admin.ok("DELETE", f"/achievements/{aid}?reason=retired", 204) is None
    missing = admin.get(f"/achievements/{aid}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert admin.ok("GET", "/achievements") == []
    assert admin.delete(f"/achievements/{aid}").status_code == 404
    assert admin.get(f"/achievements/{aid}/versions").status_code == 404

    kept = admin.ok("GET", f"/awards?achievement_id={aid}")
    assert [(a["id"], a["achievement_version"], a["points"], a["revoked"]) for a in kept] == [
        (first["id"], 1, 10, False),
        (second["id"], 2, 30, False),
    ]
    assert admin.ok("GET", f"/awards/{first['id']}")["achievement_id"] == aid
    assert give(admin, ann["id"], aid).status_code == 404

    again = make_achievement(admin, "kudos", "award")
    assert again["id"] != aid
    assert again["version"] == 1
    assert [a["id"] for a in admin.ok("GET", "/achievements")] == [again["id"]]
    assert len(admin.ok("GET", f"/awards?member_id={ann['id']}")) == 2


# --- audit ----------------------------------------------------------------------------------


def test_audit_log_records_who_did_what_and_when(admin: Api, tokens: dict[str, str]) -> None:
    manager = admin.as_token(tokens["manager"])
    ann = make_member(admin)
    aid = manager.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 10},
    )["id"]
    manager.ok("PATCH", f"/achievements/{aid}", json={"name": "Big kudos", "points": 15})
    manager.ok("POST", f"/achievements/{aid}/activate")
    award = manager.ok(
        "POST",
        f"/members/{ann['id']}/awards",
        201,
        json={"achievement_id": aid, "reason": "great week"},
    )
    admin.ok("DELETE", f"/awards/{award['id']}?reason=wrong%20person")
    admin.ok("POST", f"/achievements/{aid}/deactivate")
    admin.ok("DELETE", f"/achievements/{aid}?reason=retired", 204)

    events = admin.ok("GET", "/audit")
    assert [e["action"] for e in events] == [
        "achievement.delete",
        "achievement.deactivate",
        "award.revoke",
        "award.give",
        "achievement.activate",
        "achievement.edit",
        "achievement.create",
    ]
    assert all(e["occurred_at"] == NOW for e in events)
    by_action = {e["action"]: e for e in events}
    for action in ("achievement.create", "achievement.edit", "achievement.activate", "award.give"):
        assert by_action[action]["actor"] == "token:manager-token", action
        assert by_action[action]["actor_role"] == "manager"
    for action in ("award.revoke", "achievement.deactivate", "achievement.delete"):
        assert by_action[action]["actor"] == "admin-token", action
        assert by_action[action]["actor_role"] == "admin"
    edit = by_action["achievement.edit"]
    assert (edit["entity_type"], edit["entity_id"]) == ("achievement", aid)
    assert edit["details"] == {"version": 2, "changed": ["name", "points"]}
    assert by_action["achievement.create"]["details"]["key"] == "kudos"
    assert by_action["achievement.delete"]["reason"] == "retired"
    give_event = by_action["award.give"]
    assert (give_event["entity_type"], give_event["entity_id"]) == ("award", award["id"])
    assert give_event["reason"] == "great week"
    assert give_event["details"]["achievement_id"] == aid
    assert give_event["details"]["member_id"] == ann["id"]
    assert by_action["award.revoke"]["reason"] == "wrong person"

    filtered = admin.ok("GET", f"/audit?entity_type=achievement&entity_id={aid}")
    assert len(filtered) == 5
    assert [e["action"] for e in admin.ok("GET", "/audit?limit=2")] == [
        "achievement.delete",
        "achievement.deactivate",
    ]


def test_audit_log_is_for_admins_only(admin: Api, tokens: dict[str, str]) -> None:
    for role in ("manager", "ingest", "member"):
        assert admin.as_token(tokens[role]).get("/audit").status_code == 403, role
    assert admin.as_token(None).get("/audit").status_code == 401


# --- badge ----------------------------------------------------------------------------------


def test_badge_upload_and_download(admin: Api) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    assert admin.get(f"/achievements/{aid}/badge").status_code == 404
    image = png(120, 120)
    answered = put_badge(admin, aid, image)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["badge_url"] == f"/api/v1/achievements/{aid}/badge"
    assert body["version"] == 2
    assert admin.ok("GET", f"/achievements/{aid}")["badge_url"] == body["badge_url"]
    assert admin.ok("GET", "/achievements")[0]["badge_url"] == body["badge_url"]

    served = admin.get(f"/achievements/{aid}/badge")
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert served.headers["x-content-type-options"] == "nosniff"

    # A second upload replaces the first.
    bigger = png(400, 400)
    assert put_badge(admin, aid, bigger).status_code == 200
    assert admin.get(f"/achievements/{aid}/badge").content == bigger
    changed = admin.ok("GET", "/audit?action=achievement.edit")[0]["details"]["changed"]
    assert changed == ["badge"]


def test_a_member_sees_only_badges_of_achievements_in_their_audience(
    admin: Api, tokens: dict[str, str]
) -> None:
    outsiders = admin.ok("POST", "/teams", 201, json={"name": "Elsewhere"})
    group = admin.ok("POST", "/groups", 201, json={"name": "Them", "team_ids": [outsiders["id"]]})
    hidden = make_achievement(admin, "hidden", "award", audience=[group["id"]])["id"]
    public = make_achievement(admin, "public", "award")["id"]
    for aid in (hidden, public):
        assert put_badge(admin, aid, png(120, 120)).status_code == 200
    member = admin.as_token(tokens["member"])
    assert member.get(f"/achievements/{public}/badge").status_code == 200
    refused = member.get(f"/achievements/{hidden}/badge")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert admin.get(f"/achievements/{hidden}/badge").status_code == 200


def test_badges_shown_next_to_names_are_for_every_leaderboard_viewer(
    admin: Api, tokens: dict[str, str]
) -> None:
    outsiders = admin.ok("POST", "/teams", 201, json={"name": "Elsewhere"})
    group = admin.ok("POST", "/groups", 201, json={"name": "Them", "team_ids": [outsiders["id"]]})
    shown = make_achievement(
        admin, "crown", "award", audience=[group["id"]], show_next_to_name=True
    )["id"]
    assert put_badge(admin, shown, png(120, 120)).status_code == 200
    member = admin.as_token(tokens["member"])
    assert member.get(f"/achievements/{shown}/badge").status_code == 200


@pytest.mark.parametrize(
    ("content", "media_type", "status", "words"),
    [
        (png(120, 100), "image/png", 422, "square"),
        (png(60, 60), "image/png", 422, "at least 90x90"),
        (b"not a png at all", "image/png", 422, "not a PNG"),
        (png(120, 120), "image/jpeg", 415, "image/jpeg"),
        (png(120, 120), "application/octet-stream", 415, "not supported"),
    ],
)
def test_bad_badges_are_refused(
    admin: Api, content: bytes, media_type: str, status: int, words: str
) -> None:
    aid = make_achievement(admin, "kudos", "award")["id"]
    response = put_badge(admin, aid, content, media_type)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert admin.get(f"/achievements/{aid}/badge").status_code == 404
    assert admin.ok("GET", f"/achievements/{aid}")["version"] == 1


def test_badge_of_unknown_achievement(admin: Api) -> None:
    assert put_badge(admin, 999, png(96, 96)).status_code == 404
    assert admin.get("/achievements/999/badge").status_code == 404


def test_only_staff_write_achievements(admin: Api, tokens: dict[str, str]) -> None:
    body = {"key": "kudos", "name": "Kudos", "category": "award"}
    for role in ("ingest", "member"):
        api = admin.as_token(tokens[role])
        assert api.post("/achievements", json=body).status_code == 403, role
        assert api.get("/achievements").status_code == 403, role
    assert admin.as_token(tokens["manager"]).post("/achievements", json=body).status_code == 201
