"""Saved boards, and what members may ask the leaderboard (issue 17, item 2).

Members once passed any source, aggregate, field and filter to GET /leaderboard, so that
`max(value)` showed another member's deal and `where note contains ...` answered yes or no
about private text. Now a member gets points or a board an admin or manager published."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.test_errors import problem
from tests.conftest import Api

SALARY = quote(json.dumps([{"field": "note", "op": "contains", "value": "salary review 91"}]))
APPROVED = [{"field": "status", "op": "eq", "value": "Approved"}]


@pytest.fixture
def deals(admin: Api, tokens: dict[str, str]) -> dict[str, int]:
    """Deals of the token's member and of Other: values, statuses and private notes."""
    team = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    other = admin.ok("POST", "/members", 201, json={"name": "Other", "team_id": team["id"]})
    fields = [
        {"name": "value", "type": "number"},
        {"name": "status", "type": "string"},
        {"name": "note", "type": "string"},
    ]
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": fields})
    rows = [
        (int(tokens["member_id"]), 100, "Approved", "ok"),
        (other["id"], 900, "Pending", "salary review 91"),
        (other["id"], 40, "Approved", "fine"),
    ]
    for member_id, value, status, note in rows:
        admin.ok(
            "POST",
            "/sources/deals/records",
            json={
                "member_id": member_id,
                "occurred_at": "2026-11-18T10:00:00Z",
                "data": {"value": value, "status": status, "note": note},
            },
        )
    return {"team_id": team["id"], "other_id": other["id"]}


def board(admin: Api, **fields: Any) -> dict[str, Any]:
    body = {"name": "Approved deal value", "published": True, **fields}
    made: dict[str, Any] = admin.ok("POST", "/leaderboard/boards", 201, json=body)
    return made


MEASURES = {
    "sum": {"source": "deals", "aggregate": "sum", "field": "value", "where": APPROVED},
    "max": {"source": "deals", "aggregate": "max", "field": "value"},
    "count": {"source": "deals"},
}


@pytest.mark.parametrize(
    "query",
    [
        "source=deals&aggregate=max&field=value",
        "source=deals",
        f"source=deals&where={SALARY}",
        "aggregate=sum&field=value",  # refused for who asks, before the values are read
        "field=value",
        f"where={SALARY}",
        "source=nope&aggregate=median",
        "board=1&source=deals",
    ],
)
def test_a_member_may_not_choose_a_measure(
    admin: Api, tokens: dict[str, str], deals: dict[str, int], query: str
) -> None:
    member = admin.as_token(tokens["member"])
    body = problem(member.get(f"/leaderboard?{query}"), 403, query)
    assert body["code"] == "measure_not_allowed"
    assert "published board" in body["detail"] and "points" in body["detail"]
    assert "900" not in json.dumps(body) and "Other" not in json.dumps(body)
    # the same query is the staff's to ask (or a 422 for an impossible one, never a 403)
    assert admin.as_token(tokens["manager"]).get(f"/leaderboard?{query}").status_code in (
        200,
        404,
        422,
    )


def test_the_salary_oracle_is_closed(
    admin: Api, tokens: dict[str, str], deals: dict[str, int]
) -> None:
    """What the tester did: a yes/no question over another member's private note."""
    hit = admin.ok("GET", f"/leaderboard?source=deals&where={SALARY}")
    assert {r["member"]["name"]: r["score"] for r in hit["rows"]}["Other"] == 1  # staff: yes
    member = admin.as_token(tokens["member"])
    problem(member.get(f"/leaderboard?source=deals&where={SALARY}"), 403)
    problem(member.get("/leaderboard?source=deals&aggregate=max&field=value"), 403)


def test_a_member_gets_points_with_period_team_and_at(
    admin: Api, tokens: dict[str, str], deals: dict[str, int]
) -> None:
    member = admin.as_token(tokens["member"])
    query = f"period=year&team_id={deals['team_id']}&at=2026-06-01T00:00:00Z&limit=5"
    seen = member.ok("GET", f"/leaderboard?{query}")
    assert seen == admin.ok("GET", f"/leaderboard?{query}")
    assert seen["measure"] == "points" and seen["board"] is None
    assert [r["member"]["name"] for r in seen["rows"]] == ["Other"]
    # blank measure parameters are what a form sends for "none": points, not a refusal
    assert member.ok("GET", "/leaderboard?source=&field=&where=")["measure"] == "points"


@pytest.mark.parametrize("measure", sorted(MEASURES))
def test_a_member_reads_a_published_board_as_the_staff_read_its_measure(
    admin: Api, tokens: dict[str, str], deals: dict[str, int], measure: str
) -> None:
    spec = MEASURES[measure]
    made = board(admin, measure=spec, period="none")
    params = {k: (json.dumps(v) if k == "where" else v) for k, v in spec.items()}
    direct = admin.ok("GET", "/leaderboard", params={**params, "period": "none"})
    member = admin.as_token(tokens["member"])
    shown = member.ok("GET", f"/leaderboard?board={made['id']}")
    assert shown["rows"] == direct["rows"] and shown["measure"] == direct["measure"]
    assert shown["measure"] == made["measure_name"]
    assert shown["board"] == {"id": made["id"], "name": "Approved deal value"}
    assert shown["period"] == "none"
    assert admin.ok("GET", f"/leaderboard?board={made['id']}")["rows"] == direct["rows"]


def test_sum_of_approved_deals_ranks_as_expected(
    admin: Api, tokens: dict[str, str], deals: dict[str, int]
) -> None:
    made = board(admin, measure=MEASURES["sum"], period="month")
    shown = admin.as_token(tokens["member"]).ok("GET", f"/leaderboard?board={made['id']}")
    scores = {r["member"]["name"]: r["score"] for r in shown["rows"]}
    assert scores == {"Token Holder": 100, "Other": 40}
    assert shown["measure"] == 'sum(deals.value) where status eq "Approved"'


def test_a_board_brings_its_period_and_team_unless_the_reader_chooses(
    admin: Api, tokens: dict[str, str], deals: dict[str, int]
) -> None:
    made = board(admin, measure=MEASURES["count"], period="year", team_id=deals["team_id"])
    member = admin.as_token(tokens["member"])
    own = member.ok("GET", f"/leaderboard?board={made['id']}")
    assert own["period"] == "year" and [r["member"]["name"] for r in own["rows"]] == ["Other"]
    chosen = member.ok("GET", f"/leaderboard?board={made['id']}&period=day&at=2026-11-17T09:00:00Z")
    assert chosen["period"] == "day" and [r["score"] for r in chosen["rows"]] == [0]
    everyone = member.ok(
        "GET", f"/leaderboard?board={made['id']}&team_id={deals['team_id']}&period=week"
    )
    assert everyone["rows"][0]["score"] == 2


def test_unpublished_and_unknown_boards(
    admin: Api, tokens: dict[str, str], deals: dict[str, int]
) -> None:
    hidden = board(admin, measure=MEASURES["max"], published=False)
    member = admin.as_token(tokens["member"])
    body = problem(member.get(f"/leaderboard?board={hidden['id']}"), 403)
    assert body["code"] == "board_unpublished" and "900" not in json.dumps(body)
    assert "published board" in body["detail"]
    problem(member.get(f"/leaderboard/boards/{hidden['id']}"), 403)
    assert member.ok("GET", "/leaderboard/boards") == []
    assert problem(member.get("/leaderboard?board=999999"), 404)["code"] == "board_not_found"
    manager = admin.as_token(tokens["manager"])
    assert manager.ok("GET", f"/leaderboard?board={hidden['id']}")["rows"][0]["score"] == 900
    admin.ok("PATCH", f"/leaderboard/boards/{hidden['id']}", json={"published": True})
    assert member.ok("GET", f"/leaderboard?board={hidden['id']}")["rows"][0]["score"] == 900
    assert [b["id"] for b in member.ok("GET", "/leaderboard/boards")] == [hidden["id"]]


def test_board_crud(admin: Api, tokens: dict[str, str], deals: dict[str, int]) -> None:
    manager = admin.as_token(tokens["manager"])
    made = manager.ok(
        "POST",
        "/leaderboard/boards",
        201,
        json={"name": "Points this quarter", "period": "quarter"},
    )
    assert made["measure"] is None and made["measure_name"] == "points"
    assert made["published"] is False and made["team_id"] is None
    assert made["created_by"] == "token:manager-token"
    changed = manager.ok(
        "PATCH",
        f"/leaderboard/boards/{made['id']}",
        json={"measure": MEASURES["sum"], "team_id": deals["team_id"], "name": "Big deals"},
    )
    assert changed["measure"] == {
        "source": "deals",
        "aggregate": "sum",
        "field": "value",
        "where": APPROVED,
    }
    assert changed["period"] == "quarter" and changed["team_id"] == deals["team_id"]
    back = manager.ok(
        "PATCH", f"/leaderboard/boards/{made['id']}", json={"measure": None, "team_id": None}
    )
    assert back["measure"] is None and back["team_id"] is None and back["name"] == "Big deals"
    assert manager.ok("GET", f"/leaderboard/boards/{made['id']}") == back
    second = board(admin, name="Another")
    listed = manager.ok("GET", "/leaderboard/boards")
    assert [b["name"] for b in listed] == ["Another", "Big deals"]
    taken = problem(
        manager.patch(f"/leaderboard/boards/{second['id']}", json={"name": "Big deals"}), 409
    )
    assert taken["code"] == "board_name_taken"
    assert manager.request("DELETE", f"/leaderboard/boards/{made['id']}").status_code == 204
    problem(manager.get(f"/leaderboard/boards/{made['id']}"), 404)
    problem(manager.get(f"/leaderboard?board={made['id']}"), 404)
    actions = [e["action"] for e in admin.ok("GET", "/audit?entity_type=board")]
    assert actions.count("board.create") == 2 and "board.delete" in actions


@pytest.mark.parametrize(
    ("measure", "named", "says"),
    [
        ({"source": "nope"}, "body.measure.source", "No source 'nope'"),
        ({"source": "deals", "field": "value"}, "body.measure.field", "takes no field"),
        ({"source": "deals", "aggregate": "sum"}, "body.measure.field", "needs 'field'"),
        (
            {"source": "deals", "aggregate": "sum", "field": "colour"},
            "body.measure.field",
            "has no field 'colour'",
        ),
        (
            {"source": "deals", "aggregate": "avg", "field": "note"},
            "body.measure.field",
            "needs a number field",
        ),
        ({"source": "deals", "aggregate": "median"}, "body.measure.aggregate", "'count'"),
        (
            {"source": "deals", "where": [{"field": "colour", "op": "eq", "value": 1}]},
            "body.measure.where.0.field",
            "has no field 'colour'",
        ),
        (
            {"source": "deals", "where": [{"field": "value", "op": "gt", "value": "big"}]},
            "body.measure.where.0.value",
            "number field",
        ),
        (
            {"source": "deals", "where": [{"field": "note", "op": "eq", "value": "a\u0000b"}]},
            "body.measure.where",
            "NUL character",
        ),
        (
            {"source": "deals", "where": [{"field": "status", "op": "eq", "value": "x"}] * 51},
            "body.measure.where",
            "at most 50",
        ),
        ({"aggregate": "sum", "field": "value"}, "body.measure.source", "Field required"),
    ],
)
def test_a_bad_measure_is_422_naming_the_field(
    admin: Api, deals: dict[str, int], measure: dict[str, Any], named: str, says: str
) -> None:
    for method, path in (("POST", "/leaderboard/boards"), ("PATCH", "/leaderboard/boards/{id}")):
        if method == "PATCH":
            path = path.format(id=board(admin, name="Kept")["id"])
        body = problem(admin.request(method, path, json={"name": "B", "measure": measure}), 422)
        fields = [e["field"] for e in body["errors"]]
        assert any(f.startswith(named) for f in fields), (method, body)
        assert any(says in e["message"] for e in body["errors"]), (method, body)
    assert [b["name"] for b in admin.ok("GET", "/leaderboard/boards")] == ["Kept"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": ""}, "body.name"),
        ({"name": "B", "period": "fortnight"}, "body.period"),
        ({"name": "B", "team_id": 999999}, "body.team_id"),
        ({"name": "B", "team_id": "1"}, "body.team_id"),
        ({"name": "B", "published": "yes"}, "body.published"),
        ({"name": "B", "colour": "red"}, "body.colour"),
    ],
)
def test_other_bad_fields_are_422(admin: Api, deals: dict[str, int], body: Any, named: str) -> None:
    answer = problem(admin.post("/leaderboard/boards", json=body), 422)
    assert named in [e["field"] for e in answer["errors"]], answer


def test_patch_refuses_null_for_fields_that_need_a_value(admin: Api, deals: dict[str, int]) -> None:
    made = board(admin)
    for name in ("name", "period", "published"):
        answer = problem(admin.patch(f"/leaderboard/boards/{made['id']}", json={name: None}), 422)
        assert [e["field"] for e in answer["errors"]] == [f"body.{name}"]
    assert admin.ok("GET", f"/leaderboard/boards/{made['id']}")["name"] == made["name"]


def test_a_board_and_a_measure_do_not_mix_for_staff_either(
    admin: Api, deals: dict[str, int]
) -> None:
    made = board(admin)
    body = problem(admin.get(f"/leaderboard?board={made['id']}&aggregate=sum&field=value"), 422)
    assert {e["field"] for e in body["errors"]} == {"query.aggregate", "query.field"}
    assert "a board brings its own measure" in body["detail"]
