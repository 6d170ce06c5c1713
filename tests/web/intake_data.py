"""Dead letters for the streaming-intake page, written as `plaudit consume` writes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import IntakeDeadLetter

LATE = "crm-late-joiner"


def dead_letters(engine: Engine) -> dict[str, int]:
    """One for a member not created yet (fixable), one that is not JSON (never fixable)."""
    at = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    missing = {
        "member_external_id": LATE,
        "external_id": "deal-77",
        "occurred_at": "2026-11-18T10:00:00+00:00",
        "data": {"status": "Approved", "value": 1250},
    }
    rows = {
        "missing_member": IntakeDeadLetter(
            stream="PLAUDIT_RECORDS",
            partitions=4,
            partition=2,
            sequence=41,
            subject="plaudit.records.deals",
            source_key="deals",
            payload=json.dumps({"records": [missing]}),
            problem="1 problem(s) in the records; nothing was written: record 0: "
            f"member_external_id: no member has external_id '{LATE}'",
            created_at=at,
            resolved=False,
        ),
        "bad_json": IntakeDeadLetter(
            stream="PLAUDIT_RECORDS",
            partitions=4,
            partition=0,
            sequence=40,
            subject="plaudit.records.deals",
            source_key=None,
            payload='{"records": [',
            problem="the message is not JSON: Expecting value: line 1 column 14 (char 13)",
            created_at=at,
            resolved=False,
        ),
    }
    with unit_of_work(build_sessionmaker(engine)) as session:
        session.add_all(rows.values())
        session.flush()
        return {name: row.id for name, row in rows.items()}
