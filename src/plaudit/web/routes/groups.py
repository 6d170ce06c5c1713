"""Admin pages for groups (the audiences of achievements): the list, the create and edit form
with the live list of members it matches, and delete with confirmation. The same services as
`/api/v1/groups`; a change to a group's lists or conditions re-evaluates the members it now
admits, under the change gate, exactly as the API's PATCH does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.engine.audiences import group_member_ids
from plaudit.errors import PlauditError
from plaudit.group import service
from plaudit.group.schemas import GroupCreate, GroupPreview, GroupUpdate
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.limits import chunks
from plaudit.models import Achievement, Group, Member, Team
from plaudit.web.access import StaffUser
from plaudit.web.forms.common import GENERAL, FieldErrors, form_data
from plaudit.web.forms.group import (
    ATTRIBUTE_CHOICES,
    OP_CHOICES,
    ConditionRow,
    GroupValues,
    condition_body,
    condition_labels,
    describe_condition,
    numeric_attributes,
    read_values,
    values_of,
)
from plaudit.web.forms.plain import parse_plain
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/groups"
PREVIEW_LIMIT = 200
LABELS = {
    "name": "Name",
    "team_ids": "Teams",
    "member_ids": "Members",
    "conditions": "Conditions",
    GENERAL: "Group",
}


@dataclass(frozen=True)
class MemberLine:
    id: int
    name: str
    team: str | None
    active: bool


@dataclass(frozen=True)
class GroupRow:
    group: Group
    teams: list[str]
    members: int
    matched: int
    conditions: list[str]
    used_by: list[Achievement]


def _members(session: Session, ids: list[int] | None = None) -> list[MemberLine]:
    """Members (all, or those with `ids`) with their team's name, by name."""
    query = select(Member, Team.name).outerjoin(Team, Member.team_id == Team.id)
    rows: list[Any] = []
    if ids is None:
        rows = list(session.execute(query).all())
    else:
        for chunk in chunks(sorted(set(ids))):
            rows.extend(session.execute(query.where(Member.id.in_(chunk))).all())
    lines = [MemberLine(id=m.id, name=m.name, team=t, active=m.active) for m, t in rows]
    return sorted(lines, key=lambda line: (line.name.casefold(), line.id))


def _audience_users(session: Session, group_id: int) -> list[Achievement]:
    """Achievements (not deleted) whose audience includes the group."""
    return [
        a
        for a in session.scalars(
            select(Achievement).where(Achievement.deleted_at.is_(None)).order_by(Achievement.name)
        )
        if group_id in (a.audience or [])
    ]


def _named_list(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    team_names = {t.id: t.name for t in session.scalars(select(Team))}
    rows = []
    for read in service.list_groups(session):
        group = service.get_group(session, read.id)
        rows.append(
            GroupRow(
                group=group,
                teams=sorted(team_names.get(t, "") for t in read.team_ids),
                members=len(read.member_ids),
                matched=len(group_member_ids(session, read.id)),
                conditions=[describe_condition(c) for c in read.conditions],
                used_by=_audience_users(session, read.id),
            )
        )
    rows.sort(key=lambda row: row.group.name.casefold())
    return render(request, "admin/groups/list.html", title="Groups", rows=rows)


def _parse(session: Session, values: GroupValues) -> tuple[dict[str, Any], FieldErrors]:
    """The API's group body from the form, and messages in words for what cannot be read."""
    teams = list(session.scalars(select(Team)))
    conditions, errors = condition_body(
        values.conditions, numeric_attributes(t.attributes or {} for t in teams)
    )
    body: dict[str, Any] = {
        "name": values.name,
        "team_ids": sorted(values.team_ids),
        "member_ids": sorted(values.member_ids),
        "conditions": conditions,
    }
    return body, errors


def _preview(session: Session, body: dict[str, Any]) -> tuple[list[MemberLine], FieldErrors]:
    preview, errors = parse_plain(GroupPreview, {k: v for k, v in body.items() if k != "name"})
    if preview is None:
        return [], errors
    try:
        ids = service.preview_members(session, preview)
    except PlauditError:
        # A team or member picked on the page was deleted meanwhile: say so in words.
        return [], {GENERAL: "A team or member you picked no longer exists: reload the page."}
    return _members(session, ids), {}


def _form_page(
    request: Request,
    session: Session,
    *,
    values: GroupValues,
    errors: FieldErrors,
    group: Group | None = None,
    status_code: int = 200,
) -> Response:
    body, parse_errors = _parse(session, values)
    matched, _ = _preview(session, body) if not parse_errors else ([], {})
    teams = list(session.scalars(select(Team).order_by(Team.name)))
    attribute_names = sorted({name for t in teams for name in (t.attributes or {})})
    rows = [*values.conditions, ConditionRow()]
    return render(
        request,
        "admin/groups/form.html",
        title=f"Edit {group.name}" if group else "New group",
        group=group,
        values=values,
        errors=errors,
        labels={**LABELS, **condition_labels(errors)},
        teams=teams,
        members=_members(session),
        rows=rows,
        attribute_choices=ATTRIBUTE_CHOICES,
        op_choices=OP_CHOICES,
        attribute_names=attribute_names,
        matched=matched[:PREVIEW_LIMIT],
        matched_count=len(matched),
        used_by=_audience_users(session, group.id) if group else [],
        status_code=status_code,
    )


def _checked_name(values: GroupValues, errors: FieldErrors) -> None:
    if not values.name:
        errors["name"] = "Give the group a name, for example “Gold partners in EMEA”."


@router.get(BASE + "/new")
def new_page(request: Request, session: SessionDep, user: StaffUser) -> Response:
    return _form_page(request, session, values=GroupValues(), errors={})


@router.post(BASE + "/new")
def create(request: Request, session: SessionDep, user: StaffUser, form: Form) -> Response:
    values = read_values(form)
    body, errors = _parse(session, values)
    _checked_name(values, errors)
    data, schema_errors = parse_plain(GroupCreate, body)
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            group = service.create_group(session, data)
        except PlauditError:
            session.rollback()
            errors = {GENERAL: "A team or member you picked no longer exists: reload the page."}
        else:
            flash(request, f"Created group “{group.name}”.")
            return RedirectResponse(f"{BASE}/{group.id}", status_code=303)
    return _form_page(request, session, values=values, errors=errors, status_code=400)


@router.post(BASE + "/preview")
def preview(request: Request, session: SessionDep, user: StaffUser, form: Form) -> Response:
    """The members the form as typed would admit (JSON for the page's live list); writes
    nothing. The same reading as the save, and the service behind `POST /groups/preview`."""
    values = read_values(form)
    body, errors = _parse(session, values)
    matched, preview_errors = ([], {}) if errors else _preview(session, body)
    errors = errors or preview_errors
    return JSONResponse(
        {
            "count": len(matched),
            "members": [
                {"id": m.id, "name": m.name, "team": m.team, "active": m.active}
                for m in matched[:PREVIEW_LIMIT]
            ],
            "errors": errors,
        }
    )


@router.get(BASE + "/{group_id}")
def edit_page(group_id: IdPath, request: Request, session: SessionDep, user: StaffUser) -> Response:
    group = service.get_group(session, group_id)
    read = service.read_group(session, group)
    values = values_of(read.name, read.team_ids, read.member_ids, read.conditions)
    return _form_page(request, session, values=values, errors={}, group=group)


@router.post(BASE + "/{group_id}")
def edit(
    group_id: IdPath,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    group = service.get_group(session, group_id)
    values = read_values(form)
    body, errors = _parse(session, values)
    _checked_name(values, errors)
    data, schema_errors = parse_plain(GroupUpdate, body)
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            changed = service.change_group(session, group_id, data, now=now, zone=settings.zone)
        except PlauditError:
            session.rollback()
            errors = {GENERAL: "A team or member you picked no longer exists: reload the page."}
        else:
            flash(request, f"Saved group “{changed.name}”.")
            return RedirectResponse(f"{BASE}/{changed.id}", status_code=303)
    return _form_page(request, session, values=values, errors=errors, group=group, status_code=400)


@router.get(BASE + "/{group_id}/delete")
def delete_page(
    group_id: IdPath, request: Request, session: SessionDep, user: StaffUser
) -> Response:
    group = service.get_group(session, group_id)
    return render(
        request,
        "admin/groups/delete.html",
        title=f"Delete {group.name}?",
        group=group,
        used_by=_audience_users(session, group_id),
    )


@router.post(BASE + "/{group_id}/delete")
def delete(group_id: IdPath, request: Request, session: SessionDep, user: StaffUser) -> Response:
    group = service.get_group(session, group_id)
    name = group.name
    users = _audience_users(session, group_id)
    if users:
        flash(
            request,
            f"“{name}” was not deleted: it is the audience of "
            f"{_named_list([a.name for a in users])}. Remove it from their audience first.",
            "error",
        )
        return RedirectResponse(f"{BASE}/{group_id}/delete", status_code=303)
    service.delete_group(session, group_id)
    flash(request, f"Deleted group “{name}”.")
    return RedirectResponse(BASE, status_code=303)
