"""`db.rows.insert_many` stores exactly what SQLAlchemy's own executemany stores (the same
timestamp text on SQLite, the same JSON), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.schema import CreateTable

from plaudit.db.rows import insert_many
from plaudit.db.types import JSONType, UTCDateTime

_meta = MetaData()
_probe = Table(
    "rows_probe",
    _meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("label", String(50)),
    Column("at", UTCDateTime()),
    Column("data", JSONType),
    prefixes=["TEMPORARY"],
)
COLUMNS = ["seq", "label", "at", "data"]

# hypothesis bounds are naive by design; the values it draws are aware (timezones=).
moments = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda d: d.astimezone(timezone(timedelta(hours=5, minutes=30))))
# Text as the API lets it through: no NUL, no unpaired surrogate (kit.schemas refuses them).
storable = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
json_values = st.dictionaries(
    st.text(storable, max_size=5),
    st.one_of(
        st.none(), st.booleans(), st.integers(-(10**9), 10**9), st.text(storable, max_size=8)
    ),
    max_size=3,
)
row = st.tuples(st.one_of(st.none(), st.text(storable, max_size=10)), moments, json_values)


def _stored(conn: Any) -> list[tuple[Any, ...]]:
    """The rows as the database holds them: text for timestamps, documents for JSON."""
    return [tuple(r) for r in conn.exec_driver_sql(_RAW[conn.dialect.name])]


_RAW = {
    "sqlite": "SELECT seq, label, CAST(at AS TEXT), data FROM rows_probe ORDER BY seq",
    "postgresql": "SELECT seq, label, at::text, data::text FROM rows_probe ORDER BY seq",
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=20))
def test_insert_many_stores_what_executemany_stores(
    engine: Engine, rows: list[tuple[Any, ...]]
) -> None:
    values = [(i, label, at, data) for i, (label, at, data) in enumerate(rows)]
    with engine.connect() as conn:
        conn.execute(CreateTable(_probe, if_not_exists=True))
        conn.execute(text("DELETE FROM rows_probe"))
        conn.execute(insert(_probe), [dict(zip(COLUMNS, v, strict=True)) for v in values])
        expected = _stored(conn)
        typed = list(conn.execute(select(_probe).order_by(_probe.c.seq)))
        conn.execute(text("DELETE FROM rows_probe"))
        insert_many(conn, _probe, COLUMNS, values)
        assert _stored(conn) == expected
        assert list(conn.execute(select(_probe).order_by(_probe.c.seq))) == typed
        assert [r.at for r in typed] == [at for _, _, at, _ in values]
        conn.rollback()


def test_insert_many_takes_columns_in_any_order(engine: Engine) -> None:
    at = datetime(2026, 11, 18, 12, tzinfo=UTC)
    with engine.connect() as conn:
        conn.execute(CreateTable(_probe, if_not_exists=True))
        conn.execute(text("DELETE FROM rows_probe"))
        insert_many(conn, _probe, ["data", "at", "seq"], [({"a": 1}, at, 7)])
        insert_many(conn, _probe, ["seq"], [])  # nothing to insert: no statement at all
        assert [tuple(r) for r in conn.execute(select(_probe))] == [(7, None, at, {"a": 1})]
        conn.rollback()
