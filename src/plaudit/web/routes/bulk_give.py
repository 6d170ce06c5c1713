"""Giving an achievement to a list of members uploaded as CSV: the upload form, the preview
(who will receive it, who will not and why; nothing is written) and the confirmation.

The preview is a dry run of `plaudit.bulk.service.give_in_bulk`, the service the API and the
command line use. The confirmation form carries the file itself, not the preview: the file is
read and given again, and the outcome must be the one previewed (the fingerprint); if
anything changed in between (someone took the record, a member left the audience), nothing is
given and the new preview is shown instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.achievement.service import get_achievement
from plaudit.bulk.schemas import BulkResult
from plaudit.bulk.service import BulkOptions, give_in_bulk
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal
from plaudit.models import Achievement
from plaudit.periods import Period
from plaudit.web.access import StaffUser
from plaudit.web.bulk_preview import Preview, Upload, build_preview, read_upload
from plaudit.web.forms.common import FieldErrors, checked, form_data, text, upload
from plaudit.web.forms.people import MAX_REASON, PERIOD_CHOICES, give_instant
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/achievements/{achievement_id}/give"
MAX_UPLOAD_BYTES = 512 * 1024
"""The file travels back with the confirmation as one form field (URL-safe base64, a third
larger), and a form field is at most 1 MB (Starlette's `max_part_size`)."""
MAX_UPLOAD_ROWS = 5000


@dataclass(frozen=True)
class GiveChoices:
    """The form's choices besides the file, as typed."""

    period: str = "current"
    reason: str = ""
    strict: bool = False


def _choices(form: FormData) -> tuple[GiveChoices, FieldErrors]:
    choices = GiveChoices(
        period=text(form, "period") or "current",
        reason=text(form, "reason"),
        strict=checked(form, "strict"),
    )
    errors: FieldErrors = {}
    if choices.period not in ("current", "previous"):
        errors["period"] = "Choose the current or the previous period."
    if len(choices.reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    return choices, errors


def _page(
    request: Request,
    achievement: Achievement,
    *,
    choices: GiveChoices | None = None,
    errors: FieldErrors | None = None,
    problems: list[str] | None = None,
    preview: Preview | None = None,
    payload: str = "",
    filename: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/achievements/bulk_give.html",
        title=f"Give “{achievement.name}” to a list",
        achievement=achievement,
        periodic=Period(achievement.period) is not Period.none,
        period_choices=PERIOD_CHOICES,
        choices=choices or GiveChoices(),
        errors=errors or {},
        problems=problems or [],
        preview=preview,
        payload=payload,
        filename=filename,
        notice=notice,
        max_rows=MAX_UPLOAD_ROWS,
        max_kb=MAX_UPLOAD_BYTES // 1024,
        status_code=status_code,
    )


def _dry_run(
    session: Session,
    achievement: Achievement,
    upload_: Upload,
    at: datetime,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
) -> Preview:
    options = BulkOptions(at=at, dry_run=True)
    result = give_in_bulk(
        session, achievement.id, upload_.file, options, actor=actor, now=now, zone=zone
    )
    return build_preview(session, achievement, upload_, result, at=at, zone=zone)


def _give(
    session: Session,
    achievement: Achievement,
    upload_: Upload,
    choices: GiveChoices,
    at: datetime,
    *,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
) -> BulkResult | None:
    """Give as confirmed; None when "all or nothing" refuses (the service's `strict`, and
    names that matched nobody, which the service never sees)."""
    if choices.strict and upload_.unmatched:
        return None
    options = BulkOptions(at=at, strict=choices.strict, reason=choices.reason or None)
    try:
        return give_in_bulk(
            session, achievement.id, upload_.file, options, actor=actor, now=now, zone=zone
        )
    except PlauditError:
        if choices.strict:
            return None
        raise


def _file_problem(exc: PlauditError) -> tuple[FieldErrors, list[str]]:
    """The parser's refusal as the file field's message, and its rows one per line."""
    rows = [e.message[:1].upper() + e.message[1:] + "." for e in exc.errors[:20]]
    if len(exc.errors) > 20:
        rows.append(f"And {len(exc.errors) - 20} more.")
    detail = exc.detail.split(": row ")[0] if rows else exc.detail
    return {"file": detail}, rows


def _checked_base64(payload: str) -> str:
    """The payload if it is URL-safe base64, else ValueError (urlsafe_b64decode skips junk)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", payload) or len(payload) % 4:
        raise ValueError("not base64")
    return payload


@router.get(BASE)
def give_form(
    achievement_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    return _page(request, get_achievement(session, achievement_id))


@router.post(BASE + "/preview")
def preview_upload(
    achievement_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    achievement = get_achievement(session, achievement_id)
    choices, errors = _choices(form)
    file = upload(form, "file")
    data = file.file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if file is None:
        errors["file"] = "Choose a CSV file to upload."
    elif len(data) > MAX_UPLOAD_BYTES:
        errors["file"] = (
            f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KB: split it into smaller lists."
        )
    if errors:
        return _page(request, achievement, choices=choices, errors=errors, status_code=400)
    zone = settings.zone
    try:
        read = read_upload(session, data, zone=zone, max_rows=MAX_UPLOAD_ROWS)
    except PlauditError as exc:
        field_errors, problems = _file_problem(exc)
        return _page(
            request,
            achievement,
            choices=choices,
            errors=field_errors,
            problems=problems,
            status_code=exc.status,
        )
    at = give_instant(choices.period, now, Period(achievement.period), zone)
    preview = _dry_run(session, achievement, read, at, actor=user.principal, now=now, zone=zone)
    return _page(
        request,
        achievement,
        choices=choices,
        preview=preview,
        payload=base64.urlsafe_b64encode(data).decode(),
        filename=(file.filename or "") if file is not None else "",
    )


@router.post(BASE)
def confirm_give(
    achievement_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: Form,
) -> Response:
    achievement = get_achievement(session, achievement_id)
    choices, errors = _choices(form)
    try:
        data = base64.urlsafe_b64decode(_checked_base64(text(form, "payload")))
    except (binascii.Error, ValueError):
        data = b""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        errors["file"] = "The list did not come through: upload the file again."
    if errors:
        return _page(request, achievement, choices=choices, errors=errors, status_code=400)
    zone = settings.zone
    try:
        read = read_upload(session, data, zone=zone, max_rows=MAX_UPLOAD_ROWS)
    except PlauditError as exc:
        field_errors, problems = _file_problem(exc)
        return _page(
            request,
            achievement,
            choices=choices,
            errors=field_errors,
            problems=problems,
            status_code=exc.status,
        )
    at = give_instant(choices.period, now, Period(achievement.period), zone)
    payload, filename = text(form, "payload"), text(form, "filename")
    previewed = text(form, "fingerprint")
    savepoint = session.begin_nested()
    result = _give(
        session, achievement, read, choices, at, actor=user.principal, now=now, zone=zone
    )
    outcome = (
        build_preview(session, achievement, read, result, at=at, zone=zone) if result else None
    )
    if outcome is None or outcome.fingerprint != previewed:
        savepoint.rollback()
        fresh = _dry_run(session, achievement, read, at, actor=user.principal, now=now, zone=zone)
        notice = (
            "Nothing was given: the list has rows that are refused, and you asked for all or "
            "nothing."
            if outcome is None
            else "Nothing was given: something changed since the preview (an award given or "
            "revoked, a member changed). Here is the list as it stands now; check it and "
            "confirm again."
        )
        return _page(
            request,
            achievement,
            choices=choices,
            preview=fresh,
            payload=payload,
            filename=filename,
            notice=notice,
            status_code=409,
        )
    savepoint.commit()
    given = len(outcome.given)
    skipped = len(outcome.refused)
    flash(
        request,
        f"Gave “{achievement.name}” to {given} member{'s' if given != 1 else ''}"
        + (f"; {skipped} row{'s' if skipped != 1 else ''} skipped." if skipped else "."),
    )
    return RedirectResponse(f"/admin/achievements/{achievement.id}/holders", status_code=303)
