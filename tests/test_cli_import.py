"""`plaudit import`: CSV and JSON Lines through the engine, on SQLite and PostgreSQL.

Awards must come out exactly as when the same records are posted to the API; re-importing
is a no-op; a file with bad rows writes nothing unless --skip-bad is given.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from plaudit.cli.main import app
from tests.conftest import Api, _truncate_all
from tests.engine.helpers import (
    DEALS_50K_EUR,
    FIVE_CAMPAIGNS,
    PROFILE_ONCE,
    achievement,
    seed_sources,
)

SUMMARY = re.compile(
    r"Imported (\d+) record\(s\) into '(\w+)': (\d+) created, (\d+) updated, (\d+) unchanged; "
    r"(\d+) award\(s\) given; (\d+) bad row\(s\) skipped\."
)
MEMBERS = ("crm-ann", "crm-bob", "crm-cat")


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("PLAUDIT_TIMEZONE", "PLAUDIT_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return {"PLAUDIT_DATABASE_URL": database_url}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, ["import", *args], env=env)


def reported_problems(result: Result) -> list[str]:
    """The problem lines of an import's report, in order."""
    return [line.strip() for line in result.stderr.splitlines() if line.startswith("  row")]


def summary(result: Result) -> tuple[int, ...]:
    match = SUMMARY.search(result.stdout)
    assert match, (result.stdout, result.stderr)
    return tuple(int(g) if g.isdigit() else 0 for g in match.groups())


def set_up(admin: Api) -> dict[str, int]:
    """The seed's sources, three members and achievements of every kind the engine has."""
    seed_sources(admin)
    ids = {
        ext: admin.ok("POST", "/members", 201, json={"name": ext[4:].title(), "external_id": ext})[
            "id"
        ]
        for ext in MEMBERS
    }
    achievement(admin, "profile", [[PROFILE_ONCE]])
    achievement(admin, "campaigner", [[FIVE_CAMPAIGNS]], points=40)
    achievement(admin, "big-dealer", [[DEALS_50K_EUR]], points=250)
    achievement(admin, "all-rounder", [[PROFILE_ONCE, FIVE_CAMPAIGNS], [DEALS_50K_EUR]])
    calls = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 3}
    achievement(admin, "caller", [[calls]], repeatable=True, points=5)
    busy = {**calls, "where": [{"field": "minutes", "op": "gte", "value": 10}], "value": 2}
    achievement(admin, "busy-week", [[busy]], category="membership", period="week")
    achievement(admin, "first-closer", [[DEALS_50K_EUR]], category="record", period="month")
    return ids


def records(ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """Records over two weeks and two months; deals are re-sent (an update) within the file."""
    ann, bob, cat = (ids[m] for m in MEMBERS)
    out: dict[str, list[dict[str, Any]]] = {
        "company_profile_updated": [
            {"external_id": "p-ann", "member_id": ann, "occurred_at": "2026-10-02T09:00:00Z"},
            {"external_id": "p-cat", "member_id": cat, "occurred_at": "2026-11-17T09:00:00Z"},
        ],
        "campaign_activations": [],
        "deals": [],
        "calls": [],
    }
    for n, campaign in enumerate(["c1", "c2", "c2", "c3", "c4", "c5", "c6"]):
        out["campaign_activations"].append(
            {
                "external_id": f"a-ann-{n}",
                "member_external_id": "crm-ann",
                "occurred_at": f"2026-11-{n + 1:02d}T12:00:00+01:00",
                "data": {"campaign_id": campaign},
            }
        )
    for ext, member, status, currency, value, day in [
        ("d0", "crm-bob", "Approved", "EUR", 30000, "2026-10-20"),
        ("d1", "crm-bob", "Approved", "USD", 40000, "2026-10-21"),
        ("d2", "crm-bob", "Pending", "EUR", 25000, "2026-11-03"),
        ("d3", "crm-cat", "Approved", "EUR", 60000.5, "2026-11-04"),
        ("d2", "crm-bob", "Approved", "EUR", 25000, "2026-11-03"),  # d2 again: now approved
    ]:
        out["deals"].append(
            {
                "external_id": ext,
                "member_external_id": member,
                "occurred_at": f"{day}T15:30:00Z",
                "data": {
                    "type": "new",
                    "stage": "closed won",
                    "currency": currency,
                    "status": status,
                    "value": value,
                    "close_date": day,
                },
            }
        )
    for n in range(9):
        member = (ann, bob)[n % 2]
        out["calls"].append(
            {
                "external_id": f"call-{n}",
                "member_id": member,
                "occurred_at": f"2026-11-{9 + n:02d}T08:00:00Z",
                "data": {"minutes": 5 + 3 * n, "outcome": "connected, then a meeting"},
            }
        )
    return out


def write_csv(path: Path, fields: list[str], rows: list[dict[str, Any]]) -> Path:
    columns = ["external_id", "member_id", "member_external_id", "occurred_at", *fields]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            cells = {**row, **row.get("data", {})}
            writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


SOURCE_FIELDS = {
    "company_profile_updated": [],
    "campaign_activations": ["campaign_id"],
    "deals": ["type", "stage", "currency", "status", "value", "close_date"],
    "calls": ["minutes", "outcome"],
}
Writer = Callable[[Path, str, list[dict[str, Any]]], Path]
WRITERS: dict[str, Writer] = {
    "csv": lambda d, s, rows: write_csv(d / f"{s}.csv", SOURCE_FIELDS[s], rows),
    "jsonl": lambda d, s, rows: write_jsonl(d / f"{s}.jsonl", rows),
}


def awards_by_name(admin: Api) -> list[tuple[Any, ...]]:
    """Every award, named by achievement key and member external_id (ids differ between runs)."""
    keys = {a["id"]: a["key"] for a in admin.ok("GET", "/achievements")}
    people = {m["id"]: m["external_id"] for m in admin.ok("GET", "/members")}
    return sorted(
        (
            keys[a["achievement_id"]],
            people[a["member_id"]],
            a["period_start"],
            a["period_end"],
            a["completion"],
            a["points"],
            a["source"],
            a["revoked"],
        )
        for a in admin.ok("GET", "/awards")
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_import_awards_exactly_as_the_api_and_reimport_changes_nothing(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    ids = set_up(admin)
    files = {s: WRITERS[fmt](tmp_path, s, rows) for s, rows in records(ids).items()}
    totals = [0, 0, 0, 0]
    for source, path in files.items():
        result = run(cli_env, source, str(path), "--batch-size", "2")
        assert result.exit_code == 0, (result.stdout, result.stderr)
        count, _, created, updated, unchanged, awards, bad = summary(result)
        assert bad == 0
        assert count == created + updated + unchanged
        totals = [t + v for t, v in zip(totals, (created, updated, unchanged, awards), strict=True)]
    imported = awards_by_name(admin)
    assert totals == [2 + 7 + 4 + 9, 1, 0, len(imported)]

    # The same records through the API, into the same (emptied) database.
    _truncate_all(clean_db)
    api_ids = set_up(admin)
    for source, rows in records(api_ids).items():
        admin.ok("POST", f"/sources/{source}/records", json={"records": rows})
    assert awards_by_name(admin) == imported
    assert {(a[0], a[1]) for a in imported} >= {
        ("profile", "crm-ann"),
        ("profile", "crm-cat"),
        ("campaigner", "crm-ann"),
        ("all-rounder", "crm-ann"),
        ("big-dealer", "crm-bob"),  # 30,000 + 25,000 approved EUR once d2 is approved
        ("big-dealer", "crm-cat"),
        ("all-rounder", "crm-bob"),
        ("first-closer", "crm-cat"),  # Bob never reaches 50,000 EUR within one month
        ("caller", "crm-ann"),
        ("busy-week", "crm-bob"),
    }

    # Import the API run's files again: nothing changes, nothing is given twice.
    _truncate_all(clean_db)
    ids = set_up(admin)
    files = {s: WRITERS[fmt](tmp_path, s, rows) for s, rows in records(ids).items()}
    for source, path in files.items():
        assert run(cli_env, source, str(path)).exit_code == 0
    before = awards_by_name(admin)
    assert before == imported
    for source, path in files.items():
        result = run(cli_env, source, str(path))
        assert result.exit_code == 0, result.stderr
        count, _, created, updated, unchanged, awards, bad = summary(result)
        # The file sends d2 twice (Pending, then Approved): both rows update it again.
        changed = 2 if source == "deals" else 0
        assert (created, updated, unchanged, awards, bad) == (0, changed, count - changed, 0, 0)
    assert awards_by_name(admin) == before


def test_a_dry_run_says_what_the_import_would_do_and_writes_nothing(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    ids = set_up(admin)
    path = write_jsonl(tmp_path / "deals.jsonl", records(ids)["deals"])
    dry = run(cli_env, "deals", str(path), "--dry-run", "--batch-size", "2")
    assert dry.exit_code == 0, dry.stderr
    match = re.search(
        r"Would import (\d+) record\(s\) into 'deals': (\d+) created, (\d+) updated, "
        r"(\d+) unchanged; (\d+) award\(s\) would be given; 0 bad row\(s\) skipped\. "
        r"Dry run: nothing was written\.",
        dry.stdout,
    )
    assert match, dry.stdout
    predicted = tuple(int(g) for g in match.groups())
    assert predicted[4] > 0  # the file earns awards: the dry run ran the engine
    assert (count_rows(clean_db, "records"), count_rows(clean_db, "awards")) == (0, 0)

    real = run(cli_env, "deals", str(path), "--batch-size", "2")
    assert real.exit_code == 0, real.stderr
    count, _, created, updated, unchanged, awards, _ = summary(real)
    assert (count, created, updated, unchanged, awards) == predicted
    assert count_rows(clean_db, "awards") == awards


def test_reimport_with_a_changed_row_updates_it_and_the_awards_follow(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    set_up(admin)
    header = "external_id,member_external_id,occurred_at,status,currency,value\n"
    path = tmp_path / "deals.csv"
    path.write_text(header + "x1,crm-ann,2026-11-18T10:00:00Z,Pending,EUR,50000\n")
    assert summary(run(cli_env, "deals", str(path)))[2:6] == (1, 0, 0, 0)
    assert summary(run(cli_env, "deals", str(path)))[2:6] == (0, 0, 1, 0)
    path.write_text(header + "x1,crm-ann,2026-11-18T10:00:00Z,Approved,EUR,50000\n")
    result = run(cli_env, "deals", str(path))
    assert summary(result)[2:6] == (0, 1, 0, 3)  # big-dealer, all-rounder, first-closer
    assert {a[0] for a in awards_by_name(admin)} == {"big-dealer", "all-rounder", "first-closer"}


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


BAD_CSV = (
    "external_id,member_id,member_external_id,occurred_at,status,currency,value,close_date\r\n"
    "ok-1,,crm-ann,2026-11-18T10:00:00Z,Approved,EUR,60000,2026-11-18\r\n"
    'bad-1,,crm-ann,2026-11-18T10:00:00,"Approved\r\nreally",EUR,lots,2026-13-01\r\n'
    "bad-2,,crm-nobody,2026-11-18T10:00:00Z,Approved,EUR,1,\r\n"
    "\r\n"
    "bad-3,{bob},crm-bob,2026-11-18T10:00:00Z,Approved,EUR,1,\r\n"
    "bad-4,{bob},,2026-11-18T10:00:00Z\r\n"
    "ok-2,{bob},,2026-11-18T11:00:00+01:00,Approved,EUR,-2.5e3,\r\n"
)


def test_a_file_with_bad_rows_writes_nothing_and_names_row_line_and_field(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    ids = set_up(admin)
    path = tmp_path / "deals.csv"
    path.write_text(BAD_CSV.format(bob=ids["crm-bob"]), newline="")
    result = run(cli_env, "deals", str(path))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.stderr
    problems = reported_problems(result)
    assert problems == [
        "row 2 (line 3), data.close_date: 'close_date' is a date field: expected an ISO date "
        "such as '2024-05-31', got '2026-13-01'",
        "row 2 (line 3), data.value: 'value' is a number field: expected a number such as 42 "
        "or 12.5, got 'lots'",
        "row 2 (line 3), occurred_at: needs an offset (Z or +01:00, say), e.g. "
        "2026-11-18T10:00:00+01:00: a date or a time without one is ambiguous",
        "row 3 (line 5), member_external_id: no member has external_id 'crm-nobody'",
        "row 4 (line 7), row: give exactly one of member_id and member_external_id",
        "row 5 (line 8), row: has 4 cells; the header has 8 columns",
    ]
    assert (count_rows(clean_db, "records"), count_rows(clean_db, "awards")) == (0, 0)

    skipped = run(cli_env, "deals", str(path), "--skip-bad")
    assert skipped.exit_code == 0, skipped.stderr
    assert "row 5 (line 8)" in skipped.stderr
    assert summary(skipped)[0] == 2
    assert summary(skipped)[2:] == (2, 0, 0, 3, 4)  # Ann's 60,000 EUR: three achievements
    assert count_rows(clean_db, "records") == 2


def test_member_ids_are_whole_numbers_in_csv_and_json_numbers_in_json_lines(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A CSV cell is text, so " 7 " is the member 7; "7.0" is not. JSON Lines take the API's
    types: "7" (a string) is not a member id, as `POST /sources/{key}/records` refuses it."""
    ids = set_up(admin)
    ann = ids["crm-ann"]
    at = "2026-11-18T10:00:00+00:00"
    csv_path = tmp_path / "calls.csv"
    csv_path.write_text(
        f"member_id,occurred_at,minutes\n {ann} ,{at},5\n{ann}.0,{at},5\n", newline=""
    )
    result = run(cli_env, "calls", str(csv_path))
    assert result.exit_code == 1
    assert "row 2 (line 3), member_id: Input should be a valid integer" in result.stderr
    assert count_rows(clean_db, "records") == 0
    assert run(cli_env, "calls", str(csv_path), "--skip-bad").exit_code == 0
    assert count_rows(clean_db, "records") == 1

    lines = [
        {"member_id": ann, "occurred_at": at, "data": {"minutes": 5}},
        {"member_id": str(ann), "occurred_at": at, "data": {"minutes": 5}},
    ]
    result = run(cli_env, "calls", str(write_jsonl(tmp_path / "calls.jsonl", lines)))
    assert result.exit_code == 1
    assert "row 2 (line 2), member_id: Input should be a valid integer" in result.stderr
    assert count_rows(clean_db, "records") == 1


def test_every_problem_of_a_row_is_named_at_once(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A row with a bad cell or a bad time still has its member looked up and its data
    checked: one report, one round of fixes."""
    set_up(admin)
    csv_path = tmp_path / "calls.csv"
    csv_path.write_text(
        "member_external_id,occurred_at,minutes\ncrm-nobody,2026-11-18T10:00:00Z,five\n",
        newline="",
    )
    result = run(cli_env, "calls", str(csv_path))
    assert result.exit_code == 1
    problems = reported_problems(result)
    assert problems == [
        "row 1 (line 2), data.minutes: 'minutes' is a number field: expected a number such as "
        "42 or 12.5, got 'five'",
        "row 1 (line 2), member_external_id: no member has external_id 'crm-nobody'",
    ]

    lines = [
        {"member_id": 999, "occurred_at": "2026-11-18", "data": {"minutes": "five"}},
        {"member_id": 998, "member_external_id": "crm-ann", "data": {"colour": "red"}},
    ]
    result = run(cli_env, "calls", str(write_jsonl(tmp_path / "calls.jsonl", lines)))
    assert result.exit_code == 1
    problems = reported_problems(result)
    assert problems == [
        "row 1 (line 1), data.minutes: 'minutes' is a number field: expected a number, got 'five'",
        "row 1 (line 1), member_id: member 999 does not exist",
        "row 1 (line 1), occurred_at: needs an offset (Z or +01:00, say), e.g. "
        "2026-11-18T10:00:00+01:00: a date or a time without one is ambiguous",
        "row 2 (line 2), data.colour: unknown field 'colour'; this source's fields: minutes, "
        "outcome",
        "row 2 (line 2), occurred_at: Field required; expected ISO 8601 with an offset, e.g. "
        "2026-11-18T10:00:00+01:00",
        "row 2 (line 2), row: give exactly one of member_id and member_external_id",
    ]
    assert count_rows(clean_db, "records") == 0


def test_a_file_is_checked_and_imported_a_batch_at_a_time(
    admin: Api,
    clean_db: Engine,
    cli_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One reading of the file, a batch at a time: problems are counted over every batch and
    shown in row order up to the limit; without --skip-bad the batches imported before a bad
    row are taken back, with it the good rows of every batch are imported."""
    monkeypatch.setattr("plaudit.cli.records.SHOWN_PROBLEMS", 3)
    ids = set_up(admin)
    at = "2026-11-18T10:00:00+00:00"
    lines = [
        {"member_id": 999 if i % 3 == 0 else ids["crm-ann"], "occurred_at": at}
        for i in range(1, 11)
    ]
    path = write_jsonl(tmp_path / "calls.jsonl", lines)
    result = run(cli_env, "calls", str(path), "--batch-size", "2")
    assert result.exit_code == 1
    assert "3 problem(s) in 3 row(s):" in result.stderr
    assert reported_problems(result) == [
        f"row {n} (line {n}), member_id: member 999 does not exist" for n in (3, 6, 9)
    ]
    assert count_rows(clean_db, "records") == 0
    monkeypatch.setattr("plaudit.cli.records.SHOWN_PROBLEMS", 2)
    result = run(cli_env, "calls", str(path), "--skip-bad", "--batch-size", "3")
    assert result.exit_code == 0, result.stderr
    assert "  ... and 1 more" in result.stderr
    assert summary(result)[:3] == (7, 0, 7)
    assert count_rows(clean_db, "records") == 7


def test_a_file_that_turns_unreadable_half_way_writes_nothing(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """Batches are imported as the file is read: a malformed row after them takes back
    everything, and says where."""
    ids = set_up(admin)
    good = f"{ids['crm-ann']},2026-11-18T10:00:00Z,5\n" * 4
    path = tmp_path / "calls.csv"
    path.write_text(f'member_id,occurred_at,minutes\n{good}1,"never closed\n', newline="")
    result = run(cli_env, "calls", str(path), "--batch-size", "1")
    assert result.exit_code == 1
    assert "quoted cell that is never closed" in result.stderr
    assert "Nothing was imported." in result.stderr
    assert count_rows(clean_db, "records") == 0


def stored_data(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id, data FROM records")).all()
    return {r[0]: r[1] if isinstance(r[1], dict) else json.loads(r[1]) for r in rows}


def test_csv_cells_are_typed_by_the_source_fields(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    set_up(admin)
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "visits",
            "name": "Visits",
            "fields": [
                {"name": "count", "type": "number"},
                {"name": "paid", "type": "boolean"},
                {"name": "day", "type": "date"},
                {"name": "at", "type": "datetime"},
                {"name": "note", "type": "string"},
            ],
        },
    )
    path = tmp_path / "visits.csv"
    content = (
        "\ufeff occurred_at , member_external_id,external_id,count,paid,day,at,note\r\n"
        '2026-11-18T10:00:00Z,crm-ann,v1, 7 ,Yes,2026-11-18,2026-11-18T10:00:00+01:00,"a, b\r\n'
        'and ""c"""\r\n'
        "2026-11-18T10:00:00Z,crm-ann,v2,1.50,0,,,  spaced  \r\n"
        "2026-11-18T10:00:00Z,crm-ann,v3,-4,false,,,\r\n"
    )
    path.write_bytes(content.encode("utf-8"))
    result = run(cli_env, "visits", str(path))
    assert result.exit_code == 0, result.stderr
    assert stored_data(clean_db) == {
        "v1": {
            "count": 7,
            "paid": True,
            "day": "2026-11-18",
            "at": "2026-11-18T09:00:00.000000+00:00",
            "note": 'a, b\r\nand "c"',
        },
        "v2": {"count": 1.5, "paid": False, "note": "  spaced  "},
        "v3": {"count": -4, "paid": False},
    }
    for cell, problem in [
        ("nan", "expected a finite number"),
        ("1,5", "has 4 cells; the header has 3 columns"),
        ("maybe", None),
    ]:
        bad = tmp_path / "bad.csv"
        column = "paid" if cell == "maybe" else "count"
        bad.write_text(f"occurred_at,member_id,{column}\n2026-11-18T10:00:00Z,1,{cell}\n")
        result = run(cli_env, "visits", str(bad))
        assert result.exit_code == 1
        assert (problem or "expected true/false, yes/no or 1/0") in result.stderr


def test_files_that_cannot_be_imported(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    set_up(admin)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("member_id,occurred_at,minutes\r\n")
    blank_jsonl = tmp_path / "blank.jsonl"
    blank_jsonl.write_text("\n\n")
    for path in (empty, header_only, blank_jsonl):
        result = run(cli_env, "calls", str(path))
        assert result.exit_code == 0, result.stderr
        assert "No records" in result.stdout

    unknown_column = tmp_path / "colour.csv"
    unknown_column.write_text("member_id,occurred_at,colour\n1,2026-11-18T10:00:00Z,red\n")
    missing_time = tmp_path / "no-time.csv"
    missing_time.write_text("member_id,minutes\n1,3\n")
    no_member = tmp_path / "no-member.csv"
    no_member.write_text("occurred_at,minutes\n2026-11-18T10:00:00Z,3\n")
    twice = tmp_path / "twice.csv"
    twice.write_text("member_id,occurred_at,minutes,minutes\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        "member_id,occurred_at,outcome\n1,2026-11-18T10:00:00Z,réussi\n".encode("latin-1")
    )
    for path, message in [
        (unknown_column, "Unknown column(s) 'colour'"),
        (missing_time, "no 'occurred_at' column"),
        (no_member, "'member_id' or a 'member_external_id' column"),
        (twice, "named more than once in the header: minutes"),
        (latin1, "is not UTF-8 text"),
    ]:
        result = run(cli_env, "calls", str(path))
        assert result.exit_code == 1, result.stdout
        assert message in result.stderr
        assert "Nothing was imported" in result.stderr

    jsonl = tmp_path / "calls.jsonl"
    jsonl.write_text('[1, 2]\n{"member_id": 1,\n"just text"\n')
    result = run(cli_env, "calls", str(jsonl))
    assert result.exit_code == 1
    assert "row 1 (line 1), row: expected a JSON object" in result.stderr
    assert "row 2 (line 2), row: not JSON" in result.stderr
    assert "row 3 (line 3), row: expected a JSON object" in result.stderr

    missing = run(cli_env, "calls", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2
    assert "Invalid value for 'file'" in missing.stderr
    unknown = run(cli_env, "nope", str(header_only))
    assert unknown.exit_code == 1
    assert "Unknown source 'nope'" in unknown.stderr
    assert "calls" in unknown.stderr
    bad_format = run(cli_env, "calls", str(header_only), "--format", "xml")
    assert bad_format.exit_code == 2
    assert count_rows(clean_db, "records") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "external_id,member_external_id,occurred_at,outcome\n"
            'q2,crm-ann,2026-11-20T10:00:00Z,"no closing quote\n',
            "the row starting on line 2 has a quoted cell that is never closed",
        ),
        (
            "external_id,member_external_id,occurred_at,outcome\r\n"
            "q1,crm-ann,2026-11-20T10:00:00Z,fine\r\n"
            'q2,crm-bob,2026-11-20T10:00:00Z,"opened\r\nand\r\nnever closed\r\n'
            "q3,crm-cat,2026-11-20T10:00:00Z,swallowed\r\n",
            "the row starting on line 3 has a quoted cell that is never closed",
        ),
        (
            "external_id,member_external_id,occurred_at,outcome\n"
            "q1,crm-ann,2026-11-20T10:00:00Z,fine\n"
            '\nq2,crm-bob,2026-11-20T10:00:00Z,"said "hello"",\n',
            'line 4: a quoted cell has text after its closing "',
        ),
        (
            "external_id,member_external_id,occurred_at,outcome\n"
            'q1,crm-ann,2026-11-20T10:00:00Z,"two\nlines"x\n',
            'line 3, in the row starting on line 2: a quoted cell has text after its closing "',
        ),
    ],
)
@pytest.mark.parametrize("skip_bad", [False, True])
def test_a_malformed_csv_is_refused_whole_naming_the_line(
    admin: Api,
    clean_db: Engine,
    cli_env: dict[str, str],
    tmp_path: Path,
    content: str,
    message: str,
    skip_bad: bool,
) -> None:
    """A quote that is never closed would swallow the rest of the file into one cell: the
    file is refused, whatever --skip-bad says, since where its rows end cannot be known."""
    set_up(admin)
    path = tmp_path / "calls.csv"
    path.write_bytes(content.encode())
    result = run(cli_env, "calls", str(path), *(["--skip-bad"] if skip_bad else []))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert f"{path} is not valid CSV: {message}" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert count_rows(clean_db, "records") == 0


def test_progress_goes_to_stderr_and_the_summary_to_stdout(
    admin: Api, clean_db: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    ids = set_up(admin)
    rows = [
        {"member_id": ids["crm-ann"], "occurred_at": "2026-11-18T10:00:00Z", "data": {"minutes": 1}}
    ] * 5
    path = write_jsonl(tmp_path / "calls.ndjson", rows)
    result = run(cli_env, "calls", str(path), "--batch-size", "2")
    assert result.exit_code == 0, result.stderr
    assert "Importing into calls" in result.stderr  # CliRunner is no terminal: a plain line
    assert result.stdout.strip().splitlines()[-1].startswith("Imported 5 record(s)")
    assert summary(result)[2:] == (5, 0, 0, 1, 0)  # records without external_id: all new
