"""Group operations (SigV4): CRUD, membership and listings."""

from __future__ import annotations

from typing import Any

from ...models import Group
from ...services import groups
from .. import shapes
from ..registry import Call, operation
from .common import pool_of, user_of


def _group(call: Call) -> Group:
    return groups.get_group(pool_of(call), call.params["GroupName"])


def _page(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {key: items}
    if token:
        response["NextToken"] = token
    return response


@operation("CreateGroup")
def create_group(call: Call) -> dict[str, Any]:
    p = call.params
    group = groups.create_group(pool_of(call), p["GroupName"], description=p.get("Description"),
                                role_arn=p.get("RoleArn"), precedence=p.get("Precedence"))
    return {"Group": shapes.group_type(group)}


@operation("GetGroup")
def get_group(call: Call) -> dict[str, Any]:
    return {"Group": shapes.group_type(_group(call))}


@operation("UpdateGroup")
def update_group(call: Call) -> dict[str, Any]:
    p = call.params
    group = groups.update_group(_group(call), description=p.get("Description"),
                                role_arn=p.get("RoleArn"), precedence=p.get("Precedence"))
    return {"Group": shapes.group_type(group)}


@operation("DeleteGroup")
def delete_group(call: Call) -> dict[str, Any]:
    groups.delete_group(_group(call))
    return {}


@operation("ListGroups")
def list_groups(call: Call) -> dict[str, Any]:
    p = call.params
    page = groups.list_groups(pool_of(call), p.get("Limit"), p.get("NextToken"))
    return _page("Groups", [shapes.group_type(g) for g in page.items], page.next_token)


@operation("AdminAddUserToGroup")
def admin_add_user_to_group(call: Call) -> dict[str, Any]:
    group = _group(call)
    groups.add_user_to_group(user_of(call, group.pool), group)
    return {}


@operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(call: Call) -> dict[str, Any]:
    group = _group(call)
    groups.remove_user_from_group(user_of(call, group.pool), group)
    return {}


@operation("AdminListGroupsForUser")
def admin_list_groups_for_user(call: Call) -> dict[str, Any]:
    p = call.params
    page = groups.groups_for_user(user_of(call, pool_of(call)), p.get("Limit"),
                                  p.get("NextToken"))
    return _page("Groups", [shapes.group_type(g) for g in page.items], page.next_token)


@operation("ListUsersInGroup")
def list_users_in_group(call: Call) -> dict[str, Any]:
    p = call.params
    page = groups.users_in_group(_group(call), p.get("Limit"), p.get("NextToken"))
    return _page("Users", [shapes.user_type(u) for u in page.items], page.next_token)
