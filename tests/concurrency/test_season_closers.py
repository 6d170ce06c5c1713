"""Seasons closed by two real `plaudit close-periods` processes at once over one PostgreSQL
database: each board's November archived once, each season award given once.

The world is written through the application in this process on a clock in November; the two
processes close on the real clock, which is after November.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from typing import Any

from tests.concurrency.test_background_processes import database, writer
from tests.concurrency.test_workers import PLAUDIT, plaudit_env
from tests.conftest import ADMIN_TOKEN, Api

__all__ = ["database"]  # the fixture, shared with the other background-process tests

BOARDS = 4
MEMBERS = 12


def test_two_closers_archive_each_season_and_give_each_award_once(database: str) -> None:
    with writer(database) as client:
        admin = Api(client, ADMIN_TOKEN)
        admin.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": []})
        champion = _achievement(admin, "champion", "record")
        podium = _achievement(admin, "podium", "membership")
        boards = [
            admin.ok(
                "POST",
                "/leaderboard/boards",
                201,
                json={
                    "name": f"Calls {i}",
                    "measure": {"source": "calls"},
                    "period": "month",
                    "seasonal": True,
                    "season_awards": [
                        {"top": 1, "achievement_id": champion["id"]},
                        {"top": 3, "achievement_id": podium["id"]},
                    ],
                },
            )
            for i in range(BOARDS)
        ]
        members = []
        for i in range(MEMBERS):
            member = admin.ok("POST", "/members", 201, json={"name": f"Rep {i:02d}"})["id"]
            members.append(member)
            records = [
                {"member_id": member, "occurred_at": f"2026-11-{d + 1:02d}T10:00:00+00:00"}
                for d in range(i + 1)  # Rep 11 first with 12 calls, Rep 10 second...
            ]
            admin.ok("POST", "/sources/calls/records", 200, json={"records": records})

        closers = [
            subprocess.Popen(
                [*PLAUDIT, "close-periods"],
                env=plaudit_env(database, PLAUDIT_TIMEZONE="UTC"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0] for p in closers]
        assert [p.returncode for p in closers] == [0, 0], outputs
        november = [
            s
            for b in boards
            for s in admin.ok("GET", f"/leaderboard/seasons?board={b['id']}")["seasons"]
            if s["period_key"] == "2026-11-01"
        ]
        seasons = admin.ok("GET", "/leaderboard/seasons?period=month&limit=1")["total"]
        records = admin.ok("GET", f"/awards?achievement_id={champion['id']}")
        memberships = admin.ok("GET", f"/awards?achievement_id={podium['id']}")

    assert len(november) == BOARDS  # one November per board
    for season in november:
        assert [r["score"] for r in season["standings"][:3]] == [12, 11, 10]
    archived = [int(re.findall(r"(\d+) season\(s\) archived", out)[0]) for out in outputs]
    assert sum(archived) == seasons  # every season archived by exactly one of the two
    # November's awards: the record to the first, the membership to the top three, once each.
    assert [(a["member_id"], a["period_start"]) for a in records] == [
        (members[-1], "2026-11-01T00:00:00+00:00")
    ]
    holders = Counter(
        a["member_id"] for a in memberships if a["period_start"].startswith("2026-11")
    )
    assert holders == Counter(members[-3:])
    # Every board's November names its winners: the first board gave, the others were refused.
    assert all(len(s["awards"]) == 4 for s in november)
    given = [w for s in november for w in s["awards"] if w["award_id"] is not None]
    assert len(given) == 4


def _achievement(admin: Api, key: str, category: str) -> dict[str, Any]:
    body = {"key": key, "name": key.title(), "category": category, "period": "month", "points": 5}
    created: dict[str, Any] = admin.ok("POST", "/achievements", 201, json=body)
    return created
