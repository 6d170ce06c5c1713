"""Formulas as long as the API takes: a flat sum of a thousand terms is saved, tested and fired
like any other, and nesting too deep for anyone to mean it is a located 422, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from plaudit.limits import MAX_FORMULA_LENGTH
from tests.conftest import Api
from tests.notifications.helpers import firings, formula, give, notify, send, setup

THOUSAND_ONES = "1" + "+1" * 999
CALLS_150 = "+".join(["count(calls)"] * 150)


def test_a_thousand_term_sum_is_saved_and_computed(admin: Api) -> None:
    assert len(THOUSAND_ONES) == 1999 <= MAX_FORMULA_LENGTH
    ids = setup(admin)
    trigger = formula(THOUSAND_ONES, ">=", 1000)
    saved = notify(admin, trigger, give(ids["kudos"]), active=False)
    assert saved["trigger"]["formula"] == THOUSAND_ONES
    [ann] = admin.ok("POST", f"/notifications/{saved['id']}/test", json={"member_id": ids["ann"]})[
        "results"
    ]
    assert (ann["outcome"], ann["value"]) == ("already_met", 1000.0)  # a constant never crosses
    unsaved = admin.ok(
        "POST",
        "/notifications/test",
        json={
            "trigger": formula(THOUSAND_ONES, ">", 1000),
            "action": give(ids["kudos"]),
            "member_id": ids["bob"],
        },
    )
    [bob] = unsaved["results"]
    assert (bob["outcome"], bob["value"]) == ("not_met", 1000.0)


def test_a_long_sum_of_aggregates_fires_when_it_crosses(admin: Api) -> None:
    assert len(CALLS_150) <= MAX_FORMULA_LENGTH
    ids = setup(admin)
    notification = notify(admin, formula(CALLS_150, ">=", 300), give(ids["kudos"]))["id"]
    send(admin, "calls", ids["ann"], minutes=1)
    assert firings(admin, notification) == []
    send(admin, "calls", ids["ann"], minutes=2)
    [fired] = firings(admin, notification)
    assert (fired["member_id"], fired["value"]) == (ids["ann"], 300.0)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * 65 + "count(calls)" + ")" * 65, 65),
        ("(" * 999 + "1" + ")" * 999, 65),
        ("-" * 1998 + "1", 65),
        ("1" + "+(1" * 66 + ")" * 66, 195),
    ],
)
@pytest.mark.parametrize("path", ["/notifications", "/notifications/test"])
def test_too_deep_nesting_is_a_located_422(admin: Api, path: str, text: str, column: int) -> None:
    assert len(text) <= MAX_FORMULA_LENGTH
    ids = setup(admin)
    body: dict[str, Any] = {"name": "n", "trigger": formula(text), "action": give(ids["kudos"])}
    if path.endswith("/test"):
        del body["name"]
    answer = admin.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["loc"] == ["trigger", "formula"]
    assert error["code"] == "formula_invalid"
    assert (error["line"], error["column"]) == (1, column)
    assert "nested too deeply (more than 64 levels of parentheses and signs)" in error["message"]
    assert admin.ok("GET", "/notifications") == []
