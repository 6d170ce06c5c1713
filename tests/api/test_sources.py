"""Sources: kinds of records with typed fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api

DEAL_FIELDS = [
    {"name": "type", "type": "string"},
    {"name": "value", "type": "number"},
    {"name": "approved", "type": "boolean"},
    {"name": "close_date", "type": "date"},
    {"name": "closed_at", "type": "datetime"},
]


def make_source(
    admin: Api,
    key: str = "deals",
    fields: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    created: dict[str, Any] = admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": key, "name": key.title(), "fields": DEAL_FIELDS if fields is None else fields},
    )
    return created


def labelled(fields: list[dict[str, str]]) -> list[dict[str, str]]:
    """Fields as answered: each with the label made from its name when none was given."""
    made = {"type": "Type", "value": "Value", "approved": "Approved", "margin": "Margin"}
    made |= {"close_date": "Close date", "closed_at": "Closed at", "region": "Region"}
    return [{**f, "label": f.get("label", made[f["name"]])} for f in fields]


def test_create_with_typed_fields(admin: Api) -> None:
    source = make_source(admin)
    assert isinstance(source["id"], int)
    assert (source["key"], source["name"]) == ("deals", "Deals")
    assert source["fields"] == labelled(DEAL_FIELDS)
    assert datetime.fromisoformat(source["created_at"]).utcoffset() is not None
    assert admin.ok("GET", "/sources/deals") == source
    other = make_source(admin, "calls", [])
    assert other["fields"] == []
    assert admin.ok("GET", "/sources") == [source, other]


def test_duplicate_field_names(admin: Api) -> None:
    response = admin.post(
        "/sources",
        json={
            "key": "deals",
            "name": "Deals",
            "fields": [{"name": "value", "type": "number"}, {"name": "value", "type": "string"}],
        },
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["body.fields"]
    assert "'value' is declared twice" in problem["detail"]
    assert admin.get("/sources/deals").status_code == 404


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ({"name": "value", "type": "money"}, "body.fields.1.type"),
        ({"name": "value", "type": "integer"}, "body.fields.1.type"),
        ({"name": "value"}, "body.fields.1.type"),
        ({"name": "1st", "type": "number"}, "body.fields.1.name"),
        ({"name": "deal value", "type": "number"}, "body.fields.1.name"),
        ({"name": "", "type": "number"}, "body.fields.1.name"),
        ({"name": "value", "type": "number", "unit": "EUR"}, "body.fields.1.unit"),
    ],
)
def test_bad_field_declarations(admin: Api, field: dict[str, str], path: str) -> None:
    response = admin.post(
        "/sources",
        json={
            "key": "deals",
            "name": "Deals",
            "fields": [{"name": "stage", "type": "string"}, field],
        },
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [path]
    assert admin.ok("GET", "/sources") == []


@pytest.mark.parametrize("key", ["Deals", "deal closed", "-deals", "", "a" * 101])
def test_bad_keys(admin: Api, key: str) -> None:
    response = admin.post("/sources", json={"key": key, "name": "Deals", "fields": []})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.key"]


def test_duplicate_key(admin: Api) -> None:
    first = make_source(admin)
    response = admin.post("/sources", json={"key": "deals", "name": "Other", "fields": []})
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "duplicate_key"
    assert admin.ok("GET", "/sources") == [first]


def test_adding_fields(admin: Api) -> None:
    make_source(admin, fields=[{"name": "value", "type": "number"}])
    rule = {
        "source": "deals",
        "aggregate": "sum",
        "field": "margin",
        "operator": "at_least",
        "value": 10,
    }
    achievement = {"key": "margin", "name": "Margin", "category": "award", "requirements": [[rule]]}
    refused = admin.post("/achievements", json=achievement)
    assert refused.status_code == 422
    assert "no field 'margin'" in refused.json()["detail"]

    added = admin.ok(
        "POST",
        "/sources/deals/fields",
        json={
            "fields": [{"name": "margin", "type": "number"}, {"name": "region", "type": "string"}]
        },
    )
    assert added["fields"] == labelled(
        [
            {"name": "value", "type": "number"},
            {"name": "margin", "type": "number"},
            {"name": "region", "type": "string"},
        ]
    )
    assert admin.ok("GET", "/sources/deals") == added
    admin.ok("POST", "/achievements", 201, json=achievement)


def test_adding_fields_refuses_clashes_and_bad_input(admin: Api) -> None:
    make_source(admin, fields=[{"name": "value", "type": "number"}])
    clash = admin.post(
        "/sources/deals/fields",
        json={
            "fields": [{"name": "region", "type": "string"}, {"name": "value", "type": "string"}]
        },
    )
    assert clash.status_code == 422
    assert "['value']" in clash.json()["detail"]
    assert admin.post("/sources/deals/fields", json={"fields": []}).status_code == 422
    bad_type = admin.post(
        "/sources/deals/fields", json={"fields": [{"name": "x", "type": "money"}]}
    )
    assert bad_type.status_code == 422
    assert admin.ok("GET", "/sources/deals")["fields"] == labelled(
        [{"name": "value", "type": "number"}]
    )
    missing = admin.post("/sources/nope/fields", json={"fields": [{"name": "x", "type": "number"}]})
    assert missing.status_code == 404


def test_fields_have_display_labels(admin: Api) -> None:
    fields = [
        {"name": "campaign_id", "type": "string"},
        {"name": "outcome", "type": "string", "label": "Call outcome"},
        {"name": "deal__value_", "type": "number"},
        {"name": "id", "type": "string"},
        {"name": "paid", "type": "boolean", "label": "  Paid in full  "},
    ]
    created = make_source(admin, "campaigns", fields)
    assert [(f["name"], f["label"]) for f in created["fields"]] == [
        ("campaign_id", "Campaign ID"),
        ("outcome", "Call outcome"),
        ("deal__value_", "Deal value"),
        ("id", "ID"),
        ("paid", "Paid in full"),
    ]
    added = admin.ok(
        "POST",
        "/sources/campaigns/fields",
        json={"fields": [{"name": "region_id", "type": "string", "label": "Region"}]},
    )
    assert added["fields"][-1] == {"name": "region_id", "type": "string", "label": "Region"}
    assert admin.ok("GET", "/sources/campaigns") == added
    # Old payloads, without labels, stay valid (make_source above sends some without).
    for label in ("", "   ", "x" * 101, 7):
        bad = admin.post(
            "/sources",
            json={
                "key": "other",
                "name": "Other",
                "fields": [{"name": "a", "type": "string", "label": label}],
            },
        )
        assert bad.status_code == 422, (label, bad.text)
        assert [e["field"] for e in bad.json()["errors"]] == ["body.fields.0.label"]
    assert admin.get("/sources/other").status_code == 404


def test_unknown_source(admin: Api) -> None:
    response = admin.get("/sources/nope")
    assert response.status_code == 404
    assert response.json()["detail"] == "source 'nope' does not exist"


def test_who_may_manage_sources(admin: Api, tokens: dict[str, str]) -> None:
    make_source(admin)
    manager = admin.as_token(tokens["manager"])
    assert manager.ok("GET", "/sources/deals")["key"] == "deals"
    assert manager.post("/sources", json={"key": "x", "name": "X"}).status_code == 403
    assert (
        manager.post(
            "/sources/deals/fields", json={"fields": [{"name": "x", "type": "number"}]}
        ).status_code
        == 403
    )
    for role in ("ingest", "member"):
        assert admin.as_token(tokens[role]).get("/sources").status_code == 403


APPROVED = {"field": "type", "op": "eq", "value": "New business"}


def test_default_filters_are_kept_and_changed(admin: Api) -> None:
    """A source can name the filters a new rule over it starts with in the rule builder (the
    Unifyr deals object starts with "Status is Approved")."""
    created = admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": "deals", "name": "Deals", "fields": DEAL_FIELDS, "default_where": [APPROVED]},
    )
    assert created["default_where"] == [APPROVED]
    assert make_source(admin, "calls", [])["default_where"] == []
    changed = admin.ok(
        "PATCH",
        "/sources/deals",
        json={"default_where": [{"field": "value", "op": "gte", "value": 1000}, APPROVED]},
    )
    assert changed["default_where"] == [{"field": "value", "op": "gte", "value": 1000}, APPROVED]
    assert changed["name"] == "Deals"
    renamed = admin.ok("PATCH", "/sources/deals", json={"name": "Opportunities"})
    assert (renamed["name"], renamed["default_where"]) == (
        "Opportunities",
        changed["default_where"],
    )
    cleared = admin.ok("PATCH", "/sources/deals", json={"default_where": []})
    assert cleared["default_where"] == []
    assert admin.ok("GET", "/sources/deals") == cleared


def test_default_filters_never_filter_a_rule_silently(admin: Api) -> None:
    """Defaults are a starting point of the builder: a rule sent without filters counts every
    record of the source."""
    admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": "deals", "name": "Deals", "fields": DEAL_FIELDS, "default_where": [APPROVED]},
    )
    member = admin.ok("POST", "/members", 201, json={"name": "Ada"})
    achievement = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "two-deals",
            "name": "Two deals",
            "category": "award",
            "points": 5,
            "requirements": [
                [{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 2}]
            ],
        },
    )
    assert achievement["requirements"][0][0]["where"] == []
    admin.ok("POST", f"/achievements/{achievement['id']}/activate")
    answer = admin.ok(
        "POST",
        "/sources/deals/records",
        json={
            "records": [
                {
                    "member_id": member["id"],
                    "occurred_at": "2026-11-18T10:00:00+00:00",
                    "data": {"type": kind},
                }
                for kind in ("New business", "Renewal")
            ]
        },
    )
    assert [a["achievement_id"] for a in answer["awards"]] == [achievement["id"]]


@pytest.mark.parametrize(
    ("where", "field", "message"),
    [
        (
            [{"field": "stage", "op": "eq", "value": "x"}],
            "default_where.0.field",
            "no field 'stage'",
        ),
        (
            [APPROVED, {"field": "type", "op": "gt", "value": "a"}],
            "default_where.1.op",
            "works only on number, date or datetime",
        ),
        ([{"field": "value", "op": "eq", "value": "lots"}], "default_where.0.value", "number"),
        ([{"field": "approved", "op": "in", "value": []}], "body.default_where.0.value", "list"),
        ([{"field": "type", "op": "like", "value": "x"}], "body.default_where.0.op", "'eq'"),
    ],
)
def test_bad_default_filters_name_the_filter(
    admin: Api, where: list[dict[str, Any]], field: str, message: str
) -> None:
    response = admin.post(
        "/sources",
        json={"key": "deals", "name": "Deals", "fields": DEAL_FIELDS, "default_where": where},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert message in problem["errors"][0]["message"]
    assert admin.get("/sources/deals").status_code == 404
    make_source(admin)
    patched = admin.patch("/sources/deals", json={"default_where": where})
    assert patched.status_code == 422, patched.text
    assert [e["field"] for e in patched.json()["errors"]] == [field]
    assert admin.ok("GET", "/sources/deals")["default_where"] == []


def test_updating_an_unknown_source_or_with_bad_input(admin: Api) -> None:
    assert admin.patch("/sources/nope", json={"name": "X"}).status_code == 404
    make_source(admin)
    for body in ({"key": "other"}, {"name": ""}, {"default_where": "status=Approved"}):
        response = admin.patch("/sources/deals", json=body)
        assert response.status_code == 422, (body, response.text)
    assert admin.ok("GET", "/sources/deals")["name"] == "Deals"


def post_deals(admin: Api, member_id: int, data: list[dict[str, Any]]) -> None:
    admin.ok(
        "POST",
        "/sources/deals/records",
        json={
            "records": [
                {"member_id": member_id, "occurred_at": "2026-11-18T10:00:00+00:00", "data": d}
                for d in data
            ]
        },
    )


def test_field_values_most_frequent_first(admin: Api) -> None:
    """What a filter could compare with: the values a field takes in the source's records
    (Unifyr lists the campaigns when a rule is about campaign activations)."""
    make_source(admin)
    member = admin.ok("POST", "/members", 201, json={"name": "Ada"})
    kinds = ["Renewal", "New business", "Renewal", "Upsell", "New business", "Renewal"]
    post_deals(admin, member["id"], [{"type": k, "value": i % 2} for i, k in enumerate(kinds)])
    post_deals(admin, member["id"], [{"value": 5}])  # no type: absent, not a value
    answer = admin.ok("GET", "/sources/deals/values", params={"field": "type"})
    assert answer == {
        "field": "type",
        "values": [
            {"value": "Renewal", "count": 3},
            {"value": "New business", "count": 2},
            {"value": "Upsell", "count": 1},
        ],
        "sampled": 7,
    }
    limited = admin.ok("GET", "/sources/deals/values", params={"field": "type", "limit": 2})
    assert [v["value"] for v in limited["values"]] == ["Renewal", "New business"]
    numbers = admin.ok("GET", "/sources/deals/values", params={"field": "value"})
    assert numbers["values"] == [
        {"value": 0.0, "count": 3},
        {"value": 1.0, "count": 3},
        {"value": 5.0, "count": 1},
    ]
    assert admin.ok("GET", "/sources/deals/values", params={"field": "closed_at"})["values"] == []


def test_field_values_read_only_the_newest_records(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("plaudit.source.values.SAMPLE", 3)
    make_source(admin)
    member = admin.ok("POST", "/members", 201, json={"name": "Ada"})
    post_deals(admin, member["id"], [{"type": "Old"}] * 4 + [{"type": "New"}] * 3)
    answer = admin.ok("GET", "/sources/deals/values", params={"field": "type"})
    assert answer["values"] == [{"value": "New", "count": 3}]
    assert answer["sampled"] == 3


def test_field_values_bad_requests(admin: Api) -> None:
    assert admin.get("/sources/nope/values", params={"field": "type"}).status_code == 404
    make_source(admin)
    unknown = admin.get("/sources/deals/values", params={"field": "stage"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "field"
    assert "no field 'stage'" in unknown.json()["detail"]
    for params in ({}, {"field": "type", "limit": 0}, {"field": "type", "limit": 201}):
        response = admin.get("/sources/deals/values", params=params)
        assert response.status_code == 422, (params, response.text)
