"""Property test: random streams of record creates, updates and deletes for random
achievements; every running aggregate and every award must equal a from-scratch recomputation
with the plain-Python rule semantics (the oracle), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.engine.evaluate import current_value
from plaudit.engine.store import read_progress
from plaudit.models import Award
from plaudit.periods import Period, period_by_key, period_containing
from plaudit.rules.model import FieldType, Rule
from plaudit.rules.oracle import aggregate, repeat_count, rule_met
from plaudit.rules.values import matches
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient

FIELDS = {"minutes": FieldType.NUMBER, "outcome": FieldType.STRING}


def post_calls_source(api: Api) -> None:
    """The `calls` source with FIELDS, which the property tests' records write to."""
    fields = [{"name": n, "type": t.value} for n, t in FIELDS.items()]
    api.ok("POST", "/sources", 201, json={"key": "calls", "name": "Calls", "fields": fields})


START = datetime(2026, 3, 23, tzinfo=UTC)  # the Berlin spring-forward week
MEMBERS = 3
ZONE = "Europe/Berlin"

numbers = st.integers(min_value=1, max_value=30)
outcomes = st.sampled_from(["won", "lost", "open"])
data_strategy = st.fixed_dictionaries({}, optional={"minutes": numbers, "outcome": outcomes})
filters = st.one_of(
    st.builds(lambda v: {"field": "outcome", "op": "eq", "value": v}, outcomes),
    st.builds(lambda v: {"field": "outcome", "op": "ne", "value": v}, outcomes),
    st.builds(lambda v: {"field": "minutes", "op": "gte", "value": v}, numbers),
    st.just({"field": "minutes", "op": "exists", "value": True}),
)


@st.composite
def rules(draw: st.DrawFn, repeatable: bool) -> dict[str, Any]:
    if repeatable:
        aggregate_name = draw(st.sampled_from(["count", "sum"]))
        operator = "at_least"
    else:
        aggregate_name = draw(
            st.sampled_from(["count", "sum", "min", "max", "avg", "count_distinct"])
        )
        operator = draw(
            st.sampled_from(["at_least", "more_than", "exactly", "at_most", "less_than"])
        )
    rule: dict[str, Any] = {
        "source": "calls",
        "aggregate": aggregate_name,
        "operator": operator,
        "value": draw(st.integers(min_value=1, max_value=40)),
    }
    if aggregate_name == "count_distinct":
        rule["field"] = draw(st.sampled_from(["minutes", "outcome"]))
    elif aggregate_name != "count":
        rule["field"] = "minutes"
    rule["where"] = draw(st.lists(filters, max_size=1))
    return rule


@st.composite
def achievements(draw: st.DrawFn, index: int) -> dict[str, Any]:
    repeatable = draw(st.booleans())
    groups = 1 if repeatable else draw(st.integers(min_value=1, max_value=2))
    requirements = [
        draw(st.lists(rules(repeatable), min_size=1, max_size=2)) for _ in range(groups)
    ]
    body: dict[str, Any] = {
        "key": f"a{index}",
        "name": f"A{index}",
        "category": "award",
        "period": draw(st.sampled_from(["none", "week", "month", "day"])),
        "points": 1,
        "repeatable": repeatable,
        "requirements": requirements,
    }
    if draw(st.booleans()):
        body["effective"] = {
            "from": (START + timedelta(days=2)).isoformat(),
            "until": (START + timedelta(days=12)).isoformat(),
        }
    return body


operation = st.tuples(
    st.sampled_from(["create", "create", "update", "delete"]),
    st.integers(min_value=0, max_value=MEMBERS - 1),
    st.integers(min_value=0, max_value=20 * 24),  # hour offset
    data_strategy,
    st.integers(min_value=0, max_value=5),
)


UPPER_BOUNDS = {"at_most", "less_than", "exactly"}


def _decided(definition: dict[str, Any], key: str, zone: Any, now: datetime) -> bool:
    """Whether a group with an upper bound can be decided for `key` at `now`: the period (or
    the effective window, if it ends first) is over; with no end, always."""
    window = definition.get("effective")
    until = datetime.fromisoformat(window["until"]) if window else None
    period = Period(definition["period"])
    end = None if period is Period.none else period_by_key(key, period, zone).end
    ends = [e for e in (end, until) if e is not None]
    return not ends or min(ends) <= now


def _oracle_state(
    defs: list[dict[str, Any]], records: dict[str, dict[str, Any]], zone: Any, now: datetime
) -> dict[tuple[int, int, str], int]:
    """Completions due per (achievement index, member index, period key), from scratch."""
    due: dict[tuple[int, int, str], int] = {}
    for a_index, definition in enumerate(defs):
        groups = [[Rule.model_validate(r) for r in g] for g in definition["requirements"]]
        waits = [any(r["operator"] in UPPER_BOUNDS for r in g) for g in definition["requirements"]]
        period = Period(definition["period"])
        window = definition.get("effective")
        per_key: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for rec in records.values():
            at = rec["at"]
            if window and not (
                datetime.fromisoformat(window["from"])
                <= at
                < datetime.fromisoformat(window["until"])
            ):
                continue
            per_key[(rec["member"], period_containing(at, period, zone).key)].append(rec["data"])
        for (member, key), datas in per_key.items():
            currents = [
                [
                    (
                        rule,
                        aggregate(
                            rule,
                            FIELDS,
                            [
                                d
                                for d in datas
                                if all(matches(f, FIELDS.get(f.field), d) for f in rule.where)
                            ],
                        )
                        if rule.where
                        else aggregate(rule, FIELDS, datas),
                    )
                    for rule in g
                ]
                for g in groups
            ]
            touched = any(
                all(matches(f, FIELDS.get(f.field), d) for f in rule.where)
                for g in groups
                for rule in g
                for d in datas
            )
            if not touched:
                continue
            if definition["repeatable"]:
                n = repeat_count((cur, rule.value) for rule, cur in currents[0])
            else:
                decided = _decided(definition, key, zone, now)
                n = int(
                    any(
                        (decided or not wait) and all(rule_met(rule, cur) for rule, cur in g)
                        for g, wait in zip(currents, waits, strict=True)
                    )
                )
            due[(a_index, member, key)] = n
    return due


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    defs=st.integers(min_value=1, max_value=3).flatmap(
        lambda n: st.tuples(*(achievements(i) for i in range(n)))
    ),
    ops=st.lists(operation, min_size=1, max_size=25),
    activate_after=st.integers(min_value=0, max_value=25),
    now_hours=st.integers(min_value=0, max_value=30 * 24),
)
def test_engine_matches_the_oracle(
    engine: Engine,
    database_url: str,
    defs: tuple[dict[str, Any], ...],
    ops: list[tuple[str, int, int, dict[str, Any], int]],
    activate_after: int,
    now_hours: int,
) -> None:
    _truncate_all(engine)
    app_settings = Settings(
        database_url=database_url, admin_token=ADMIN_TOKEN, timezone=ZONE, period_closer=False
    )
    # The app's clock, anywhere from the first record's day to after the last: some periods
    # (and effective windows) are over, so their upper-bound rules are decided, others not.
    clock = FixedClock(START + timedelta(hours=now_hours))
    with TestClient(app_for(app_settings, clock)) as client:
        api = Api(client, ADMIN_TOKEN)
        post_calls_source(api)
        members = [
            api.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(MEMBERS)
        ]
        ach_ids = [api.ok("POST", "/achievements", 201, json=d)["id"] for d in defs]
        records: dict[str, dict[str, Any]] = {}
        ever_due: dict[tuple[int, int, str], int] = defaultdict(int)
        active = False
        for step, (kind, member, hours, data, pick) in enumerate(ops):
            if step == activate_after:
                for a in ach_ids:
                    api.ok("POST", f"/achievements/{a}/activate")
                active = True
                _raise_max(
                    ever_due, _oracle_state(list(defs), records, app_settings.zone, clock.now)
                )
            existing = sorted(records)
            if kind in ("update", "delete") and existing:
                ext = existing[pick % len(existing)]
                if kind == "delete":
                    assert api.delete(f"/sources/calls/records/{ext}").status_code == 204
                    del records[ext]
                else:
                    at = START + timedelta(hours=hours)
                    _send(api, ext, members[member], at, data)
                    records[ext] = {"member": member, "at": at, "data": data}
            else:
                ext = f"r{step}"
                at = START + timedelta(hours=hours)
                _send(api, ext, members[member], at, data)
                records[ext] = {"member": member, "at": at, "data": data}
            if active:
                _raise_max(
                    ever_due, _oracle_state(list(defs), records, app_settings.zone, clock.now)
                )
        if not active:
            for a in ach_ids:
                api.ok("POST", f"/achievements/{a}/activate")
            _raise_max(ever_due, _oracle_state(list(defs), records, app_settings.zone, clock.now))
        final = _oracle_state(list(defs), records, app_settings.zone, clock.now)
        with Session(engine) as session:
            _check_progress(session, list(defs), ach_ids, members, records, app_settings)
            awards = session.execute(
                select(Award.achievement_id, Award.member_id, Award.period_key, Award.completion)
            ).all()
        got = defaultdict(list)
        for a_id, m_id, key, completion in awards:
            got[(ach_ids.index(a_id), members.index(m_id), key)].append(completion)
        expected = {k: list(range(1, n + 1)) for k, n in ever_due.items() if n}
        assert {k: sorted(v) for k, v in got.items()} == expected
        assert all(final.get(k, 0) <= n for k, n in ever_due.items())


def _raise_max(ever: dict[tuple[int, int, str], int], now: dict[tuple[int, int, str], int]) -> None:
    for key, n in now.items():
        ever[key] = max(ever[key], n)


def _send(api: Api, ext: str, member_id: int, at: datetime, data: dict[str, Any]) -> None:
    api.ok(
        "POST",
        "/sources/calls/records",
        json={
            "external_id": ext,
            "member_id": member_id,
            "occurred_at": at.isoformat(),
            "data": data,
        },
    )


def _check_progress(
    session: Session,
    defs: list[dict[str, Any]],
    ach_ids: list[int],
    members: list[int],
    records: dict[str, dict[str, Any]],
    app_settings: Settings,
) -> None:
    """Every running aggregate equals the aggregate recomputed from the final records."""
    zone = app_settings.zone
    for a_index, definition in enumerate(defs):
        state = read_progress(session, ach_ids[a_index])
        period = Period(definition["period"])
        window = definition.get("effective")
        keys = {
            (members[r["member"]], period_containing(r["at"], period, zone).key)
            for r in records.values()
        } | set(state)
        for member_id, key in keys:
            datas = [
                r["data"]
                for r in records.values()
                if members[r["member"]] == member_id
                and period_containing(r["at"], period, zone).key == key
                and (
                    not window
                    or datetime.fromisoformat(window["from"])
                    <= r["at"]
                    < datetime.fromisoformat(window["until"])
                )
            ]
            for g, group in enumerate(definition["requirements"]):
                for r_index, raw_rule in enumerate(group):
                    rule = Rule.model_validate(raw_rule)
                    expected = aggregate(rule, FIELDS, datas)
                    got = current_value(rule, state.get((member_id, key), {}).get(f"{g}.{r_index}"))
                    if expected is None or got is None:
                        assert got == expected or (expected is None and got is None), (
                            rule,
                            key,
                            got,
                            expected,
                        )
                    else:
                        assert abs(got - expected) < 1e-6, (rule, key, got, expected)
