"""GET /leaderboard's measure parameters: every impossible mix of source, aggregate and field
is a 422 naming the query parameter at fault, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import Api


@pytest.fixture
def rp(admin: Api) -> None:
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "rp",
            "name": "RP",
            "fields": [{"name": "v", "type": "number"}, {"name": "s", "type": "string"}],
        },
    )
    member = admin.ok("POST", "/members", 201, json={"name": "Ann"})
    for v in (2, 3):
        admin.ok(
            "POST",
            "/sources/rp/records",
            json={
                "member_id": member["id"],
                "occurred_at": "2026-11-18T10:00:00Z",
                "data": {"v": v},
            },
        )


@pytest.mark.parametrize(
    ("query", "named", "says"),
    [
        ("source=rp&field=v", "query.field", "'count' counts records and takes no field"),
        ("source=rp&aggregate=count&field=v", "query.field", "takes no field"),
        ("source=rp&aggregate=sum", "query.field", "aggregate 'sum' needs 'field'"),
        ("source=rp&aggregate=sum&field=", "query.field", "needs 'field'"),
        ("source=rp&aggregate=count_distinct", "query.field", "needs 'field'"),
        ("source=rp&aggregate=avg&field=nope", "query.field", "has no field 'nope'"),
        ("source=rp&aggregate=sum&field=s", "query.field", "needs a number field"),
        ("source=rp&aggregate=median&field=v", "query.aggregate", "'count'"),
        ("aggregate=sum&field=v", "query.aggregate", "'aggregate' needs 'source'"),
        ("aggregate=count", "query.aggregate", "needs 'source'"),
        ("source=&aggregate=count", "query.aggregate", "needs 'source'"),
        ("field=v", "query.field", "'field' needs 'source'"),
        ("limit=0", "query.limit", "between 1 and 10000"),
    ],
)
def test_impossible_measures_are_422_naming_the_parameter(
    admin: Api, rp: None, query: str, named: str, says: str
) -> None:
    answer = admin.get(f"/leaderboard?{query}")
    assert answer.status_code == 422, (query, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert [e["field"] for e in body["errors"]] == [named], body
    assert [e["loc"] for e in body["errors"]] == [named.split(".")], body
    assert says in body["errors"][0]["message"], body
    assert says in body["detail"], body


@pytest.mark.parametrize(
    ("query", "measure", "score"),
    [
        ("source=rp", "count(rp.*)", 2),
        ("source=rp&field=", "count(rp.*)", 2),
        ("source=rp&aggregate=sum&field=v", "sum(rp.v)", 5),
        ("source=rp&aggregate=count_distinct&field=v", "count_distinct(rp.v)", 2),
        ("source=&field=", "points", 0),
    ],
)
def test_possible_measures_rank(admin: Api, rp: None, query: str, measure: str, score: int) -> None:
    board = admin.ok("GET", f"/leaderboard?{query}")
    assert board["measure"] == measure
    assert [r["score"] for r in board["rows"]] == [score]
