"""Cognito's response shapes for users and groups (botocore model names)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..exceptions import InvalidParameterException
from ..models import AppClient, Group, PoolUser
from .mfa import mfa_settings
from .schema import readable


def attribute_list(user: PoolUser, client: AppClient | None = None,
                   only: Iterable[str] | None = None) -> list[dict[str, str]]:
    """``[{"Name", "Value"}]`` with ``sub`` first, filtered by client and AttributesToGet."""
    values = {"sub": str(user.sub), **{k: str(v) for k, v in user.attributes.items()}}
    wanted = None if only is None else set(only)
    return [{"Name": name, "Value": value} for name, value in values.items()
            if readable(client, name) and (wanted is None or name in wanted)]


def user_type(user: PoolUser, only: Iterable[str] | None = None) -> dict[str, Any]:
    """UserType (ListUsers, AdminCreateUser)."""
    return {
        "Username": user.username,
        "Attributes": attribute_list(user, only=only),
        "UserCreateDate": user.created_at.timestamp(),
        "UserLastModifiedDate": user.modified_at.timestamp(),
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def admin_get_user(user: PoolUser) -> dict[str, Any]:
    """AdminGetUser's response (``UserAttributes``, not ``Attributes``)."""
    return {
        "Username": user.username,
        "UserAttributes": attribute_list(user),
        "UserCreateDate": user.created_at.timestamp(),
        "UserLastModifiedDate": user.modified_at.timestamp(),
        "Enabled": user.enabled,
        "UserStatus": user.status,
        "UserMFASettingList": [],
        **mfa_settings(user),
    }


def group_type(group: Group) -> dict[str, Any]:
    """GroupType."""
    shape: dict[str, Any] = {
        "GroupName": group.name,
        "UserPoolId": group.pool_id,
        "LastModifiedDate": group.modified_at.timestamp(),
        "CreationDate": group.created_at.timestamp(),
    }
    if group.description:
        shape["Description"] = group.description
    if group.role_arn:
        shape["RoleArn"] = group.role_arn
    if group.precedence is not None:
        shape["Precedence"] = group.precedence
    return shape


def check_attributes_to_get(names: object) -> list[str] | None:
    """Validate ListUsers' AttributesToGet."""
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidParameterException("AttributesToGet must be a list of attribute names.")
    return names
