"""Group endpoints, including which members a group matches now."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from plaudit.engine.audiences import group_member_ids
from plaudit.group import service
from plaudit.group.schemas import GroupCreate, GroupMembers, GroupPreview, GroupRead, GroupUpdate
from plaudit.http.deps import NowDep, SessionDep, SettingsDep, allow
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Role

router = APIRouter(tags=["groups"], dependencies=[allow(Role.admin, Role.manager)])


@router.post("/groups", status_code=status.HTTP_201_CREATED)
def create_group(body: GroupCreate, session: SessionDep) -> GroupRead:
    return service.read_group(session, service.create_group(session, body))


@router.get("/groups")
def list_groups(session: SessionDep) -> list[GroupRead]:
    return service.list_groups(session)


@router.get("/groups/{group_id}")
def get_group(group_id: PathId, session: SessionDep) -> GroupRead:
    return service.read_group(session, service.get_group(session, group_id))


@router.patch("/groups/{group_id}")
def update_group(
    group_id: PathId, body: GroupUpdate, session: SessionDep, now: NowDep, settings: SettingsDep
) -> GroupRead:
    group = service.change_group(session, group_id, body, now=now, zone=settings.zone)
    return service.read_group(session, group)


@router.delete("/groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_group(group_id: PathId, session: SessionDep) -> Response:
    service.delete_group(session, group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/groups/{group_id}/members")
def group_members(group_id: PathId, session: SessionDep) -> GroupMembers:
    ids = group_member_ids(session, group_id)
    return GroupMembers(count=len(ids), member_ids=ids)


@router.post("/groups/preview")
def preview_group(body: GroupPreview, session: SessionDep) -> GroupMembers:
    """Which members these lists and conditions match now; writes nothing."""
    ids = service.preview_members(session, body)
    return GroupMembers(count=len(ids), member_ids=ids)
