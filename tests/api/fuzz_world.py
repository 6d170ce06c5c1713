"""The data the OpenAPI fuzz test runs against, and a fingerprint of everything stored.

The world has one of each kind (and two where a path names two), so that generated ids and
keys sometimes exist; `Ids` lists them for the hooks that steer generation toward them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import (
    ColumnElement,
    Engine,
    LargeBinary,
    String,
    Table,
    cast,
    func,
    literal,
    select,
    union_all,
)

import plaudit.models  # noqa: F401 - every table in Base.metadata, for fingerprint()
from plaudit.config import Settings
from plaudit.db.base import Base
from plaudit.db.snapshot import read_snapshot
from tests.conftest import Api


def fuzz_app_settings(settings: Settings) -> Settings:
    """The settings of the application the world lives in. No webhook worker: generated
    notifications may name any URL and nothing may be sent, and a worker would claim the
    seeded notifications' deliveries (changing their rows) whenever it ran. Embedding on:
    POST /embeds issues links rather than answering 409 to everything."""
    return settings.model_copy(
        update={"webhook_worker": False, "embed_allowed_origins": "https://portal.example.com"}
    )


NOV = "2026-11-18T10:00:00+00:00"  # the fixed clock's day

DEALS = {
    "key": "deals",
    "name": "Deals",
    "fields": [
        {"name": "status", "type": "string"},
        {"name": "value", "type": "number"},
        {"name": "won", "type": "boolean"},
        {"name": "close_date", "type": "date"},
        {"name": "closed_at", "type": "datetime"},
    ],
}
BIG_DEALS = [
    [
        {
            "source": "deals",
            "where": [{"field": "status", "op": "eq", "value": "Approved"}],
            "aggregate": "sum",
            "field": "value",
            "operator": "at_least",
            "value": 100,
        }
    ]
]


# Names in bodies that hold the same kind of value as another name (lists hold ids one by one).
ALIASES = {
    "team_ids": "team_id",
    "member_ids": "member_id",
    "audience": "group_id",
    "source": "key",
    "board": "board_id",
}


@dataclass
class Ids:
    """What exists after `seed`, by the name of the parameter or body field that refers to it."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        self.by_name.setdefault(name, []).append(value)

    def steer(self, value: Any, name: str | None = None) -> st.SearchStrategy[Any]:
        """`value` as generated, or with the ids and keys in it (at any depth) replaced by ones
        that exist: a strategy that picks either, field by field."""
        if isinstance(value, dict):
            return st.fixed_dictionaries({k: self.steer(v, k) for k, v in value.items()})
        if isinstance(value, list):
            return st.tuples(*(self.steer(item, name) for item in value)).map(list)
        known = self.by_name.get(ALIASES.get(name or "", name or ""), [])
        return st.sampled_from([value, *known]) if known else st.just(value)


def seed(admin: Api) -> Ids:
    """One of everything, through the API (so that it is what a client would have made)."""
    ids = Ids()
    team = admin.ok(
        "POST",
        "/teams",
        201,
        json={"name": "Acme", "external_id": "crm-acme", "attributes": {"tier": "gold"}},
    )
    ids.add("team_id", team["id"])
    ids.add("team_external_id", "crm-acme")
    members = []
    for name, role in (("Ann", "sales_rep"), ("Bob", "partner_admin")):
        member = admin.ok(
            "POST",
            "/members",
            201,
            json={
                "name": name,
                "email": f"{name.lower()}@example.org",
                "external_id": f"crm-{name.lower()}",
                "team_id": team["id"],
                "role": role,
            },
        )
        members.append(member["id"])
        ids.add("member_id", member["id"])
        ids.add("member_external_id", member["external_id"])
    admin.ok("POST", "/sources", 201, json=DEALS)
    admin.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": []})
    ids.add("key", "deals")
    ids.add("key", "calls")
    ids.add("field", "value")
    ids.add("field", "status")
    group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
        },
    )
    ids.add("group_id", group["id"])
    big = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "big-dealer",
            "name": "Big dealer",
            "category": "membership",
            "points": 50,
            "period": "month",
            "audience": [group["id"]],
            "requirements": BIG_DEALS,
        },
    )
    kudos = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 5, "period": "week"},
    )
    draft = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "draft", "name": "Draft", "category": "record", "period": "month"},
    )
    for made in (big, kudos, draft):
        ids.add("achievement_id", made["id"])
    admin.ok("POST", f"/achievements/{big['id']}/activate")
    admin.ok("POST", f"/achievements/{kudos['id']}/activate")
    notification = admin.ok(
        "POST",
        "/notifications",
        201,
        json={
            "name": "Approved deal",
            "trigger": {
                "type": "record",
                "source": "deals",
                "where": [{"field": "status", "op": "eq", "value": "Approved"}],
            },
            # A name that never resolves (RFC 6761); the fuzz app runs no delivery worker anyway.
            "action": {"type": "webhook", "url": "https://hooks.invalid/hook"},
        },
    )
    ids.add("notification_id", notification["id"])
    board = admin.ok(
        "POST",
        "/leaderboard/boards",
        201,
        json={
            "name": "Approved deal value",
            "measure": {"source": "deals", "aggregate": "sum", "field": "value"},
            "published": True,
        },
    )
    ids.add("board_id", board["id"])
    for n, (member_id, status) in enumerate(
        [(members[0], "Approved"), (members[0], "Pending"), (members[1], "Approved")]
    ):
        admin.ok(
            "POST",
            "/sources/deals/records",
            json={
                "external_id": f"deal-{n}",
                "member_id": member_id,
                "occurred_at": NOV,
                "data": {
                    "status": status,
                    "value": 120,
                    "won": True,
                    "close_date": "2026-11-18",
                    "closed_at": NOV,
                },
            },
        )
        ids.add("external_id", f"deal-{n}")
    admin.ok("POST", f"/members/{members[1]}/awards", 201, json={"achievement_id": kudos["id"]})
    for award in admin.ok("GET", "/awards"):  # the manual one and those the rules gave
        ids.add("award_id", award["id"])
    for delivery in admin.ok("GET", f"/notifications/{notification['id']}/deliveries"):
        ids.add("delivery_id", delivery["id"])
    token = admin.ok("POST", "/tokens", 201, json={"name": "integration", "role": "ingest"})
    ids.add("token_id", token["id"])
    user = admin.ok(
        "POST",
        "/users",
        201,
        json={"username": "lin", "password": "long enough", "role": "manager"},
    )
    ids.add("user_id", user["id"])
    return ids


def _row_text(table: Table) -> ColumnElement[str]:
    """A row of `table` as one text, in SQL that both databases speak (binary: its length)."""
    text: ColumnElement[str] | None = None
    for column in table.columns:
        value = func.length(column) if isinstance(column.type, LargeBinary) else column
        part = func.coalesce(cast(value, String), "-")
        text = part if text is None else text + "|" + part
    assert text is not None
    return text


ROWS = union_all(
    *(
        select(literal(t.name).label("t"), _row_text(t).label("row"))
        for t in Base.metadata.sorted_tables
    )
).order_by("t", "row")


def fingerprint(engine: Engine) -> list[tuple[str, str]]:
    """Every row of every table: equal before and after a refused request means that the
    request wrote nothing. One query, in a read-only transaction: on SQLite an ordinary one
    would begin by taking the writer lock (BEGIN IMMEDIATE), ten times the cost of the read."""
    with read_snapshot(engine) as conn:
        return [(t, row) for t, row in conn.execute(ROWS)]
