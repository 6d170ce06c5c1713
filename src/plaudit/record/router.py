"""Record endpoints: ingest one or a batch, delete by external_id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from plaudit.award.presenter import present_award
from plaudit.award.service import get_awards
from plaudit.config import Settings
from plaudit.errors import FieldError, InvalidInput, PayloadTooLarge
from plaudit.http.deps import NowDep, SessionDep, SettingsDep, allow, current_principal
from plaudit.kit.roles import Principal, Role
from plaudit.kit.schemas import error_message
from plaudit.record import idempotency, service
from plaudit.record.schemas import (
    IngestResult,
    RecordIn,
    RecordParts,
    records_body_schema,
    valid_parts,
)

router = APIRouter(tags=["records"], dependencies=[allow(Role.admin, Role.ingest)])

RECORDS_BODY = Body(
    openapi_examples={
        "one": {
            "value": {
                "external_id": "deal-1",
                "member_id": 1,
                "occurred_at": "2026-11-18T10:00:00+00:00",
                "data": {"status": "Approved", "value": 12000},
            }
        },
        "batch": {
            "value": {
                "records": [
                    {
                        "member_external_id": "crm-7",
                        "occurred_at": "2026-11-18T10:00:00+00:00",
                        "data": {},
                    }
                ]
            }
        },
    }
)


async def raw_body(request: Request) -> bytes:
    return await request.body()


def parse_records(
    body: Any, limit: int
) -> tuple[list[tuple[int, RecordIn]], list[FieldError], list[tuple[int, RecordParts]]]:
    """One record, or {records: [...]}: the records that parse, the errors of the others,
    and the valid parts of those others (for the checks only the database can make)."""
    if not isinstance(body, dict):
        raise InvalidInput(
            detail='The body must be a record object or {"records": [...]}.', field="body"
        )
    batch = body.get("records") if set(body) == {"records"} else None
    raw_items = batch if batch is not None else [body]
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidInput(detail="'records' must be a non-empty list.", field="records")
    if len(raw_items) > limit:
        raise PayloadTooLarge(
            detail=f"A batch holds at most {limit} records; got "
            f"{len(raw_items)}. Split it into smaller batches."
        )
    items: list[tuple[int, RecordIn]] = []
    errors: list[FieldError] = []
    parts: list[tuple[int, RecordParts]] = []
    for index, raw in enumerate(raw_items):
        try:
            items.append((index, RecordIn.model_validate(raw)))
        except ValidationError as exc:
            failed = [tuple(p for p in err["loc"] if p is not None) for err in exc.errors()]
            for loc, err in zip(failed, exc.errors(), strict=True):
                errors.append(FieldError(("records", index, *loc), error_message(err)))
            valid, problem = valid_parts(raw, failed)
            if problem is not None:
                errors.append(FieldError(("records", index), problem))
            if valid is not None:
                parts.append((index, valid))
    return items, errors, parts


@router.post(
    "/sources/{key}/records",
    response_model=IngestResult,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": records_body_schema()}}}
    },
)
async def ingest_records(
    key: str,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    raw: Annotated[bytes, Depends(raw_body)],
    body: Annotated[Any, RECORDS_BODY],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The hottest route: its whole work, commit included, runs in ONE thread-pool hop (a
    `def` endpoint would take one hop to run, one to validate the answer, one to commit)."""
    return await run_in_threadpool(
        _ingest_and_commit, key, session, now, settings, raw, body, idempotency_key
    )


def _ingest_and_commit(
    key: str,
    session: Session,
    now: datetime,
    settings: Settings,
    raw: bytes,
    body: Any,
    idempotency_key: str | None,
) -> Response:
    scope = f"records:{key}"
    if idempotency_key:
        stored = idempotency.claim(session, scope, idempotency_key, idempotency.request_hash(raw))
        if stored is not None:
            session.commit()
            return JSONResponse(
                stored.body,
                status_code=stored.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
    parsed, errors, parts = parse_records(body, settings.max_batch_records)
    if errors:
        # Report every problem at once: the shape errors, and the member and data problems
        # of the records that parse and of the valid parts of those that do not.
        errors += service.record_problems(session, key, [*parsed, *parts])
        raise service.problems_error(errors)
    items = [item for _, item in parsed]
    outcome = service.ingest_records(session, key, items, now=now, zone=settings.zone)
    result = IngestResult(
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        awards=[present_award(a, now) for a in get_awards(session, outcome.award_ids)],
    )
    if idempotency_key:
        idempotency.remember(session, scope, idempotency_key, 200, result.model_dump(mode="json"))
    response = Response(result.model_dump_json(), media_type="application/json")
    # Commit before the answer is sent: a failed commit is the client's error answer.
    session.commit()
    return response


@router.delete("/sources/{key}/records/{external_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_record(
    key: str,
    external_id: str,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    actor: Annotated[Principal, Depends(current_principal)],
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """Delete a record; the audit log keeps who, why (`reason`) and what the record held."""
    service.delete_record(
        session, key, external_id, actor=actor, reason=reason, now=now, zone=settings.zone
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
