"""Dead letters: listing them, and retrying one through the ingest service after a fix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.errors import InvalidInput, NotFound, not_found
from plaudit.intake.messages import Undecodable, raw_records, source_key_of
from plaudit.kit.roles import Principal
from plaudit.kit.schemas import error_message
from plaudit.models import IntakeDeadLetter
from plaudit.record.schemas import RecordIn
from plaudit.record.service import IngestOutcome, ingest_records


def list_dead_letters(
    session: Session,
    *,
    resolved: bool | None = None,
    source: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> Sequence[IntakeDeadLetter]:
    """Newest first."""
    query = select(IntakeDeadLetter).order_by(IntakeDeadLetter.id.desc()).limit(limit)
    if resolved is not None:
        query = query.where(IntakeDeadLetter.resolved.is_(resolved))
    if source is not None:
        query = query.where(IntakeDeadLetter.source_key == source)
    if before_id is not None:
        query = query.where(IntakeDeadLetter.id < before_id)
    return session.scalars(query).all()


def get_dead_letter(session: Session, letter_id: int) -> IntakeDeadLetter:
    letter = session.get(IntakeDeadLetter, letter_id)
    if letter is None:
        raise not_found("dead letter", letter_id)
    return letter


def _records(letter: IntakeDeadLetter) -> tuple[str, list[RecordIn]]:
    try:
        source_key = source_key_of(letter.subject)
        items = raw_records(letter.payload)
    except Undecodable as exc:
        raise InvalidInput(detail=f"The message still cannot apply: {exc}.") from exc
    records, problems = [], []
    for index, raw in enumerate(items):
        try:
            records.append(RecordIn.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "record"
                problems.append(f"record {index}: {where}: {error_message(err)}")
    if problems:
        raise InvalidInput(detail="The message still cannot apply: " + "; ".join(problems))
    return source_key, records


def retry_dead_letter(
    session: Session,
    letter_id: int,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
) -> IngestOutcome:
    """Apply the stored message (or slice) now; all or nothing. InvalidInput with the
    problem when it still cannot apply (the caller's transaction then writes nothing)."""
    letter = get_dead_letter(session, letter_id)
    if letter.resolved:
        raise InvalidInput(detail=f"Dead letter {letter_id} was applied already.")
    source_key, records = _records(letter)
    try:
        outcome = ingest_records(
            session, source_key, records, now=now, zone=zone, bulk=len(records) > 1
        )
    except NotFound as exc:
        raise InvalidInput(detail=f"The message still cannot apply: {exc.detail}") from exc
    except InvalidInput as exc:
        raise InvalidInput(
            detail=f"The message still cannot apply: {exc.detail}", errors=exc.errors
        ) from exc
    letter.resolved, letter.retried_at = True, now
    record_event(
        session,
        actor,
        "intake.retry",
        "intake_dead_letter",
        letter.id,
        at=now,
        details={"stream": letter.stream, "sequence": letter.sequence, "source": source_key},
    )
    return outcome
