"""Members named by name in a bulk list (the pages accept a `name` column, the API does not):
resolved without regard to case or repeated spaces, non-ASCII capitals included, on both
databases; a name two members share, an unknown name and an empty cell are reported."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from plaudit.bulk.parsing import MemberKey, parse_bulk_csv, parse_member_list
from plaudit.bulk.service import resolve_names
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.errors import InvalidInput
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member

UTC = ZoneInfo("UTC")


def test_names_resolve_to_members_or_say_why_not(clean_db: Engine) -> None:
    with unit_of_work(build_sessionmaker(clean_db)) as session:
        ada = create_member(session, MemberCreate(name="Ada Lovelace")).id
        eva = create_member(session, MemberCreate(name="Éva Łukasik")).id
        for _ in range(2):
            create_member(session, MemberCreate(name="Sam Lee"))
        data = "name,note\nada  LOVELACE,\néVA łUKASIK,\nSam Lee,\nNobody,\n,hello\n".encode()
        key, rows = parse_member_list(data, zone=UTC)
        assert key is None
        file, unmatched = resolve_names(session, rows)
    assert file.identified_by is MemberKey.member_id
    assert [(r.row, r.value) for r in file.rows] == [(2, str(ada)), (3, str(eva))]
    assert [(u.row, u.reason) for u in unmatched] == [
        (4, "2 members are called 'Sam Lee': use their external id or email"),
        (5, "no member is called 'Nobody'"),
        (6, "the name cell is empty"),
    ]


def test_an_id_column_wins_over_names_and_the_api_takes_no_names() -> None:
    key, rows = parse_member_list(b"name,email\nAda,ada@example.com\n", zone=UTC)
    assert key is MemberKey.email and rows[0].value == "ada@example.com"
    with pytest.raises(InvalidInput, match="expected one of member_id, external_id or email"):
        parse_bulk_csv(b"name\nAda\n", zone=UTC)
    with pytest.raises(InvalidInput, match="expected one of external_id, email or name"):
        parse_member_list(b"phone\n555\n", zone=UTC)
