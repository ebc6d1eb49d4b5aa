"""Groups: CRUD, membership, and listings (reference §1.8)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction

from ..clock import now
from ..exceptions import (
    GroupExistsException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ..models import Group, GroupMembership, PoolUser, UserPool
from .pagination import Page, paginate
from .schema import storable

MAX_GROUPS_PER_POOL = 10000
MAX_GROUPS_PER_USER = 100
# Cognito documents 2^31-1 as the largest Precedence; it is also the column's limit.
MAX_PRECEDENCE = 2**31 - 1
# ArnType of the botocore model.
ROLE_ARN_RE = re.compile(r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+"
                         r"(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?", re.ASCII)


def _name_ok(name: object) -> bool:
    """GroupNameType: 1-128 letters, marks, symbols, numbers or punctuation."""
    return isinstance(name, str) and 1 <= len(name) <= 128 and all(
        unicodedata.category(c)[0] in "LMSNP" for c in name)


def _check(name: object, description: object, role_arn: object, precedence: object) -> None:
    if not _name_ok(name):
        raise InvalidParameterException("GroupName must be 1 to 128 non-space characters.")
    if description is not None and (not isinstance(description, str) or len(description) > 2048
                                    or not storable(description)):
        raise InvalidParameterException("Description must be at most 2048 characters.")
    if role_arn is not None and (not isinstance(role_arn, str) or (role_arn and not (
            20 <= len(role_arn) <= 2048 and ROLE_ARN_RE.fullmatch(role_arn)))):
        raise InvalidParameterException("RoleArn must be an IAM role ARN.")
    if precedence is not None and (not isinstance(precedence, int) or isinstance(precedence, bool)
                                   or not 0 <= precedence <= MAX_PRECEDENCE):
        raise InvalidParameterException(
            f"Precedence must be an integer between 0 and {MAX_PRECEDENCE}.")


def get_group(pool: UserPool, name: object) -> Group:
    """The group ``name`` of ``pool`` or ResourceNotFoundException."""
    if not _name_ok(name):
        raise ResourceNotFoundException("Group not found.")
    try:
        return Group.objects.get(pool=pool, name=name)
    except Group.DoesNotExist:
        raise ResourceNotFoundException("Group not found.") from None


def create_group(pool: UserPool, name: object, *, description: str | None = None,
                 role_arn: str | None = None, precedence: int | None = None) -> Group:
    """Create a group; a duplicate name raises GroupExistsException."""
    _check(name, description, role_arn, precedence)
    if Group.objects.filter(pool=pool).count() >= MAX_GROUPS_PER_POOL:
        raise LimitExceededException("The pool has reached its limit of groups.")
    try:
        with transaction.atomic():
            return Group.objects.create(pool=pool, name=str(name), description=description or "",
                                        role_arn=role_arn or "", precedence=precedence)
    except IntegrityError:
        raise GroupExistsException("A group with the name already exists.") from None


def update_group(group: Group, **changes: Any) -> Group:
    """Change description, role or precedence; members given as ``None`` are left alone."""
    values = {k: v for k, v in changes.items() if v is not None}
    unknown = set(values) - {"description", "role_arn", "precedence"}
    if unknown:
        raise TypeError(f"Unknown group fields: {sorted(unknown)}")
    _check(group.name, values.get("description"), values.get("role_arn"),
           values.get("precedence"))
    for field, value in values.items():
        setattr(group, field, value)
    group.modified_at = now()
    group.save()
    return group


def delete_group(group: Group) -> None:
    group.delete()


def add_user_to_group(user: PoolUser, group: Group) -> None:
    """Idempotently add ``user`` to ``group``."""
    if GroupMembership.objects.filter(user=user, group=group).exists():
        return
    if GroupMembership.objects.filter(user=user).count() >= MAX_GROUPS_PER_USER:
        raise LimitExceededException("The user has reached its limit of groups.")
    try:
        with transaction.atomic():
            GroupMembership.objects.create(user=user, group=group)
    except IntegrityError:  # added concurrently: the end state is the same
        pass


def remove_user_from_group(user: PoolUser, group: Group) -> None:
    """Idempotently remove ``user`` from ``group``."""
    GroupMembership.objects.filter(user=user, group=group).delete()


def list_groups(pool: UserPool, limit: object = None, token: object = None) -> Page[Group]:
    """A page of the pool's groups by name."""
    return paginate(Group.objects.filter(pool=pool), "name", limit, token,
                    scope=f"groups:{pool.pk}")


def groups_for_user(user: PoolUser, limit: object = None, token: object = None) -> Page[Group]:
    """A page of the groups ``user`` belongs to."""
    return paginate(Group.objects.filter(groupmembership__user=user), "name", limit, token,
                    scope=f"user-groups:{user.pk}")


def users_in_group(group: Group, limit: object = None, token: object = None) -> Page[PoolUser]:
    """A page of the members of ``group``."""
    return paginate(PoolUser.objects.filter(groupmembership__group=group).select_related("pool"),
                    "id", limit, token, scope=f"group-users:{group.pk}")
