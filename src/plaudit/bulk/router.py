"""POST /achievements/{id}/awards/bulk: give an achievement to the members listed in a CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.datastructures import UploadFile

from plaudit.achievement.service import get_achievement
from plaudit.bulk.parsing import parse_bulk_csv
from plaudit.bulk.schemas import BulkQuery, BulkResult
from plaudit.bulk.service import BulkOptions, give_in_bulk
from plaudit.errors import InvalidInput, UnsupportedMediaType
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import STAFF, Principal
from plaudit.kit.schemas import MAX_ID, WHOLE_NUMBER_TEXT

router = APIRouter(tags=["awards"])
Staff = Annotated[Principal, Depends(Allow(*STAFF))]

_CSV_TYPES = {"", "text/csv", "text/plain", "application/csv", "application/octet-stream"}
_EXAMPLE = "email,at\nann@example.com,2026-11-18\nbob@example.com,\n"


async def csv_upload(request: Request) -> bytes:
    """The CSV file: the body itself (text/csv), or the `file` part of a multipart form."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in _CSV_TYPES:
        return await request.body()
    if media_type != "multipart/form-data":
        raise UnsupportedMediaType(
            detail=f"Send the CSV as text/csv, or as the 'file' part of multipart/form-data; "
            f"got {media_type!r}."
        )
    async with request.form() as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if upload is None:
            raise InvalidInput(detail="The form has no 'file' part with the CSV.", field="file")
        return await upload.read()


@router.post(
    "/achievements/{achievement_id}/awards/bulk",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
def give_awards_in_bulk(
    actor: Staff,  # first: nobody's upload is read before their token is checked
    achievement_id: Annotated[int, Path(ge=1, le=MAX_ID), WHOLE_NUMBER_TEXT],
    q: Annotated[BulkQuery, Query()],
    data: Annotated[bytes, Depends(csv_upload)],
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> BulkResult:
    """Give the achievement to every member the CSV names (header `member_id`, `external_id` or
    `email`; optional `at` per row), in one transaction, as manual gives. Rows naming nobody and
    rows the category forbids are reported and skipped (`strict=true`: all or nothing);
    `dry_run=true` gives nothing."""
    get_achievement(session, achievement_id)
    file = parse_bulk_csv(data, zone=settings.zone, by=q.by)
    options = BulkOptions(at=q.at, dry_run=q.dry_run, strict=q.strict, reason=q.reason)
    return give_in_bulk(
        session, achievement_id, file, options, actor=actor, now=now, zone=settings.zone
    )
