"""The size limits of plaudit.limits: each one accepted at the limit and refused one past it
with a 422 whose `errors` locate the breach and whose message names the limit; and an
achievement of the largest size allowed activates and ingests, exactly as the oracle says."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update

from plaudit.limits import (
    MAX_AUDIENCE,
    MAX_FILTER_TEXT,
    MAX_FILTERS,
    MAX_GROUP_CONDITIONS,
    MAX_GROUP_MEMBERS,
    MAX_GROUP_TEAMS,
    MAX_LEADERBOARD_WHERE,
    MAX_LIST_VALUES,
    MAX_REQUIREMENT_FILTERS,
    MAX_REQUIREMENT_LIST_VALUES,
    MAX_RULE_GROUPS,
    MAX_RULE_LIST_VALUES,
    MAX_RULES,
    MAX_RULES_PER_GROUP,
)
from plaudit.models import Achievement
from plaudit.rules.model import FieldType, parse_requirements
from plaudit.rules.oracle import completions
from tests.conftest import Api

FIELDS = {"region": FieldType.STRING, "status": FieldType.STRING, "value": FieldType.NUMBER}
REGIONS = ["EMEA", "APAC", "AMER"]
STATUSES = ["won", "lost", "open"]


@pytest.fixture
def deals(admin: Api) -> Api:
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "deals",
            "name": "Deals",
            "fields": [{"name": n, "type": t.value} for n, t in FIELDS.items()],
        },
    )
    return admin


def rule(where: list[dict[str, Any]] | None = None, value: int = 1) -> dict[str, Any]:
    return {
        "source": "deals",
        "where": where or [],
        "aggregate": "count",
        "operator": "at_least",
        "value": value,
    }


def eq(i: int) -> dict[str, Any]:
    return {"field": "status", "op": "ne", "value": f"status {i}"}


def in_list(n: int, op: str = "in", text: str = "r") -> dict[str, Any]:
    return {"field": "region", "op": op, "value": [f"{text}{i}" for i in range(n)]}


def refused(answer: Any, loc: list[Any], *words: str) -> None:
    """A 422 problem whose errors name `loc` with a message holding each of `words`."""
    assert answer.status_code == 422, answer.text
    body = answer.json()
    found = [e for e in body["errors"] if e["loc"] == loc]
    assert found, f"no error at {loc}: {body['errors']}"
    for word in words:
        assert word in found[0]["message"], found[0]["message"]


def in_groups(rules: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """`rules` in groups of MAX_RULES_PER_GROUP (the last one possibly smaller)."""
    size = MAX_RULES_PER_GROUP
    return [rules[i : i + size] for i in range(0, len(rules), size)]


FULL_RULES = MAX_REQUIREMENT_FILTERS // MAX_FILTERS
FULL_LISTS = MAX_REQUIREMENT_LIST_VALUES // MAX_LIST_VALUES
assert FULL_RULES * MAX_FILTERS == MAX_REQUIREMENT_FILTERS
assert FULL_LISTS * MAX_LIST_VALUES == MAX_REQUIREMENT_LIST_VALUES


def post_achievement(api: Api, key: str, requirements: Any) -> Any:
    body = {"key": key, "name": key, "category": "award", "requirements": requirements}
    return api.post("/achievements", json=body)


# --- requirements ------------------------------------------------------------------------------

REQUIREMENT_CASES = {
    # name: (at the limit, one past it, where the error is, words the message holds)
    "groups": (
        [[rule()]] * MAX_RULE_GROUPS,
        [[rule()]] * (MAX_RULE_GROUPS + 1),
        ["body", "requirements"],
        [str(MAX_RULE_GROUPS)],
    ),
    "rules per group": (
        [[rule()] * MAX_RULES_PER_GROUP],
        [[rule()] * (MAX_RULES_PER_GROUP + 1)],
        ["body", "requirements", 0],
        [str(MAX_RULES_PER_GROUP)],
    ),
    "rules in all": (
        in_groups([rule()] * MAX_RULES),
        [*in_groups([rule()] * MAX_RULES), [rule()]],
        ["body", "requirements"],
        [str(MAX_RULES), "MAX_RULES"],
    ),
    "filters in all": (
        in_groups([rule([eq(i) for i in range(MAX_FILTERS)])] * FULL_RULES),
        in_groups([rule([eq(i) for i in range(MAX_FILTERS)])] * FULL_RULES + [rule([eq(0)])]),
        ["body", "requirements"],
        [str(MAX_REQUIREMENT_FILTERS), "MAX_REQUIREMENT_FILTERS"],
    ),
    "list values in all": (
        [[rule([in_list(MAX_LIST_VALUES)])] * FULL_LISTS],
        [[rule([in_list(MAX_LIST_VALUES)])] * FULL_LISTS + [rule([in_list(1)])]],
        ["body", "requirements"],
        [str(MAX_REQUIREMENT_LIST_VALUES), "MAX_REQUIREMENT_LIST_VALUES"],
    ),
    "filters": (
        [[rule([eq(i) for i in range(MAX_FILTERS)])]],
        [[rule([eq(i) for i in range(MAX_FILTERS + 1)])]],
        ["body", "requirements", 0, 0, "where"],
        [str(MAX_FILTERS)],
    ),
    "in values": (
        [[rule([in_list(MAX_LIST_VALUES)])]],
        [[rule([in_list(MAX_LIST_VALUES + 1)])]],
        ["body", "requirements", 0, 0, "where", 0, "value"],
        [str(MAX_LIST_VALUES), "MAX_LIST_VALUES"],
    ),
    "not_in values": (
        [[rule([in_list(MAX_LIST_VALUES, "not_in")])]],
        [[rule([in_list(MAX_LIST_VALUES + 1, "not_in")])]],
        ["body", "requirements", 0, 0, "where", 0, "value"],
        [str(MAX_LIST_VALUES), "MAX_LIST_VALUES"],
    ),
    "list values of a rule": (
        [[rule([in_list(MAX_LIST_VALUES, text=f"{k}-") for k in range(2)])]],
        [[rule([in_list(MAX_LIST_VALUES, text=f"{k}-") for k in range(2)] + [in_list(1)])]],
        ["body", "requirements", 0, 0, "where"],
        [str(MAX_RULE_LIST_VALUES), "MAX_RULE_LIST_VALUES"],
    ),
    "filter text": (
        [[rule([{"field": "status", "op": "eq", "value": "x" * MAX_FILTER_TEXT}])]],
        [[rule([{"field": "status", "op": "eq", "value": "x" * (MAX_FILTER_TEXT + 1)}])]],
        ["body", "requirements", 0, 0, "where", 0, "value"],
        [str(MAX_FILTER_TEXT), "MAX_FILTER_TEXT"],
    ),
    "text in a list": (
        [[rule([{"field": "status", "op": "in", "value": ["y" * MAX_FILTER_TEXT]}])]],
        [[rule([{"field": "status", "op": "in", "value": ["y" * (MAX_FILTER_TEXT + 1)]}])]],
        ["body", "requirements", 0, 0, "where", 0, "value"],
        [str(MAX_FILTER_TEXT), "list item 0"],
    ),
}

assert MAX_RULE_LIST_VALUES == 2 * MAX_LIST_VALUES  # "list values of a rule" builds on it


@pytest.mark.parametrize("case", list(REQUIREMENT_CASES))
def test_requirements_at_the_limit_are_accepted_and_one_past_refused(deals: Api, case: str) -> None:
    at_limit, past, loc, words = REQUIREMENT_CASES[case]
    created = post_achievement(deals, "at-limit", at_limit)
    assert created.status_code == 201, created.text
    refused(post_achievement(deals, "past-limit", past), loc, *words)
    # Editing is held to the same limits.
    patched = deals.patch(f"/achievements/{created.json()['id']}", json={"requirements": past})
    refused(patched, loc[:1] + loc[1:], *words)
    assert [a["key"] for a in deals.ok("GET", "/achievements")] == ["at-limit"]


# --- other filter lists ------------------------------------------------------------------------


def test_default_where_is_limited(deals: Api) -> None:
    body = {"key": "calls", "name": "Calls", "fields": [{"name": "status", "type": "string"}]}
    at = deals.post("/sources", json={**body, "default_where": [eq(i) for i in range(MAX_FILTERS)]})
    assert at.status_code == 201, at.text
    past = [eq(i) for i in range(MAX_FILTERS + 1)]
    answer = deals.post("/sources", json={**body, "key": "calls2", "default_where": past})
    refused(answer, ["body", "default_where"], str(MAX_FILTERS))
    too_many = [in_list(MAX_LIST_VALUES + 1)]
    answer = deals.post("/sources", json={**body, "key": "calls3", "default_where": too_many})
    refused(answer, ["body", "default_where", 0, "value"], "MAX_LIST_VALUES")


def notification(where: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "N",
        "trigger": {"type": "record", "source": "deals", "where": where},
        "action": {"type": "webhook", "url": "https://example.com/hook"},
    }


def test_record_trigger_where_is_limited(deals: Api) -> None:
    at = deals.post("/notifications", json=notification([eq(i) for i in range(MAX_FILTERS)]))
    assert at.status_code == 201, at.text
    past = deals.post("/notifications", json=notification([eq(i) for i in range(MAX_FILTERS + 1)]))
    refused(past, ["body", "trigger", "record", "where"], str(MAX_FILTERS))
    lists = [in_list(MAX_LIST_VALUES, text=f"{k}-") for k in range(2)] + [in_list(1)]
    refused(
        deals.post("/notifications", json=notification(lists)),
        ["body", "trigger", "record", "where"],
        "MAX_RULE_LIST_VALUES",
    )


def test_leaderboard_where_is_limited(deals: Api) -> None:
    def board(where: list[dict[str, Any]] | str) -> Any:
        text = where if isinstance(where, str) else json.dumps(where)
        return deals.get("/leaderboard", params={"source": "deals", "where": text})

    assert board([eq(i) for i in range(MAX_FILTERS)]).status_code == 200
    refused(board([eq(i) for i in range(MAX_FILTERS + 1)]), ["query", "where"], str(MAX_FILTERS))
    refused(board([in_list(MAX_LIST_VALUES + 1)]), ["query", "where"], "MAX_LIST_VALUES")
    text = json.dumps([in_list(1)])
    # Blanks inside the JSON (the ends are stripped): the length is the limit's, not the list's.
    padded = "[" + " " * (MAX_LEADERBOARD_WHERE - len(text)) + text[1:]
    assert board(padded).status_code == 200
    refused(board("[ " + padded[1:]), ["query", "where"], str(MAX_LEADERBOARD_WHERE))


# --- groups and audiences ----------------------------------------------------------------------


def test_group_lists_are_limited(admin: Api) -> None:
    def group(**body: Any) -> Any:
        return admin.post("/groups", json={"name": "G", **body})

    # At the limit, the ids are looked up (in chunks): unknown ones are named, no size error.
    at = group(member_ids=list(range(1, MAX_GROUP_MEMBERS + 1)))
    assert at.status_code == 422 and "Unknown member ids" in at.json()["detail"], at.text
    refused(
        group(member_ids=list(range(1, MAX_GROUP_MEMBERS + 2))),
        ["body", "member_ids"],
        str(MAX_GROUP_MEMBERS),
    )
    at = group(team_ids=list(range(1, MAX_GROUP_TEAMS + 1)))
    assert at.status_code == 422 and "Unknown team ids" in at.json()["detail"], at.text
    refused(
        group(team_ids=list(range(1, MAX_GROUP_TEAMS + 2))),
        ["body", "team_ids"],
        str(MAX_GROUP_TEAMS),
    )
    condition = {"attribute": "member.role", "op": "ne", "value": "x"}
    assert group(conditions=[condition] * MAX_GROUP_CONDITIONS).status_code == 201
    refused(
        group(conditions=[condition] * (MAX_GROUP_CONDITIONS + 1)),
        ["body", "conditions"],
        str(MAX_GROUP_CONDITIONS),
    )
    listed = {
        "attribute": "team.name",
        "op": "in",
        "value": [str(i) for i in range(MAX_LIST_VALUES)],
    }
    assert group(conditions=[listed]).status_code == 201
    listed["value"] = [str(i) for i in range(MAX_LIST_VALUES + 1)]
    refused(group(conditions=[listed]), ["body", "conditions", 0], "MAX_LIST_VALUES")
    refused(
        admin.post("/groups/preview", json={"member_ids": [1] * (MAX_GROUP_MEMBERS + 1)}),
        ["body", "member_ids"],
        str(MAX_GROUP_MEMBERS),
    )


def test_audience_is_limited(admin: Api) -> None:
    group_id = admin.ok("POST", "/groups", 201, json={"name": "G"})["id"]
    body = {"key": "a", "name": "A", "category": "award"}
    assert (
        admin.post(
            "/achievements", json={**body, "audience": [group_id] * MAX_AUDIENCE}
        ).status_code
        == 201
    )
    past = admin.post(
        "/achievements", json={**body, "key": "b", "audience": [group_id] * (MAX_AUDIENCE + 1)}
    )
    refused(past, ["body", "audience"], str(MAX_AUDIENCE))


# --- the largest achievement allowed, end to end ----------------------------------------------


def largest_requirements(seed: int) -> list[list[dict[str, Any]]]:
    """The largest requirements allowed: MAX_RULES rules in MAX_RULE_GROUPS groups, with
    MAX_REQUIREMENT_FILTERS filters whose in/not_in lists hold MAX_REQUIREMENT_LIST_VALUES
    values in all."""
    rng = random.Random(seed)
    per_rule_filters = MAX_REQUIREMENT_FILTERS // MAX_RULES
    per_rule_values = MAX_REQUIREMENT_LIST_VALUES // MAX_RULES
    rules = []
    for r in range(MAX_RULES):
        op = rng.choice(["in", "not_in"])
        real = rng.sample(REGIONS, 2 if op == "in" else 1)
        fake = [f"x{r}.{i}" for i in range(per_rule_values - len(real))]
        where = [{"field": "region", "op": op, "value": real + fake}]
        while len(where) < per_rule_filters:
            where.append(
                rng.choice(
                    [
                        {"field": "value", "op": "gte", "value": rng.randint(0, 30)},
                        {"field": "value", "op": "lt", "value": rng.randint(70, 120)},
                        {"field": "status", "op": "ne", "value": rng.choice(STATUSES)},
                        {"field": "status", "op": "exists", "value": True},
                    ]
                )
            )
        aggregate = rng.choice(["count", "sum", "max", "count_distinct"])
        target = {"count": 60, "sum": 4000, "max": 99, "count_distinct": 50}[aggregate]
        body: dict[str, Any] = {
            "source": "deals",
            "where": where,
            "aggregate": aggregate,
            "operator": "at_least",
            "value": rng.randint(target // 2, target * 2),
        }
        if aggregate != "count":
            body["field"] = "value"
        rules.append(body)
    groups = [rules[g::MAX_RULE_GROUPS] for g in range(MAX_RULE_GROUPS)]
    assert sum(len(g) for g in groups) == MAX_RULES
    assert sum(len(r["where"]) for r in rules) == MAX_REQUIREMENT_FILTERS
    assert sum(len(r["where"][0]["value"]) for r in rules) == MAX_REQUIREMENT_LIST_VALUES
    return groups


def records_of(member_ids: list[int], n: int, seed: int, start: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    return [
        {
            "external_id": f"d{start + i}",
            "member_id": member_ids[i % len(member_ids)] if i % 7 else member_ids[0],
            "occurred_at": (at + timedelta(minutes=start + i)).isoformat(),
            "data": {
                "region": rng.choice(REGIONS),
                "status": rng.choice(STATUSES),
                "value": rng.randint(0, 100),
            },
        }
        for i in range(n)
    ]


def expected_holders(
    requirements: Any, records: list[dict[str, Any]], member_ids: list[int]
) -> set[int]:
    parsed = parse_requirements(requirements)
    by_member: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_member[record["member_id"]].append(record["data"])
    return {
        m
        for m in member_ids
        if completions(parsed, {"deals": FIELDS}, {"deals": by_member[m]}, repeatable=False)
    }


def holders(api: Api, achievement_id: int) -> set[int]:
    return {
        a["member_id"] for a in api.ok("GET", "/awards", params={"achievement_id": achievement_id})
    }


def test_the_largest_achievement_activates_and_ingests_as_the_oracle_says(deals: Api) -> None:
    member_ids = [deals.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(6)]
    requirements = largest_requirements(seed=58)
    created = post_achievement(deals, "largest", requirements)
    assert created.status_code == 201, created.text
    aid = created.json()["id"]

    first = records_of(member_ids, 500, seed=1, start=0)
    deals.ok("POST", "/sources/deals/records", json={"records": first})
    deals.ok("POST", f"/achievements/{aid}/activate")
    after_activation = expected_holders(requirements, first, member_ids)
    assert holders(deals, aid) == after_activation

    batch = records_of(member_ids, 500, seed=2, start=500)
    deals.ok("POST", "/sources/deals/records", json={"records": batch})
    everyone = expected_holders(requirements, first + batch, member_ids)
    assert holders(deals, aid) == everyone
    # The data is such that the rules decide something: some earn it, and only later.
    assert after_activation < everyone < set(member_ids)


def test_an_achievement_saved_before_the_limits_still_loads_and_earns(
    deals: Api, clean_db: Engine
) -> None:
    """The limits guard what is saved from now on: a rule stored before them, past them
    (here 60 filters and an `in` list of 1,200 values), is still read, shown and evaluated."""
    made = post_achievement(deals, "legacy", [[rule()]])
    assert made.status_code == 201, made.text
    achievement_id = made.json()["id"]
    oversized = [
        [
            rule(
                [eq(i) for i in range(MAX_FILTERS + 10)]
                + [
                    {
                        "field": "region",
                        "op": "in",
                        "value": ["EMEA"] + [f"r{i}" for i in range(1199)],
                    }
                ]
            )
        ]
    ]
    with clean_db.begin() as conn:
        conn.execute(
            update(Achievement)
            .where(Achievement.id == achievement_id)
            .values(requirements=oversized)
        )
    shown = deals.ok("GET", f"/achievements/{achievement_id}", 200)
    assert len(shown["requirements"][0][0]["where"]) == MAX_FILTERS + 11
    deals.ok("POST", f"/achievements/{achievement_id}/activate", 200)
    member = deals.ok("POST", "/members", 201, json={"name": "Old timer"})
    answer = deals.ok(
        "POST",
        "/sources/deals/records",
        200,
        json={
            "member_id": member["id"],
            "occurred_at": "2026-11-18T10:00:00Z",
            "data": {"region": "EMEA", "status": "won", "value": 1},
        },
    )
    assert [a["achievement_id"] for a in answer["awards"]] == [achievement_id]
