"""Ingesting records (create, update by external_id, no-op when unchanged) and deleting them,
with the engine applied in the same transaction."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, UniqueConstraint, bindparam, delete, select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.db.retry import retry_on_conflict
from plaudit.engine.apply import Change, apply_changes
from plaudit.engine.bulk import StagedChange, apply_bulk
from plaudit.engine.compiled import source_plan
from plaudit.engine.deltas import RecordFacts
from plaudit.engine.gate import enter_evaluation
from plaudit.errors import FieldError, InvalidInput, NotFound
from plaudit.kit.metrics import EVALUATION_SECONDS, RECORDS_INGESTED, count_after_commit
from plaudit.kit.roles import Principal
from plaudit.models import Member, Record, Source
from plaudit.notification.hook import notify_records
from plaudit.record.schemas import RecordIn, RecordParts
from plaudit.rules.canonical import checked_canonical_data
from plaudit.rules.model import FieldType
from plaudit.source.service import SourceSchema, get_source, source_schema
from plaudit.streak.awards import award_reached_streaks


@dataclass
class IngestOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    award_ids: list[int] = field(default_factory=list)


_MEMBER_IDS = select(cast(Table, Member.__table__).c.id).where(
    cast(Table, Member.__table__).c.id.in_(bindparam("ids", expanding=True))
)
"""Built once: the per-record path runs it for every request."""


def _resolve_members(
    session: Session, items: Sequence[RecordParts], errors: list[FieldError]
) -> list[int]:
    """Each item's member id (0 where it has no reference); an unknown member is an error."""
    ids = {i.member_id for i in items if i.member_id is not None}
    external = {i.member_external_id for i in items if i.member_external_id is not None}
    known_ids: set[int] = set()
    by_external: dict[str, int] = {}
    id_list, ext_list = sorted(ids), sorted(external)
    connection = session.connection()
    for start in range(0, len(id_list), 500):
        known_ids.update(
            connection.execute(_MEMBER_IDS, {"ids": id_list[start : start + 500]}).scalars()
        )
    for start in range(0, len(ext_list), 500):
        for found_id, ext in session.execute(
            select(Member.id, Member.external_id).where(
                Member.external_id.in_(ext_list[start : start + 500])
            )
        ):
            if ext is not None:
                by_external[ext] = found_id
    resolved: list[int] = []
    for index, item in enumerate(items):
        if item.member_id is not None:
            if item.member_id not in known_ids:
                errors.append(
                    FieldError(
                        ("records", index, "member_id"), f"member {item.member_id} does not exist"
                    )
                )
            resolved.append(item.member_id)
        elif item.member_external_id is None:
            resolved.append(0)  # only the valid parts of a record: no reference to check
        else:
            member_id = by_external.get(item.member_external_id)
            if member_id is None:
                errors.append(
                    FieldError(
                        ("records", index, "member_external_id"),
                        f"no member has external_id {item.member_external_id!r}",
                    )
                )
            resolved.append(member_id or 0)
    return resolved


def _check(
    session: Session, fields: dict[str, FieldType], items: Sequence[RecordParts]
) -> tuple[list[int], list[dict[str, Any]], list[FieldError]]:
    """Resolve members and check every record's data; errors are located by record index.
    Also gives each record's canonical data (meaningful without errors),
    from the same single coercion of each value."""
    errors: list[FieldError] = []
    members = _resolve_members(session, items, errors)
    datas: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        data, problems = checked_canonical_data(fields, item.data)
        datas.append(data)
        for problem in problems:
            errors.append(FieldError(("records", index, "data", *problem.loc), problem.message))
    return members, datas, errors


def problems_error(errors: list[FieldError]) -> InvalidInput:
    errors = sorted(errors, key=lambda e: (e.loc[1], [str(p) for p in e.loc[2:]]))
    shown = "; ".join(
        f"record {e.loc[1]}: {'.'.join(map(str, e.loc[2:]))}: {e.message}" for e in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return InvalidInput(
        detail=f"{len(errors)} problem(s) in the records; nothing was written: {shown}{more}",
        errors=errors,
    )


def record_problems(
    session: Session, source_key: str, parsed: Sequence[tuple[int, RecordParts]]
) -> list[FieldError]:
    """The data and member problems of already parsed records (or of the valid parts of
    records), located by original index."""
    source = get_source(session, source_key)
    fields = source.field_types()
    _, _, errors = _check(session, fields, [item for _, item in parsed])
    out = []
    for error in errors:
        position = error.loc[1]
        assert isinstance(position, int)
        out.append(FieldError(("records", parsed[position][0], *error.loc[2:]), error.message))
    return out


def validate_records(
    session: Session, source: Source, items: Sequence[RecordIn]
) -> list[tuple[int, str]]:
    """(index, message) for each problem, without writing anything (for bulk imports)."""
    fields = source.field_types()
    _, _, errors = _check(session, fields, items)
    out = []
    for error in errors:
        index = error.loc[1]
        assert isinstance(index, int)
        out.append((index, f"{'.'.join(map(str, error.loc[2:]))}: {error.message}"))
    return out


RECORD_KEY_CONSTRAINTS = frozenset(
    str(c.name)
    for c in cast(Table, Record.__table__).constraints
    if isinstance(c, UniqueConstraint)
)
"""The unique (source, external_id) key: two transactions inserting the same new record
collide on it, and the later one then compares with the earlier one's record instead."""

BULK_MIN_CHANGES = 64
"""Batches with at least this many changes take the set-based bulk path (``engine.bulk``);
smaller ones the per-record path. Both give the same records, progress and awards."""


def ingest_records(
    session: Session,
    source_key: str,
    items: Sequence[RecordIn],
    *,
    now: datetime,
    zone: ZoneInfo,
    bulk: bool | None = None,
) -> IngestOutcome:
    """All or nothing: every record is checked before anything is written. `bulk` forces
    the bulk (True) or the per-record (False) path; by default the batch's size decides."""

    def attempt() -> IngestOutcome:
        # The gate and the checks are part of the attempt: when the ingest is the first work
        # of its transaction, a conflict rolls all of it back (``db.retry``).
        enter_evaluation(session)
        source = source_schema(session, source_key)
        members, datas, errors = _check(session, source.fields, items)
        if errors:
            raise problems_error(errors)
        return _write_records(session, source, items, members, datas, now=now, zone=zone, bulk=bulk)

    return retry_on_conflict(session, attempt, unique_constraints=RECORD_KEY_CONSTRAINTS)


def _write_records(
    session: Session,
    source: SourceSchema,
    items: Sequence[RecordIn],
    members: Sequence[int],
    datas: Sequence[dict[str, Any]],
    *,
    now: datetime,
    zone: ZoneInfo,
    bulk: bool | None,
) -> IngestOutcome:
    """Compare the checked records with the stored ones (locked), write the differences and
    apply them to the engine. Run again from the start after a concurrent conflict, so every
    comparison is with what is committed and locked at that moment."""
    existing = _existing_by_external_id(session, source.id, items)
    outcome = IngestOutcome()
    changes: list[Change] = []
    change_rows: list[dict[str, Any] | None] = []  # the new record each change writes, if any
    new_rows: list[dict[str, Any]] = []
    pending: dict[str, dict[str, Any]] = {}
    for item, member_id, data in zip(items, members, datas, strict=True):
        facts = RecordFacts(member_id, item.occurred_at, data)
        ext = item.external_id
        before_row = pending.get(ext) if ext else None
        before_record = existing.get(ext) if ext and before_row is None else None
        before = (
            _facts_of_row(before_row)
            if before_row
            else (
                RecordFacts(before_record.member_id, before_record.occurred_at, before_record.data)
                if before_record
                else None
            )
        )
        if before is not None and before == facts:
            outcome.unchanged += 1
            continue
        changes.append((before, facts))
        change_rows.append(None if before_record is not None else before_row)
        row = {
            "source_id": source.id,
            "external_id": ext,
            "member_id": member_id,
            "occurred_at": item.occurred_at,
            "data": data,
            "created_at": now,
            "updated_at": now,
        }
        if before_record is not None:
            before_record.member_id, before_record.occurred_at = member_id, item.occurred_at
            before_record.data, before_record.updated_at = data, now
            outcome.updated += 1
        elif before_row is not None:
            before_row.update(row | {"created_at": before_row["created_at"]})
            outcome.updated += 1
        else:
            new_rows.append(row)
            change_rows[-1] = row
            if ext:
                pending[ext] = row
            outcome.created += 1
    use_bulk = bulk if bulk is not None else len(changes) >= BULK_MIN_CHANGES
    started = time.perf_counter()
    if use_bulk:
        session.flush()  # updates of stored records; the new ones are inserted from the stage
        plan = source_plan(session, source.key, zone)
        staged = _staged_changes(changes, change_rows, new_rows)
        outcome.award_ids = apply_bulk(session, plan, source.id, staged, now=now, zone=zone)
    else:
        if new_rows:
            session.connection().execute(cast(Table, Record.__table__).insert(), new_rows)
        session.flush()
        outcome.award_ids = apply_changes(session, source.key, changes, now=now, zone=zone)
    EVALUATION_SECONDS.labels("bulk" if use_bulk else "per_record").observe(
        time.perf_counter() - started
    )
    count_after_commit(session, RECORDS_INGESTED.labels(source.key), len(changes))
    outcome.award_ids += notify_records(session, source.key, changes, now=now, zone=zone)
    touched = {facts.member_id for change in changes for facts in change if facts is not None}
    outcome.award_ids += award_reached_streaks(session, source.key, touched, now=now, zone=zone)
    return outcome


def _staged_changes(
    changes: Sequence[Change],
    change_rows: Sequence[dict[str, Any] | None],
    new_rows: Sequence[dict[str, Any]],
) -> list[StagedChange]:
    """The changes, the last one of each new record marked with the record's position among
    the new records (its final version is what gets inserted, in that order)."""
    order = {id(row): i for i, row in enumerate(new_rows)}
    last = {id(row): i for i, row in enumerate(change_rows) if row is not None}
    out = []
    for i, ((before, after), row) in enumerate(zip(changes, change_rows, strict=True)):
        final = row is not None and last[id(row)] == i
        out.append(
            StagedChange(
                before,
                after,
                external_id=row["external_id"] if row is not None else None,
                new_order=order[id(row)] if final and row is not None else None,
            )
        )
    return out


def _facts_of_row(row: dict[str, Any]) -> RecordFacts:
    return RecordFacts(row["member_id"], row["occurred_at"], row["data"])


def _existing_by_external_id(
    session: Session, source_id: int, items: Sequence[RecordIn]
) -> dict[str, Record]:
    ext_ids = sorted({i.external_id for i in items if i.external_id})
    found: dict[str, Record] = {}
    for start in range(0, len(ext_ids), 500):
        for record in session.scalars(
            select(Record)
            .where(
                Record.source_id == source_id, Record.external_id.in_(ext_ids[start : start + 500])
            )
            .with_for_update()
            # The locked row as it is now, not as an earlier (undone) attempt left it in the
            # session: a concurrent transaction may have changed it in between.
            .execution_options(populate_existing=True)
        ):
            assert record.external_id is not None
            found[record.external_id] = record
    return found


def delete_record(
    session: Session,
    source_key: str,
    external_id: str,
    *,
    actor: Principal,
    reason: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Delete a record and take its contribution out of every running aggregate; the audit
    log keeps who deleted it, why and what it held (see `delete_record_by_id`)."""
    enter_evaluation(session)
    source = get_source(session, source_key)
    record = session.scalars(
        select(Record)
        .where(Record.source_id == source.id, Record.external_id == external_id)
        .with_for_update()
    ).first()
    if record is None:
        raise NotFound(
            detail=f"Source {source_key!r} has no record with external_id {external_id!r}.",
            code="record_not_found",
        )
    _delete(session, source, record, actor=actor, reason=reason, now=now, zone=zone)


def delete_record_by_id(
    session: Session,
    source_key: str,
    record_id: int,
    *,
    actor: Principal,
    reason: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Delete a record chosen by its id (a record need not have an external_id), as a person
    does from the pages: the engine re-evaluates as for `delete_record`, and the audit log
    keeps who deleted what and why (its data included, since the record is gone)."""
    enter_evaluation(session)
    source = get_source(session, source_key)
    record = session.scalars(
        select(Record)
        .where(Record.source_id == source.id, Record.id == record_id)
        .with_for_update()
    ).first()
    if record is None:
        raise NotFound(
            detail=f"Source {source.name!r} has no record {record_id}: it may be deleted already.",
            code="record_not_found",
        )
    _delete(session, source, record, actor=actor, reason=reason, now=now, zone=zone)


def _delete(
    session: Session,
    source: Source,
    record: Record,
    *,
    actor: Principal,
    reason: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    record_event(
        session,
        actor,
        "record.delete",
        "record",
        record.id,
        at=now,
        reason=reason,
        details={
            "source": source.key,
            "external_id": record.external_id,
            "member_id": record.member_id,
            "occurred_at": record.occurred_at.isoformat(),
            "data": record.data,
        },
    )
    before = RecordFacts(record.member_id, record.occurred_at, record.data)
    session.execute(delete(Record).where(Record.id == record.id))
    apply_changes(session, source.key, [(before, None)], now=now, zone=zone)
