"""Shared set-up for the intake tests: a real NATS JetStream (PLAUDIT_TEST_NATS_URL, which
scripts/test sets through scripts/nats-ensure) and a world of members and a source."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import nats
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import Engine, func, select

from plaudit.models import IntakeOffset
from tests.conftest import Api
from tests.loop_free import run_coroutine


def nats_url() -> str:
    url = os.environ.get("PLAUDIT_TEST_NATS_URL")
    if not url:
        pytest.fail(
            "PLAUDIT_TEST_NATS_URL is not set: run the suite with scripts/test, which finds or "
            "starts a NATS server with JetStream (scripts/nats-ensure). Never skipped."
        )
    return url


@dataclass
class World:
    """A test's own source key (so its stream's subjects overlap no other test's), its
    stream, and members m0..m<n-1> (external ids x0..)."""

    source: str
    stream: str
    members: list[int]

    @property
    def subject(self) -> str:
        return f"plaudit.records.{self.source}"

    def subjects(self, *extra: str) -> str:
        return ",".join([self.subject, *(f"plaudit.records.{e}" for e in extra)])


def make_world(admin: Api, members: int = 6, threshold: float = 100) -> World:
    tag = uuid.uuid4().hex[:8]
    source = f"calls_{tag}"
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": source,
            "name": f"Calls {tag}",
            "fields": [{"name": "minutes", "type": "number"}],
        },
    )
    created = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": f"talker-{tag}",
            "name": "Talker",
            "category": "award",
            "points": 10,
            "requirements": [
                [
                    {
                        "source": source,
                        "aggregate": "sum",
                        "field": "minutes",
                        "operator": "at_least",
                        "value": threshold,
                    }
                ]
            ],
        },
    )
    admin.ok("POST", f"/achievements/{created['id']}/activate")
    ids = [
        admin.ok("POST", "/members", 201, json={"name": f"Member {i}", "external_id": f"x{i}"})[
            "id"
        ]
        for i in range(members)
    ]
    return World(source=source, stream=f"T_{tag.upper()}", members=ids)


def record(member: int | str, minutes: Any, ext: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_at": "2026-11-18T10:00:00+00:00",
        "data": {"minutes": minutes},
    }
    if isinstance(member, int):
        body["member_id"] = member
    else:
        body["member_external_id"] = member
    if ext is not None:
        body["external_id"] = ext
    return body


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"records": list(records)}


async def _publish(stream: str, subjects: str, messages: list[tuple[str, bytes]]) -> int:
    nc = await nats.connect(nats_url())
    try:
        js = nc.jetstream()
        try:
            await js.stream_info(stream)
        except NotFoundError:
            await js.add_stream(name=stream, subjects=subjects.split(","))
        last = 0
        for subject, data in messages:
            last = (await js.publish(subject, data, stream=stream)).seq
        return last
    finally:
        await nc.drain()


def publish(world: World, messages: list[Any], subjects: str | None = None) -> int:
    """Publish (subject, body) pairs or bodies (to the world's subject); the last sequence."""
    pairs: list[tuple[str, bytes]] = []
    for message in messages:
        subject, body = message if isinstance(message, tuple) else (world.subject, message)
        pairs.append((subject, body if isinstance(body, bytes) else json.dumps(body).encode()))
    return run_coroutine(_publish(world.stream, subjects or world.subjects(), pairs))


async def _delete_stream(stream: str) -> None:
    nc = await nats.connect(nats_url())
    try:
        with suppress(NotFoundError):
            await nc.jetstream().delete_stream(stream)
    finally:
        await nc.drain()


@contextmanager
def stream_removed_after(world: World) -> Iterator[None]:
    try:
        yield
    finally:
        run_coroutine(_delete_stream(world.stream))


def caught_up(engine: Engine, world: World, partitions: int, last: int) -> bool:
    """Has every partition applied every sequence up to `last`?"""
    with engine.connect() as conn:
        low = conn.scalar(
            select(func.min(IntakeOffset.last_sequence)).where(
                IntakeOffset.stream == world.stream, IntakeOffset.partitions == partitions
            )
        )
        count = conn.scalar(
            select(func.count()).where(
                IntakeOffset.stream == world.stream, IntakeOffset.partitions == partitions
            )
        )
    return count == partitions and low is not None and low >= last


def oracle(world: World, good: list[dict[str, Any]]) -> dict[int, tuple[int, float]]:
    """Per member: how many records and how many minutes the good records leave, applied in
    order (a later record with the same external_id replaces the earlier one)."""
    by_ext = {f"x{i}": m for i, m in enumerate(world.members)}
    final: dict[Any, tuple[int, float]] = {}
    for n, rec in enumerate(good):
        member = rec.get("member_id") or by_ext[rec["member_external_id"]]
        final[rec.get("external_id") or ("anon", n)] = (member, float(rec["data"]["minutes"]))
    out: dict[int, tuple[int, float]] = {}
    for member, minutes in final.values():
        count, total = out.get(member, (0, 0.0))
        out[member] = (count + 1, total + minutes)
    return out


def stored(engine: Engine, world: World) -> tuple[dict[int, tuple[int, float]], set[int]]:
    """Per member the records and minutes stored, and the members holding the award."""
    from plaudit.models import Award, Record, Source

    with engine.connect() as conn:
        source_id = conn.scalar(select(Source.id).where(Source.key == world.source))
        out: dict[int, tuple[int, float]] = {}
        for member, data in conn.execute(
            select(Record.member_id, Record.data).where(Record.source_id == source_id)
        ):
            count, total = out.get(member, (0, 0.0))
            out[member] = (count + 1, total + float(data["minutes"]))
        holders = set(conn.scalars(select(Award.member_id).where(Award.revoked.is_(False))))
    return out, holders
