"""The sources screen: every source with its fields and records; a source's page with its
fields, default filters and most recent records. Staff read; admins create a source, add
fields, rename it and change its default filters (deleting a record: source_records.py)."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.models import Source
from plaudit.source.overview import count_records, recent_records, source_overviews
from plaudit.source.schemas import SourceCreate, SourceFieldsAdd, SourceUpdate
from plaudit.source.service import add_fields, create_source, get_source, update_source
from plaudit.web.access import StaffUser, require
from plaudit.web.forms.common import FieldErrors, errors_from_exception, form_data, text
from plaudit.web.forms.people import parse_page
from plaudit.web.forms.rule_builder import TYPE_LABELS
from plaudit.web.forms.source import (
    BLANK_FIELD_ROWS,
    OP_CHOICES,
    TYPE_CHOICES,
    FieldRow,
    SourceValues,
    check_key_and_name,
    check_name,
    field_rows,
    fields_body,
    filter_rows,
    filter_words,
    filters_body,
    rows_from_filters,
)
from plaudit.web.numbers import format_number
from plaudit.web.pages import flash, page_router, render
from plaudit.web.user import WebUser

router = page_router()
BASE = "/admin/sources"
PER_PAGE = 25
Form = Annotated[FormData, Depends(form_data)]
AdminUser = Annotated[WebUser, Depends(require(Role.admin))]
KeyPath = Annotated[str, Path(min_length=1, max_length=100)]
LABELS = {"key": "Key", "name": "Name", "fields": "Fields", "default_where": "Default filters"}


def _schema_errors(exc: ValidationError) -> FieldErrors:
    """Whatever the schema still refuses after the form's own checks, by field."""
    errors: FieldErrors = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"][:2]) or "_form"
        errors.setdefault(loc, "This value is not accepted: check it against the hint.")
    return errors


@router.get(BASE)
def list_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: StaffUser
) -> Response:
    return render(
        request,
        "admin/sources/list.html",
        title="Sources",
        overviews=source_overviews(session),
        can_edit=user.role is Role.admin,
        zone=settings.zone,
    )


def _new_page(
    request: Request, values: SourceValues, errors: FieldErrors, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/sources/new.html",
        title="New source",
        values=values,
        errors=errors,
        labels=LABELS,
        types=TYPE_CHOICES,
        status_code=status_code,
    )


@router.get(BASE + "/new")
def new_page(request: Request, user: AdminUser) -> Response:
    blank = SourceValues(fields=[FieldRow() for _ in range(BLANK_FIELD_ROWS)])
    return _new_page(request, blank, {})


@router.post(BASE)
def create(request: Request, session: SessionDep, user: AdminUser, form: Form) -> Response:
    rows = field_rows(form)
    values = SourceValues(key=text(form, "key"), name=text(form, "name"), fields=rows)
    errors: FieldErrors = {}
    check_key_and_name(values, errors)
    fields = fields_body(rows, errors)
    if not errors:
        try:
            data = SourceCreate.model_validate(
                {"key": values.key, "name": values.name, "fields": fields}
            )
            source = create_source(session, data)
        except ValidationError as exc:
            errors = _schema_errors(exc)
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
        else:
            flash(request, f"Created the source “{source.name}”. Records can arrive now.")
            return RedirectResponse(f"{BASE}/{source.key}", status_code=303)
    values.fields = rows + [FieldRow() for _ in range(max(0, BLANK_FIELD_ROWS - len(rows)))]
    return _new_page(request, values, errors, status_code=400)


def source_page(
    request: Request,
    session: Session,
    source: Source,
    *,
    user: WebUser,
    zone: ZoneInfo,
    page: int = 1,
    values: SourceValues | None = None,
    errors: FieldErrors | None = None,
    new_fields: list[FieldRow] | None = None,
    status_code: int = 200,
) -> Response:
    total = count_records(session, source.id)
    rows = recent_records(session, source.id, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    fields = source.field_types()
    if values is None:
        values = SourceValues(
            key=source.key, name=source.name, filters=rows_from_filters(source.default_where)
        )
    return render(
        request,
        "admin/sources/detail.html",
        title=source.name,
        source=source,
        fields=fields,
        field_labels=source.field_labels(),
        type_labels={t.value: label for t, label in TYPE_LABELS.items()},
        default_filters=[filter_words(f) for f in source.default_where],
        rows=rows,
        total=total,
        page=page,
        has_next=page * PER_PAGE < total,
        zone=zone,
        shown=_shown,
        can_edit=user.role is Role.admin,
        values=values,
        errors=errors or {},
        labels=LABELS,
        types=TYPE_CHOICES,
        ops=OP_CHOICES,
        new_fields=new_fields or [FieldRow() for _ in range(2)],
        status_code=status_code,
    )


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


@router.get(BASE + "/{key}")
def detail_page(
    key: KeyPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffUser,
    page: str = "",
) -> Response:
    source = get_source(session, key)
    return source_page(
        request, session, source, user=user, zone=settings.zone, page=parse_page(page)
    )


@router.post(BASE + "/{key}")
def update(
    key: KeyPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AdminUser,
    form: Form,
) -> Response:
    source = get_source(session, key)
    rows = filter_rows(form)
    values = SourceValues(key=source.key, name=text(form, "name"), filters=rows)
    errors: FieldErrors = {}
    check_name(values.name, errors)
    where = filters_body(rows, source.field_types(), errors)
    if not errors:
        try:
            data = SourceUpdate.model_validate({"name": values.name, "default_where": where})
            update_source(session, key, data)
        except ValidationError as exc:
            errors = _schema_errors(exc)
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
        else:
            flash(request, f"Saved the source “{values.name}”.")
            return RedirectResponse(f"{BASE}/{key}#settings", status_code=303)
    session.refresh(source)
    return source_page(
        request,
        session,
        source,
        user=user,
        zone=settings.zone,
        values=values,
        errors=errors,
        status_code=400,
    )


@router.post(BASE + "/{key}/fields")
def add(
    key: KeyPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AdminUser,
    form: Form,
) -> Response:
    source = get_source(session, key)
    rows = field_rows(form)
    errors: FieldErrors = {}
    fields = fields_body(rows, errors, existing=source.field_types())
    if not fields and not errors:
        errors["fields"] = "Enter the name of at least one new field."
    if not errors:
        try:
            added = add_fields(session, key, SourceFieldsAdd.model_validate({"fields": fields}))
        except ValidationError as exc:
            errors = _schema_errors(exc)
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
        else:
            names = ", ".join(f"“{f['name']}”" for f in fields)
            flash(request, f"Added {names} to “{added.name}”.")
            return RedirectResponse(f"{BASE}/{key}#fields", status_code=303)
    session.refresh(source)
    return source_page(
        request,
        session,
        source,
        user=user,
        zone=settings.zone,
        errors=errors,
        new_fields=rows,
        status_code=400,
    )
