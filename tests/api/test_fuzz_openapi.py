"""Schemathesis over the whole /api/v1 API, from the app's own OpenAPI document.

The product rule it proves: bad input gets a clear error that names what is wrong
(application/problem+json with status, title and detail), never a 500, and never leaves
anything half written. Besides Schemathesis's own checks (no 5xx; status codes, media types
and bodies as the document declares them; 401 without a token; `Allow` on a 405; a request
that breaks the document's schema, such as `true` for an id or "+0.0" for a whole number, is
refused), every 4xx must be a problem, and after every 4xx every table must hold what it held
before.

Each operation is a test of its own, against a world of real data (fuzz_world.seed), with ids
and keys in valid requests steered toward rows that exist so that they also get past "not
found". On SQLite every phase runs (the schema's examples, the boundary cases of its coverage
phase, then random requests); on PostgreSQL, which is slower, random requests only.
Generation is derandomized: every run sends the same requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine, event

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.api.fuzz_world import Ids, fingerprint, fuzz_app_settings, seed
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api, _truncate_all
from tests.hypothesis_profiles import examples
from tests.one_hop_client import TestClient
from tests.reference_app import openapi_document
from tests.snapshot import Snapshot, restore, take_snapshot
from tests.write_watch import WriteWatch


class Target:
    """The app under test and what exists in its database, as Schemathesis reaches them.

    Schemathesis starts the lifespan of each ASGI app it calls once and keeps it until the
    process exits; the app's lifespan (engine, threads) is the test's TestClient's to run and
    stop. So Schemathesis calls this one object, whose lifespan does nothing and which passes
    requests to the app of the running test.
    """

    def __init__(self) -> None:
        self.app: FastAPI | None = None
        self.ids = Ids()
        self.stored: list[tuple[str, str]] = []  # fingerprint() after the last request

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            assert self.app is not None, "no fuzz_world fixture is active"
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


TARGET = Target()


ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # Schemathesis's default
"""What positive_data_acceptance takes as acceptance; 5xx are failures of their own check."""

NAMES_STORED_DATA = [
    # Requirements name sources and their fields by key; whether a source has a field, and
    # whether a value fits that field's type, is stored data, which no schema can state.
    "POST /api/v1/achievements",
    "PATCH /api/v1/achievements/{achievement_id}",
    # Triggers name sources and fields the same way; a webhook URL must also not lead to an
    # internal address, which depends on what its host name resolves to (issue 17, item 3).
    "POST /api/v1/notifications",
    "PATCH /api/v1/notifications/{notification_id}",
    "POST /api/v1/notifications/test",
    # A measure names a source and one of its fields.
    "POST /api/v1/leaderboard/boards",
    "PATCH /api/v1/leaderboard/boards/{board_id}",
    "GET /api/v1/leaderboard",
    # A default filter names fields of the source, given in the same body or stored earlier.
    "POST /api/v1/sources",
    "PATCH /api/v1/sources/{key}",
    "GET /api/v1/sources/{key}/values",
    # New fields must not clash with the stored ones; a record's data must fit them.
    "POST /api/v1/sources/{key}/fields",
    "POST /api/v1/sources/{key}/records",
    # A user's member binding is checked against the role it keeps when the body omits it.
    "PATCH /api/v1/users/{user_id}",
    # Listed team and member ids must exist: a 422 naming the unknown ones (a body, not a path,
    # names them, so not a 404).
    "POST /api/v1/groups",
    "PATCH /api/v1/groups/{group_id}",
    "POST /api/v1/groups/preview",
    # An embed link of a leaderboard names a source and its fields as GET /leaderboard does;
    # which fields apply depends on `kind`; its longest life is a setting.
    "POST /api/v1/embeds",
    # What an image or CSV holds (its pixel size; the column that `by` names) is no schema's.
    "PUT /api/v1/achievements/{achievement_id}/badge",
    "PUT /api/v1/achievements/{achievement_id}/background",
    "POST /api/v1/achievements/{achievement_id}/awards/bulk",
    # Publishing needs the member's email (stored) and an award that is not revoked.
    "POST /api/v1/awards/{award_id}/publish",
]
"""Operations that may refuse a schema-valid request with 422 because of what is stored. Every
other operation must accept every request its schema allows (or answer 404/409 for an id or
state that does not fit); tests/api/test_contract_gaps.py pins that the schema states the
rules these operations can state (ids, limits, values by operator, member bindings...)."""


FILE_CONTENT = ["POST /api/v1/achievements/{achievement_id}/awards/bulk"]
"""Operations whose upload may be refused as unreadable (400: not UTF-8 text, not a CSV):
what bytes a file holds is no schema's either."""


def _accept_422_for(label: str) -> dict[str, Any]:
    also = ["400", "422"] if label in FILE_CONTENT else ["422"]
    return {
        "include-name": label,
        "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, *also]}},
    }


CONFIG = schemathesis.Config.from_dict(
    {
        "base-url": "http://testserver",
        "auth": {"openapi": {"HTTPBearer": {"bearer": ADMIN_TOKEN}}},
        # Every check runs (all are enabled by default); only the statuses above differ.
        "operations": [_accept_422_for(label) for label in NAMES_STORED_DATA],
    }
)
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = TARGET  # what from_asgi would set: requests, and checks that resend, go to it


def _steer(_context: Any, case: Any) -> Any:
    """Ids and keys in the path, query and body of a valid request: often ones that exist
    (Ids.steer). Invalid requests are left as generated: their point is the invalid part."""
    if case.meta is None or case.meta.generation.mode.is_negative:
        return st.just(case)
    ids = TARGET.ids

    def rebuilt(parts: tuple[Any, Any, Any]) -> Any:
        # Only what changed: Schemathesis revalidates a changed part against the schema.
        for name, value in zip(("path_parameters", "query", "body"), parts, strict=True):
            if value != getattr(case, name):
                setattr(case, name, value)
        return case

    return st.tuples(
        ids.steer(case.path_parameters), ids.steer(case.query), ids.steer(case.body)
    ).map(rebuilt)


schema.hook("flatmap_case")(_steer)


@dataclass(frozen=True)
class World:
    """What `seed` made on one database: its ids, its rows and their fingerprint."""

    ids: Ids
    snapshot: Snapshot
    stored: list[tuple[str, str]]


WORLDS: dict[str, World] = {}
"""Per database: the world seeded there (once per worker)."""

WATCH = WriteWatch()
"""Statements that may change rows, run by any engine of this process (the app's included).

After a request that ran none, nothing can differ from what was stored before it, so the
fingerprint is taken again only after one that ran some: most fuzzed requests are refused
before they reach the database, or only read. Every write of the application goes through
SQLAlchemy; the one place that uses the driver directly, the engine gate, only reads."""


@pytest.fixture
def fuzz_world(engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[Target]:
    """The app on the seeded world: seeded through the API once per database and worker, put
    back from its snapshot when what is stored differs from it (the previous operation or
    another test wrote), used as it is when nothing does."""
    app = app_for(fuzz_app_settings(settings), clock)
    key = str(engine.url)
    event.listen(Engine, "before_cursor_execute", WATCH)
    try:
        with TestClient(app) as client:
            world = WORLDS.get(key)
            if world is None:
                _truncate_all(engine)
                ids = seed(Api(client, ADMIN_TOKEN))
                world = WORLDS[key] = World(ids, take_snapshot(engine), fingerprint(engine))
            elif fingerprint(engine) != world.stored:  # the last operation, or another test, wrote
                restore(engine, world.snapshot)
                assert fingerprint(engine) == world.stored, "the snapshot did not restore"
            TARGET.ids, TARGET.stored = world.ids, world.stored
            TARGET.app = app
            try:
                yield TARGET
            finally:
                TARGET.app, TARGET.ids, TARGET.stored = None, Ids(), []
    finally:
        event.remove(Engine, "before_cursor_execute", WATCH)


def problem_details(_ctx: Any, response: Any, _case: Any) -> bool | None:
    """Every 4xx answer is application/problem+json with status, title and detail."""
    if not 400 <= response.status_code < 500:
        return None
    media_type = response.headers.get("content-type", [""])[0]
    assert media_type.startswith("application/problem+json"), (
        f"{response.status_code} answered as {media_type!r}, not application/problem+json"
    )
    body = response.json()
    assert isinstance(body, dict), f"problem body is not an object: {body!r}"
    assert body.get("status") == response.status_code, f"status {body.get('status')!r}"
    for key in ("title", "detail"):
        assert isinstance(body.get(key), str) and body[key], f"no {key}: {body!r}"
    return True


def _unwritable(value: Any) -> bool:
    """Whether `value` holds what the API refuses by design although JSON Schema allows it:

    - a whole number written as a float (`30.0`) where the document says integer: JSON Schema
      counts 30.0 as an integer, the API takes whole numbers written as such only (a JSON
      number without a fraction in bodies, digits in paths and queries), so that `1.0`,
      `1e0` or `+0.0` never silently become an id;
    - text with a NUL character or an unpaired surrogate, which no database column can store
      (PostgreSQL refuses NUL in text; neither database stores half a UTF-16 pair).

    No JSON Schema keyword says either, so positive_data_acceptance cannot apply to such a
    request; `refused_by_name` checks it instead."""
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_unwritable(k) or _unwritable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unwritable(v) for v in value)
    return False


def refused_by_name(_ctx: Any, response: Any, _case: Any) -> bool | None:
    """For a request `_unwritable` describes: answered as positive_data_acceptance would accept
    (not found, conflict...), or refused as bad input (400/422) with an `errors` list naming
    what is wrong; never a 5xx (its own check) or an unexplained refusal."""
    if response.status_code not in (400, 422):
        return True
    errors = response.json().get("errors")
    assert isinstance(errors, list) and errors, f"no errors list: {response.text}"
    return True


def exercise(case: Any, engine: Engine) -> None:
    """Send `case`, run the checks, and check that a refused request wrote nothing."""
    before = TARGET.stored
    writes = WATCH.count
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    parts = (case.path_parameters, case.query, case.body)
    unwritable = positive and any(_unwritable(part) for part in parts)
    try:
        response = (
            case.call_and_validate(
                additional_checks=[problem_details, refused_by_name],
                excluded_checks=[positive_data_acceptance],
            )
            if unwritable
            else case.call_and_validate(additional_checks=[problem_details])
        )
    finally:
        # Also after a failure, so that the next example is compared with what is stored.
        if WATCH.count != writes:
            TARGET.stored = fingerprint(engine)
    if 400 <= response.status_code < 500:
        assert TARGET.stored == before, f"a refused request ({response.status_code}) wrote"


def fuzz_settings(max_examples: int, **more: Any) -> hypothesis.settings:
    """Reproducible: the same requests on every run (derandomize), no example database;
    PLAUDIT_HYPOTHESIS=thorough multiplies the examples (tests/hypothesis_profiles.py).

    No health checks: the world is shared by the examples on purpose (each is compared with
    what the one before left), requests to a database are slow, and the strategies are
    Schemathesis's, drawn from the document: none of that is a finding about the API."""
    return hypothesis.settings(
        max_examples=examples(max_examples),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        **more,
    )


@schema.parametrize()
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
@fuzz_settings(max_examples=25)
def test_every_operation_answers_bad_input_with_a_problem(
    case: Any, fuzz_world: Target, engine: Engine
) -> None:
    exercise(case, engine)


@schema.parametrize()
@pytest.mark.postgres_only
@fuzz_settings(max_examples=15, phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink])
def test_every_operation_answers_bad_input_with_a_problem_on_postgresql(
    case: Any, fuzz_world: Target, engine: Engine
) -> None:
    exercise(case, engine)
