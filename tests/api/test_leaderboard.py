"""GET /leaderboard's measure parameters: every impossible mix of source, aggregate and field
is a 422 naming the query parameter at fault, never a 500."""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaudit.rules import oracle
from plaudit.rules.model import FieldType, Rule
from tests.conftest import Api
from tests.hypothesis_profiles import examples

APPROVED = quote(json.dumps([{"field": "s", "op": "eq", "value": "Approved"}]))


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
    for v, s in ((2, "Pending"), (3, "Approved")):
        admin.ok(
            "POST",
            "/sources/rp/records",
            json={
                "member_id": member["id"],
                "occurred_at": "2026-11-18T10:00:00Z",
                "data": {"v": v, "s": s},
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
        ("limit=0", "query.limit", "greater than or equal to 1"),
        (f"where={APPROVED}", "query.where", "'where' needs 'source'"),
        ("source=rp&where=nope", "query.where", "must be a JSON list of at most 50 filters"),
        ("source=rp&where=%7B%7D", "query.where", "the list: Input should be a valid array"),
        (
            "source=rp&where=%5B%7B%22field%22%3A%22s%22%2C%22op%22%3A%22wat%22%7D%5D",
            "query.where",
            "filter 0, op: Input should be 'eq'",
        ),
        (
            "source=rp&where=%5B%7B%22field%22%3A%22colour%22%2C%22op%22%3A%22eq%22%2C%22value"
            "%22%3A1%7D%5D",
            "query.where.0.field",
            "source 'rp' has no field 'colour'",
        ),
        (
            "source=rp&where=%5B%7B%22field%22%3A%22v%22%2C%22op%22%3A%22gt%22%2C%22value"
            "%22%3A%22big%22%7D%5D",
            "query.where.0.value",
            "'v' is a number field",
        ),
        (
            "source=rp&where=%5B%7B%22field%22%3A%22s%22%2C%22op%22%3A%22eq%22%2C%22value"
            "%22%3A%22a%5Cu0000b%22%7D%5D",
            "query.where",
            "contains a NUL character",
        ),
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
    assert [[str(p) for p in e["loc"]] for e in body["errors"]] == [named.split(".")], body
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
        ("source=rp&where=", "count(rp.*)", 2),
        ("source=rp&where=%5B%5D", "count(rp.*)", 2),
        (f"source=rp&aggregate=sum&field=v&where={APPROVED}", 'sum(rp.v) where s eq "Approved"', 3),
    ],
)
def test_possible_measures_rank(admin: Api, rp: None, query: str, measure: str, score: int) -> None:
    board = admin.ok("GET", f"/leaderboard?{query}")
    assert board["measure"] == measure
    assert [r["score"] for r in board["rows"]] == [score]


ORACLE_FIELDS = {
    "v": FieldType.NUMBER,
    "s": FieldType.STRING,
    "ok": FieldType.BOOLEAN,
    "d": FieldType.DATE,
}
STATUSES = ["Approved", "Pending", "Lost"]


def _oracle_records(rng: random.Random) -> list[tuple[int, dict[str, Any]]]:
    """(member index, data): every field sometimes absent, values from small sets so that
    filters both pass and fail."""
    out = []
    for _ in range(40):
        data: dict[str, Any] = {
            "v": rng.choice([1, 2, 2.5, 7, 10, -3]),
            "s": rng.choice(STATUSES),
            "ok": rng.choice([True, False]),
            "d": f"2026-11-{rng.randint(1, 28):02d}",
        }
        out.append((rng.randrange(4), {k: v for k, v in data.items() if rng.random() < 0.8}))
    return out


filters = st.one_of(
    st.builds(
        lambda op, value: {"field": "s", "op": op, "value": value},
        st.sampled_from(["eq", "ne", "contains"]),
        st.sampled_from([*STATUSES, "pp", "e"]),
    ),
    st.builds(
        lambda op, values: {"field": "s", "op": op, "value": values},
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2),
    ),
    st.builds(
        lambda field, op, value: {"field": field, "op": op, "value": value},
        st.just("v"),
        st.sampled_from(["eq", "gt", "gte", "lt", "lte"]),
        st.sampled_from([1, 2, 2.5, 5, 10]),
    ),
    st.builds(
        lambda op, day: {"field": "d", "op": op, "value": f"2026-11-{day:02d}"},
        st.sampled_from(["gte", "lt", "eq"]),
        st.integers(1, 28),
    ),
    st.builds(lambda value: {"field": "ok", "op": "eq", "value": value}, st.booleans()),
    st.builds(
        lambda field, value: {"field": field, "op": "exists", "value": value},
        st.sampled_from(sorted(ORACLE_FIELDS)),
        st.booleans(),
    ),
)
measures = st.sampled_from(
    [
        ("count", None),
        ("sum", "v"),
        ("min", "v"),
        ("max", "v"),
        ("avg", "v"),
        ("count_distinct", "s"),
        ("count_distinct", "d"),
        ("count_distinct", "ok"),
    ]
)


def test_filtered_measures_rank_as_the_oracle_computes(admin: Api) -> None:
    """The leaderboard's SQL (filters compiled like a rule's, aggregate by member) against
    the rules' in-memory oracle, over random filters and aggregates on fixed records."""
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "orc",
            "name": "Oracle",
            "fields": [{"name": n, "type": t.value} for n, t in ORACLE_FIELDS.items()],
        },
    )
    members = [admin.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(4)]
    records = _oracle_records(random.Random(7))
    batch = [
        {"member_id": members[m], "occurred_at": "2026-11-18T10:00:00Z", "data": data}
        for m, data in records
    ]
    admin.ok("POST", "/sources/orc/records", json={"records": batch})

    @settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
    @given(where=st.lists(filters, max_size=3), measure=measures)
    def check(where: list[dict[str, Any]], measure: tuple[str, str | None]) -> None:
        aggregate, field = measure
        query = {"source": "orc", "aggregate": aggregate, "period": "month"}
        query |= {"at": "2026-11-20T00:00:00Z", "where": json.dumps(where)}
        if field:
            query["field"] = field
        board = admin.ok("GET", f"/leaderboard?{urlencode(query)}")
        rule = Rule.model_validate(
            {
                "source": "orc",
                "where": where,
                "aggregate": aggregate,
                "field": field,
                "operator": "at_least",
                "value": 0,
            }
        )
        expected = {}
        for i, member_id in enumerate(members):
            datas = [data for m, data in records if m == i]
            expected[member_id] = oracle.aggregate(rule, ORACLE_FIELDS, datas) or 0.0
        got = {row["member"]["id"]: row["score"] for row in board["rows"]}
        assert set(got) == set(members)
        for member_id, score in expected.items():
            assert oracle.approx_equal(got[member_id], score), (where, measure, got, expected)

    check()
