"""Deleting one of a source's records from its page, behind a confirmation page that asks
why. The record service takes the record out of every aggregate and re-evaluates awards, as
`DELETE /sources/{key}/records/{external_id}` does, and the audit log keeps the reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import not_found
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.models import Source
from plaudit.record.service import delete_record_by_id
from plaudit.source.overview import RecordRow, get_record
from plaudit.source.service import get_source
from plaudit.web.forms.common import form_data, text
from plaudit.web.forms.people import MAX_REASON
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.routes.sources import BASE, AdminUser, KeyPath, _shown

router = page_router()
Form = Annotated[FormData, Depends(form_data)]


def _row(session: Session, source: Source, record_id: int) -> RecordRow:
    row = get_record(session, source.id, record_id)
    if row is None:
        raise not_found("record", record_id)
    return row


def _fingerprint(row: RecordRow) -> str:
    """What the confirmation showed, sent back with it: a record id can be reused (SQLite
    reuses the highest one after a deletion), so the POST deletes only the record confirmed."""
    r = row.record
    return f"{r.member_id}|{r.occurred_at.isoformat()}|{r.external_id or ''}"


def _label(row: RecordRow) -> str:
    ext = row.record.external_id
    return f"record “{ext}”" if ext else f"the record of {row.member_name}"


def _confirm(
    request: Request,
    source: Source,
    row: RecordRow,
    settings: SettingsDep,
    *,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/sources/delete_record.html",
        title=f"Delete {_label(row)} of {source.name}?",
        source=source,
        row=row,
        fields=source.field_types(),
        fingerprint=_fingerprint(row),
        shown=_shown,
        zone=settings.zone,
        reason=reason,
        error=error,
        status_code=status_code,
    )


@router.get(BASE + "/{key}/records/{record_id}/delete")
def confirm_delete(
    key: KeyPath,
    record_id: IdPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AdminUser,
) -> Response:
    source = get_source(session, key)
    return _confirm(request, source, _row(session, source, record_id), settings)


@router.post(BASE + "/{key}/records/{record_id}/delete")
def delete(
    key: KeyPath,
    record_id: IdPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: AdminUser,
    form: Form,
) -> Response:
    source = get_source(session, key)
    row = get_record(session, source.id, record_id)
    if row is None:
        flash(request, "That record is already deleted.", "info")
        return RedirectResponse(f"{BASE}/{key}#records", status_code=303)
    if text(form, "record") != _fingerprint(row):
        flash(
            request,
            "That record changed since the confirmation was shown (it was replaced): nothing "
            "was deleted. Check it and delete it again if it should go.",
            "error",
        )
        return RedirectResponse(f"{BASE}/{key}#records", status_code=303)
    reason = text(form, "reason")
    error = ""
    if not reason:
        error = "Enter the reason: the audit log keeps it with the deleted record."
    elif len(reason) > MAX_REASON:
        error = f"Keep the reason under {MAX_REASON} characters."
    if error:
        return _confirm(request, source, row, settings, reason=reason, error=error, status_code=400)
    label = _label(row)
    delete_record_by_id(
        session,
        source.key,
        record_id,
        actor=user.principal,
        reason=reason,
        now=now,
        zone=settings.zone,
    )
    flash(
        request,
        f"Deleted {label} of {source.name}. Progress and awards that counted it are re-evaluated.",
    )
    return RedirectResponse(f"{BASE}/{key}#records", status_code=303)
