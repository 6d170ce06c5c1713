"""`db.rows.insert_many` stores exactly what SQLAlchemy's own executemany stores (the same
timestamp text on SQLite, the same JSON), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import TypeDecorator

from plaudit.db.engine import PAGE_CACHE_KIB, WAL_SIZE_LIMIT_BYTES, build_engine
from plaudit.db.rows import insert_many
from plaudit.db.types import JSONType, UTCDateTime
from tests.hypothesis_profiles import examples

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
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
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


def test_insert_many_with_a_single_column(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(CreateTable(_probe, if_not_exists=True))
        conn.execute(text("DELETE FROM rows_probe"))
        insert_many(conn, _probe, ["seq"], [(3,), [4]])
        assert [tuple(r) for r in conn.execute(select(_probe.c.seq).order_by(_probe.c.seq))] == [
            (3,),
            (4,),
        ]
        conn.rollback()


def _generic_bind(dialect: Any) -> Any:
    """What SQLAlchemy's TypeDecorator composes: process_bind_param, then the impl's own."""
    return TypeDecorator.bind_processor(UTCDateTime().dialect_impl(dialect), dialect)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.one_of(
            st.timezones(),
            st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m))),
        ),
    )
)
def test_utc_datetime_sqlite_bind_is_the_generic_composition(value: datetime) -> None:
    dialect = sqlite.dialect()
    fast = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert fast is not None and "UTCDateTime.bind_processor" in fast.__qualname__
    assert fast(value) == _generic_bind(dialect)(value)


def test_utc_datetime_sqlite_bind_edge_cases() -> None:
    dialect = sqlite.dialect()
    fast = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    generic = _generic_bind(dialect)
    assert fast is not None
    for value in (
        None,
        datetime(1, 1, 1, 5, tzinfo=timezone(timedelta(hours=3))),
        datetime(999, 5, 6, 7, 8, 9, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 11, 18, 12, 0, 0, 1, tzinfo=UTC),
    ):
        assert fast(value) == generic(value)
    with pytest.raises(ValueError, match="naive"):
        fast(datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        generic(datetime(2026, 1, 1))  # noqa: DTZ001


def test_utc_datetime_binds_as_before_elsewhere() -> None:
    dialect = postgresql.dialect()
    processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    at = datetime(2026, 11, 18, 13, tzinfo=timezone(timedelta(hours=1)))
    expected = _generic_bind(dialect)
    assert (processor(at) if processor else at) == (expected(at) if expected else at)


def test_sqlite_connections_are_set_up_for_the_engine(tmp_path: Any) -> None:
    """WAL with a writer lock taken up front, foreign keys enforced, scratch tables in memory
    and a page cache that holds the hot indexes (each pooled connection gets them)."""
    engine = build_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with engine.connect() as conn:
            settings = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in (
                    "journal_mode",
                    "foreign_keys",
                    "temp_store",
                    "cache_size",
                    "journal_size_limit",
                )
            }
    finally:
        engine.dispose()
    assert settings == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "temp_store": 2,  # MEMORY
        "cache_size": -PAGE_CACHE_KIB,
        "journal_size_limit": WAL_SIZE_LIMIT_BYTES,
    }
