"""The dry run's prediction is what then happens: random records, formulas, operators and
thresholds; before each record is ingested, every notification is asked what that record would
fire (`POST /notifications/{id}/test` with `record`), then the record is ingested and the new
firings are compared with the prediction: who, the value that crossed, and the action's outcome.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api
from tests.notifications.helpers import RATIO, achievement, formula, give, notify, send, setup

FORMULAS = [RATIO, "count(calls)", "avg(calls.minutes)", "sum(deals.value) - count(calls)"]
OPERATORS = [">", ">=", "<", "<=", "=="]
TIMES = [
    "2026-10-30T10:00:00+00:00",
    "2026-11-02T10:00:00+00:00",
    "2026-11-18T10:00:00+00:00",
    "2026-12-01T10:00:00+00:00",
]

calls = st.fixed_dictionaries(
    {"source": st.just("calls"), "data": st.fixed_dictionaries({"minutes": st.integers(0, 9)})}
)
deals = st.fixed_dictionaries(
    {
        "source": st.just("deals"),
        "data": st.fixed_dictionaries(
            {"status": st.sampled_from(["approved", "pending"]), "value": st.integers(0, 4)}
        ),
    }
)
records = st.lists(
    st.tuples(
        st.one_of(calls, deals),
        st.integers(0, 1),  # which member
        st.sampled_from(TIMES),
        st.sampled_from([None, "x0", "x1"]),  # the same external id again is an update
    ),
    min_size=1,
    max_size=7,
)


def firings(admin: Api, notification_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/notifications/{notification_id}/firings")
    return found


def test_what_the_dry_run_predicts_is_what_fires(admin: Api) -> None:
    ids = setup(admin)
    club = achievement(admin, "club", "membership", "month")
    examples = itertools.count()

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=True,
    )
    @given(
        text=st.sampled_from(FORMULAS),
        operator=st.sampled_from(OPERATORS),
        threshold=st.integers(0, 4),
        period=st.sampled_from(["week", "month"]),
        steps=records,
    )
    def check(
        text: str,
        operator: str,
        threshold: int,
        period: str,
        steps: list[tuple[dict[str, Any], int, str, str | None]],
    ) -> None:
        n = next(examples)
        members = [
            admin.ok("POST", "/members", 201, json={"name": f"M{n}-{i}"})["id"] for i in (0, 1)
        ]
        notifications = [
            notify(admin, formula(text, operator, threshold, period), give(ids["kudos"]))["id"],
            notify(admin, formula(text, operator, threshold, period), give(club))["id"],
            notify(
                admin,
                {
                    "type": "record",
                    "source": "deals",
                    "events": ["created"],
                    "where": [{"field": "status", "op": "eq", "value": "approved"}],
                },
                give(club),
            )["id"],
        ]
        try:
            for record, who, at, ext in steps:
                body = {**record, "member_id": members[who], "occurred_at": at}
                if ext is not None:
                    body["external_id"] = f"{ext}-{n}"
                predicted = {}
                for notification in notifications:
                    answer = admin.ok(
                        "POST", f"/notifications/{notification}/test", json={"record": body}
                    )
                    predicted[notification] = sorted(
                        (r["member_id"], r["value"], r["action"]["outcome"])
                        for r in answer["results"]
                        if r["outcome"] == "would_fire"
                    )
                    assert answer["would_fire"] == len(predicted[notification])
                seen = {nid: len(firings(admin, nid)) for nid in notifications}
                data = dict(body["data"])
                if ext is not None:
                    data["external_id"] = body["external_id"]
                send(admin, body["source"], members[who], at=at, **data)
                for notification in notifications:
                    new = sorted(firings(admin, notification), key=lambda f: f["id"])[
                        seen[notification] :
                    ]
                    happened = sorted(
                        (
                            f["member_id"],
                            f["value"],
                            {"awarded": "would_award", "refused": "would_refuse"}[f["outcome"]],
                        )
                        for f in new
                    )
                    assert happened == predicted[notification], (notification, body)
        finally:
            for notification in notifications:
                admin.ok("POST", f"/notifications/{notification}/deactivate")

    check()
