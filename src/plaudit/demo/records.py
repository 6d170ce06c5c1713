"""The demo's records: drawn over this and last week and month, some members shaped."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from plaudit.demo.organisation import PARTIAL, STAR
from plaudit.models import Member
from plaudit.periods import PeriodWindow
from plaudit.record.schemas import RecordIn


def demo_records(
    rng: random.Random,
    members: list[Member],
    now: datetime,
    week: PeriodWindow,
    last_week: PeriodWindow,
    month: PeriodWindow,
    last_month: PeriodWindow,
) -> dict[str, list[RecordIn]]:
    """Records over this and last week (calls) and month (deals, campaigns), never after now."""
    assert week.start and last_week.start and month.start and last_month.start
    out: dict[str, list[RecordIn]] = {
        "company_profile_updated": [],
        "campaign_activations": [],
        "deals": [],
        "calls": [],
        "certifications": [],
    }

    def between(start: datetime, end: datetime) -> Callable[[], datetime]:
        return lambda: start + (min(end, now) - start) * rng.random()

    this_week, previous_week = between(week.start, now), between(last_week.start, week.start)
    this_month, previous_month = between(month.start, now), between(last_month.start, month.start)
    lately = between(last_month.start, now)

    for index, m in enumerate(members):
        star, partial = index == STAR, index == PARTIAL
        if star or partial or rng.random() < 0.5:
            out["company_profile_updated"].append(RecordIn(member_id=m.id, occurred_at=lately()))
        if star:
            campaigns = [f"spring-{n}" for n in range(1, 7)]
        elif partial:
            campaigns = ["spring-1", "spring-2", "spring-2", "spring-3"]
        else:
            campaigns = [f"spring-{rng.randint(1, 8)}" for _ in range(rng.randint(0, 6))]
        out["campaign_activations"] += [
            RecordIn(member_id=m.id, occurred_at=lately(), data={"campaign_id": c})
            for c in campaigns
        ]
        deals = (
            [(previous_month, "Approved", "EUR", 15000 + 1000 * n) for n in range(4)]
            + [(this_month, "Pending", "USD", 42000)]
            if star
            else [
                (
                    rng.choice([this_month, previous_month]),
                    rng.choice(["Approved", "Approved", "Pending"]),
                    rng.choice(["EUR", "EUR", "USD"]),
                    rng.randint(5, 30) * 1000,
                )
                for _ in range(rng.randint(1, 4))
            ]
        )
        for n, (when, status, currency, value) in enumerate(deals):
            at = when()
            out["deals"].append(
                RecordIn(
                    external_id=f"deal-{index + 1}-{n + 1}",
                    member_id=m.id,
                    occurred_at=at,
                    data={
                        "type": rng.choice(["new", "renewal"]),
                        "stage": "Closed Won" if status == "Approved" else "Negotiation",
                        "currency": currency,
                        "status": status,
                        "value": value,
                        "close_date": at.date().isoformat(),
                    },
                )
            )
        calls = (
            [(previous_week, rng.randint(10, 40)) for _ in range(22)]
            + [(this_week, rng.randint(1, 40)) for _ in range(8)]
            if star
            else [
                (previous_week, rng.randint(1, 40))
                for _ in range(9 if partial else rng.randint(3, 18))
            ]
            + [(this_week, rng.randint(1, 40)) for _ in range(4 if partial else rng.randint(1, 12))]
        )
        out["calls"] += [
            RecordIn(
                member_id=m.id,
                occurred_at=when(),
                data={
                    "minutes": minutes,
                    "outcome": rng.choice(["connected", "voicemail", "meeting booked"]),
                },
            )
            for when, minutes in calls
        ]
        if star or rng.random() < 0.35:
            out["certifications"].append(
                RecordIn(member_id=m.id, occurred_at=lately(), data={"course": "Partner Sales 101"})
            )
    return out
