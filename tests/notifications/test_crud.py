"""Notifications through the API: create, read, edit, activate, delete; what is refused, and how
the refusal points at the mistake."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.notifications.helpers import RATIO, firings, formula, give, notify, send, setup

APPROVED_DEAL = {
    "type": "record",
    "source": "deals",
    "where": [{"field": "status", "op": "eq", "value": "approved"}],
}


def problem(answer: Any, status: int = 422) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    return body


def test_create_read_list_and_defaults(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED_DEAL, give(ids["kudos"]), name="Approved deal")
    assert created["name"] == "Approved deal"
    assert created["active"] is True
    assert created["trigger"] == {
        "type": "record",
        "source": "deals",
        "events": ["created", "updated"],
        "where": [{"field": "status", "op": "eq", "value": "approved"}],
    }
    assert created["action"] == {"type": "give_achievement", "achievement_id": ids["kudos"]}
    assert created["webhook_secret"] is None
    assert created["created_at"].endswith("+00:00")
    assert admin.ok("GET", f"/notifications/{created['id']}") == created
    off = notify(admin, formula(), give(ids["kudos"]), name="Ratio", active=False)
    assert off["trigger"] == formula()
    assert [n["id"] for n in admin.ok("GET", "/notifications")] == [created["id"], off["id"]]
    assert [n["id"] for n in admin.ok("GET", "/notifications?active=false")] == [off["id"]]


def test_a_webhook_secret_is_shown_once(admin: Api) -> None:
    setup(admin)
    generated = notify(admin, APPROVED_DEAL, {"type": "webhook", "url": "http://127.0.0.1:9/h"})
    assert generated["webhook_secret"].startswith("whsec_")
    assert len(generated["webhook_secret"]) > 40
    assert generated["action"] == {"type": "webhook", "url": "http://127.0.0.1:9/h"}
    again = admin.ok("GET", f"/notifications/{generated['id']}")
    assert again["webhook_secret"] is None
    assert generated["webhook_secret"] not in str(admin.ok("GET", "/notifications"))
    given = notify(
        admin,
        APPROVED_DEAL,
        {"type": "webhook", "url": "https://127.0.0.1/h", "secret": "a-secret-of-my-own"},
    )
    assert given["webhook_secret"] == "a-secret-of-my-own"


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1:8000/hook", "http://", "x"]
)
def test_only_absolute_http_urls_are_taken(admin: Api, url: str) -> None:
    setup(admin)
    body = {"name": "n", "trigger": APPROVED_DEAL, "action": {"type": "webhook", "url": url}}
    errors = problem(admin.post("/notifications", json=body))["errors"]
    assert errors[0]["loc"][:4] == ["body", "action", "webhook", "url"]


def test_shapes_are_checked(admin: Api) -> None:
    ids = setup(admin)
    bad_bodies = [
        {"name": "n", "trigger": {"type": "sometimes"}, "action": give(ids["kudos"])},
        {"name": "n", "trigger": APPROVED_DEAL, "action": {"type": "sms"}},
        {"name": "n", "trigger": {**APPROVED_DEAL, "events": []}, "action": give(ids["kudos"])},
        {
            "name": "n",
            "trigger": {**APPROVED_DEAL, "events": ["deleted"]},
            "action": give(ids["kudos"]),
        },
        {"name": "n", "trigger": {**formula(), "threshold": "lots"}, "action": give(ids["kudos"])},
        {"name": "n", "trigger": {**formula(), "operator": "=>"}, "action": give(ids["kudos"])},
        {
            "name": "n",
            "trigger": {**formula(), "period": "fortnight"},
            "action": give(ids["kudos"]),
        },
        {
            "name": "n",
            "trigger": APPROVED_DEAL,
            "action": {"type": "webhook", "url": "http://127.0.0.1/", "secret": "short"},
        },
        {"name": "", "trigger": APPROVED_DEAL, "action": give(ids["kudos"])},
        {"name": "n", "trigger": APPROVED_DEAL, "action": give(ids["kudos"]), "extra": 1},
    ]
    for body in bad_bodies:
        assert problem(admin.post("/notifications", json=body))["status"] == 422, body
    assert admin.ok("GET", "/notifications") == []


def test_record_triggers_are_checked_against_the_source(admin: Api) -> None:
    ids = setup(admin)
    unknown = {"type": "record", "source": "dealz"}
    body = problem(
        admin.post(
            "/notifications", json={"name": "n", "trigger": unknown, "action": give(ids["kudos"])}
        )
    )
    assert body["errors"][0]["loc"] == ["trigger", "source"]
    assert "unknown source 'dealz'" in body["detail"]
    wrong = {
        "type": "record",
        "source": "deals",
        "where": [
            {"field": "stat", "op": "eq", "value": "x"},
            {"field": "value", "op": "gt", "value": "lots"},
        ],
    }
    body = problem(
        admin.post(
            "/notifications", json={"name": "n", "trigger": wrong, "action": give(ids["kudos"])}
        )
    )
    assert [e["loc"] for e in body["errors"]] == [
        ["trigger", "where", 0, "field"],
        ["trigger", "where", 1, "value"],
    ]


def test_formula_mistakes_point_at_line_and_column(admin: Api) -> None:
    ids = setup(admin)
    body = {
        "name": "n",
        "trigger": formula("count(calls)\n  / sum(deals.value where)"),
        "action": give(ids["kudos"]),
    }
    found = problem(admin.post("/notifications", json=body))
    [error] = found["errors"]
    assert error["loc"] == ["trigger", "formula"]
    assert error["code"] == "formula_invalid"
    assert (error["line"], error["column"]) == (2, 26)
    assert error["snippet"] == "  / sum(deals.value where)\n" + " " * 25 + "^"
    assert "line 2, column 26" in found["detail"]

    body["trigger"] = formula("sum(deals.valeu) / count(cals)")
    found = problem(admin.post("/notifications", json=body))
    assert [(e["line"], e["column"]) for e in found["errors"]] == [(1, 11), (1, 26)]
    assert "no field 'valeu'" in found["errors"][0]["message"]
    assert "unknown source 'cals'" in found["errors"][1]["message"]


def test_an_action_must_give_an_existing_achievement(admin: Api) -> None:
    setup(admin)
    body = {"name": "n", "trigger": APPROVED_DEAL, "action": give(9999)}
    found = problem(admin.post("/notifications", json=body))
    assert found["errors"][0]["loc"] == ["action", "achievement_id"]


def test_edit_keeps_what_is_not_sent_and_refuses_bad_changes(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED_DEAL, {"type": "webhook", "url": "http://127.0.0.1:9/a"})
    path = f"/notifications/{created['id']}"
    renamed = admin.ok("PATCH", path, json={"name": "Renamed"})
    assert (renamed["name"], renamed["trigger"]) == ("Renamed", created["trigger"])
    moved = admin.ok(
        "PATCH", path, json={"action": {"type": "webhook", "url": "http://127.0.0.1:9/b"}}
    )
    assert moved["webhook_secret"] is None  # the secret was kept, so it is not shown again
    rotated = admin.ok(
        "PATCH",
        path,
        json={
            "action": {
                "type": "webhook",
                "url": "http://127.0.0.1:9/b",
                "secret": "rotated-secret-value",
            }
        },
    )
    assert rotated["webhook_secret"] == "rotated-secret-value"
    problem(admin.patch(path, json={"trigger": formula("count(nothing)")}))
    assert admin.ok("GET", path)["trigger"] == created["trigger"]
    changed = admin.ok(
        "PATCH", path, json={"trigger": formula(RATIO), "action": give(ids["kudos"])}
    )
    assert changed["trigger"]["type"] == "formula"
    assert changed["action"] == give(ids["kudos"])
    assert problem(admin.patch("/notifications/999", json={"name": "x"}), 404)["code"] == (
        "notification_not_found"
    )


def test_activate_deactivate_delete(admin: Api) -> None:
    ids = setup(admin)
    created = notify(admin, APPROVED_DEAL, give(ids["kudos"]))
    path = f"/notifications/{created['id']}"
    assert admin.ok("POST", path + "/deactivate")["active"] is False
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []
    assert admin.ok("POST", path + "/activate")["active"] is True
    assert len(send(admin, "deals", ids["ann"], status="approved", value=1)["awards"]) == 1
    assert admin.ok("PATCH", path, json={"active": False})["active"] is False
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []
    admin.ok("PATCH", path, json={"active": True})
    admin.ok("DELETE", path, 204)
    assert admin.get(path).status_code == 404
    assert admin.ok("GET", "/notifications") == []
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []
    assert len(firings(admin, created["id"])) == 1  # history stays readable
    actions = [e["action"] for e in admin.ok("GET", "/audit?entity_type=notification")]
    assert actions[0] == "notification.delete"
    assert {
        "notification.create",
        "notification.activate",
        "notification.deactivate",
        "notification.update",
    } <= set(actions)


def test_managers_manage_notifications(admin: Api, tokens: dict[str, str]) -> None:
    ids = setup(admin)
    manager = admin.as_token(tokens["manager"])
    created = notify(manager, APPROVED_DEAL, give(ids["kudos"]))
    assert manager.ok("POST", f"/notifications/{created['id']}/test")["trigger"] == "record"
    for role in ("ingest", "member"):
        assert admin.as_token(tokens[role]).get("/notifications").status_code == 403
