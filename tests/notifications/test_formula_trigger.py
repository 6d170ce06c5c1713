"""Formula triggers: edge-triggered on the member's result in the period of the records, at most
once per member per period, held by a unique constraint even under concurrent requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.config import Settings
from plaudit.models import NotificationFiring
from tests.conftest import ADMIN_TOKEN, Api
from tests.live_server import live_server
from tests.loopback_http import loopback_client
from tests.notifications.helpers import (
    DEC,
    NOV,
    achievement,
    firings,
    formula,
    give,
    notify,
    send,
    setup,
)


def ratio_notification(admin: Api, achievement_id: int, **trigger: object) -> int:
    created = notify(admin, formula(**trigger), give(achievement_id))  # type: ignore[arg-type]
    notification_id: int = created["id"]
    return notification_id


def test_fires_when_the_result_crosses_and_only_once_in_the_period(admin: Api) -> None:
    ids = setup(admin)
    club = achievement(admin, "ratio-club", "award", "month")
    notification = ratio_notification(admin, club)
    assert send(admin, "calls", ids["ann"], minutes=1)["awards"] == []  # 0 / 1
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []  # 1
    crossed = send(admin, "deals", ids["ann"], status="approved", value=1)  # 2 / 1 = 2 >= 2
    [award] = crossed["awards"]
    assert (award["source"], award["achievement_id"], award["member_id"]) == (
        "notification",
        club,
        ids["ann"],
    )
    assert award["period_start"] == "2026-11-01T00:00:00+00:00"
    assert send(admin, "deals", ids["ann"], status="approved", value=5)["awards"] == []  # 7
    # down below the threshold and up again in the same month: no second firing
    for _ in range(6):
        send(admin, "calls", ids["ann"], minutes=1)  # 7 / 7 = 1
    assert send(admin, "deals", ids["ann"], status="approved", value=20)["awards"] == []  # 27/7
    [firing] = firings(admin, notification)
    assert (firing["member_id"], firing["period"], firing["value"]) == (
        ids["ann"],
        "2026-11-01",
        2.0,
    )
    assert (firing["outcome"], firing["award_id"]) == ("awarded", award["id"])
    # Bob's own result is his own
    send(admin, "calls", ids["bob"], minutes=1)
    assert len(send(admin, "deals", ids["bob"], status="approved", value=2)["awards"]) == 1
    # a new month is a new period: it fires again there
    send(admin, "calls", ids["ann"], at=DEC, minutes=1)
    december = send(admin, "deals", ids["ann"], at=DEC, status="approved", value=3)
    assert [a["period_start"] for a in december["awards"]] == ["2026-12-01T00:00:00+00:00"]
    assert [(f["member_id"], f["period"]) for f in firings(admin, notification)] == [
        (ids["ann"], "2026-11-01"),
        (ids["bob"], "2026-11-01"),
        (ids["ann"], "2026-12-01"),
    ]


def test_a_member_already_over_the_threshold_fires_only_on_a_new_crossing(admin: Api) -> None:
    ids = setup(admin)
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "deals", ids["ann"], status="approved", value=5)  # 5: met before it exists
    notification = ratio_notification(admin, ids["kudos"])
    assert send(admin, "deals", ids["ann"], status="approved", value=1)["awards"] == []  # 6
    assert firings(admin, notification) == []
    for _ in range(5):
        send(admin, "calls", ids["ann"], minutes=1)  # 6 / 6 = 1: below
    assert len(send(admin, "deals", ids["ann"], status="approved", value=6)["awards"]) == 1


def test_division_by_zero_is_no_value_and_never_an_error(admin: Api) -> None:
    ids = setup(admin)
    notification = ratio_notification(admin, ids["kudos"])
    no_calls = send(admin, "deals", ids["ann"], status="approved", value=100)  # 100 / 0
    assert no_calls["created"] == 1 and no_calls["awards"] == []
    assert firings(admin, notification) == []
    first_call = send(admin, "calls", ids["ann"], minutes=1)  # 100 / 1: crosses from no value
    assert len(first_call["awards"]) == 1


def test_an_update_that_crosses_fires(admin: Api) -> None:
    ids = setup(admin)
    ratio_notification(admin, ids["kudos"])
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "deals", ids["ann"], external_id="d1", status="pending", value=10)
    approved = send(admin, "deals", ids["ann"], external_id="d1", status="approved", value=10)
    assert approved["updated"] == 1
    assert len(approved["awards"]) == 1


def test_late_records_count_in_their_own_period(admin: Api) -> None:
    ids = setup(admin)
    monthly = achievement(admin, "monthly-star", "membership", "month")
    notification = ratio_notification(admin, monthly)
    october = "2026-10-20T09:00:00+00:00"
    send(admin, "calls", ids["ann"], at=october, minutes=1)
    late = send(admin, "deals", ids["ann"], at=october, status="approved", value=2)
    assert [a["period"] for a in late["awards"]] == ["2026-10-01"]
    assert [f["period"] for f in firings(admin, notification)] == ["2026-10-01"]


def test_a_falling_average_crosses_downwards(admin: Api) -> None:
    ids = setup(admin)
    notification = ratio_notification(
        admin, ids["kudos"], text="avg(calls.minutes)", operator="<", threshold=5, period="week"
    )
    assert send(admin, "calls", ids["ann"], minutes=10)["awards"] == []  # no value -> 10
    assert send(admin, "calls", ids["ann"], minutes=0)["awards"] == []  # 5, not < 5
    assert len(send(admin, "calls", ids["ann"], minutes=0)["awards"]) == 1  # 3.33
    assert [f["period"] for f in firings(admin, notification)] == ["2026-11-16"]


def test_period_none_fires_once_ever(admin: Api) -> None:
    ids = setup(admin)
    notification = ratio_notification(
        admin, ids["kudos"], text="count(calls)", threshold=2, period="none"
    )
    send(admin, "calls", ids["ann"], minutes=1)
    assert len(send(admin, "calls", ids["ann"], minutes=1)["awards"]) == 1
    send(admin, "calls", ids["ann"], at=DEC, minutes=1)
    assert [f["period"] for f in firings(admin, notification)] == ["all"]


def test_the_database_refuses_a_second_firing_in_a_period(admin: Api, engine: Engine) -> None:
    ids = setup(admin)
    notification = ratio_notification(admin, ids["kudos"])

    def firing() -> NotificationFiring:
        return NotificationFiring(
            notification_id=notification,
            member_id=ids["ann"],
            period_key="2026-11-01",
            fired_at=datetime.now(UTC),
            outcome="refused",
        )

    with Session(engine) as session:
        session.add(firing())
        session.commit()
        session.add(firing())
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        # record triggers leave the period empty: they may fire any number of times
        session.add_all(
            [
                NotificationFiring(
                    notification_id=notification,
                    member_id=ids["ann"],
                    period_key=None,
                    fired_at=datetime.now(UTC),
                    outcome="refused",
                )
                for _ in range(2)
            ]
        )
        session.commit()


def test_concurrent_requests_fire_exactly_once(clean_db: Engine, settings: Settings) -> None:
    """Twelve deals for one member arrive at the same instant, each in its own request: the
    threshold of three is crossed once, so exactly one firing and one award."""
    with (
        live_server(settings) as base,
        loopback_client(
            base_url=f"{base}/api/v1",
            timeout=60,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as client,
    ):

        def ok(method: str, path: str, status: int = 200, **kw: object) -> dict[str, object]:
            answer = client.request(method, path, **kw)  # type: ignore[arg-type]
            assert answer.status_code == status, answer.text
            result: dict[str, object] = answer.json()
            return result

        ok(
            "POST",
            "/sources",
            201,
            json={"key": "deals", "name": "Deals", "fields": [{"name": "value", "type": "number"}]},
        )
        ann = ok("POST", "/members", 201, json={"name": "Ann"})["id"]
        prize = ok(
            "POST",
            "/achievements",
            201,
            json={"key": "prize", "name": "Prize", "category": "award", "points": 1},
        )["id"]
        notification = ok(
            "POST",
            "/notifications",
            201,
            json={
                "name": "three deals",
                "trigger": formula("count(deals)", threshold=3),
                "action": give(prize),
            },
        )["id"]  # type: ignore[arg-type]
        barrier = Barrier(12, timeout=30)

        def post(index: int) -> int:
            with loopback_client(
                base_url=f"{base}/api/v1",
                timeout=60,
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            ) as own:
                barrier.wait()
                return own.post(
                    "/sources/deals/records",
                    json={
                        "member_id": ann,
                        "occurred_at": NOV,
                        "external_id": f"d{index}",
                        "data": {"value": index},
                    },
                ).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(post, range(12)))
        assert statuses == [200] * 12
        fired = client.get(f"/notifications/{notification}/firings").json()
        assert [(f["member_id"], f["outcome"]) for f in fired] == [(ann, "awarded")]
        assert len(client.get(f"/awards?achievement_id={prize}").json()) == 1


def test_a_large_batch_fires_like_single_records(admin: Api) -> None:
    """Batches big enough for the engine's set-based path fire the same way: once per crossing
    member and period, and once per matching record."""
    ids = setup(admin)
    crossing = ratio_notification(admin, ids["kudos"], text="count(calls)", threshold=50)
    long_calls = notify(
        admin,
        {
            "type": "record",
            "source": "calls",
            "where": [{"field": "minutes", "op": "gte", "value": 60}],
        },
        give(ids["kudos"]),
        name="long calls",
    )["id"]
    records = [
        {
            "member_id": member,
            "occurred_at": at,
            "external_id": f"{member}-{at}-{i}",
            "data": {"minutes": 60 if i % 25 == 0 else 1},
        }
        for member in (ids["ann"], ids["bob"])
        for at, count in ((NOV, 60), (DEC, 10))
        for i in range(count)
    ]
    result = admin.ok("POST", "/sources/calls/records", json={"records": records})
    assert result["created"] == 140
    assert sorted((f["member_id"], f["period"]) for f in firings(admin, crossing)) == [
        (ids["ann"], "2026-11-01"),
        (ids["bob"], "2026-11-01"),
    ]
    assert len(firings(admin, long_calls)) == 2 * (3 + 1)
    assert len(result["awards"]) == 2 + 8
