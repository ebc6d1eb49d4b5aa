"""Factories of the rows tests start from: pools, app clients, users and access keys.

Each builds through the services (or the core's insert, for users that need no password), so
the rows are the ones the app itself would store. The ``make_pool`` and ``make_client``
fixtures of ``conftest`` and the access-key fixtures of ``api_fixtures`` are built on them.
"""

from __future__ import annotations

from typing import Any

from django_cognito.models import AccessKey, AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import admin_users, pools, users

PASSWORD = "Passw0rd!"
TEMPORARY = "Temp0rary!"
NEW_PASSWORD = "N3w-Passw0rd!"  # what a user changes PASSWORD or TEMPORARY to


def create_pool(name: str = "test-pool", **config: Any) -> UserPool:
    """A local pool made by CreateUserPool; email is auto-verified unless ``config`` says."""
    config.setdefault("auto_verified_attributes", ["email"])
    return pools.create_user_pool(name, **config)


def create_client(pool: UserPool, name: str = "app", **config: Any) -> AppClient:
    """An app client of ``pool`` made by CreateUserPoolClient."""
    return pools.create_user_pool_client(pool, name, **config)


def insert_user(pool: UserPool, username: str = "alice", *, status: str = UserStatus.CONFIRMED,
                enabled: bool = True, **attributes: str) -> PoolUser:
    """A user inserted directly through the core: no password, trigger or message."""
    user = users.new_user(pool, username, attributes)
    user.status = status
    user.enabled = enabled
    return users.insert_user(user)


def create_user(pool: UserPool, username: str = "alice", *, attributes: Any = None,
                email: str | None = None, password: str = PASSWORD,
                temporary_password: str | None = TEMPORARY, confirmed: bool = True,
                **more: str) -> PoolUser:
    """A user made by AdminCreateUser without an invitation, read back from the database.

    CONFIRMED with ``password`` (AdminSetUserPassword, permanent), or, unless ``confirmed``,
    FORCE_CHANGE_PASSWORD with ``temporary_password`` (``None``: one the pool generates).
    ``attributes`` (a dict or Cognito's Name/Value list) default to a verified ``email``
    (``<username>@example.com`` unless given) and the ``more`` attributes.
    """
    if attributes is None:
        attributes = {"email": email or f"{username}@example.com", "email_verified": "true",
                      **more}
    else:
        assert email is None and not more, "email and more extend the default attributes only"
    user = admin_users.admin_create_user(pool, username, attributes=attributes,
                                         temporary_password=temporary_password,
                                         message_action="SUPPRESS")
    if confirmed:
        admin_users.admin_set_user_password(user, password, permanent=True)
    return PoolUser.objects.get(pk=user.pk)


def create_access_key(access_key_id: str, secret: str, *scoped_to: UserPool,
                      all_pools: bool = False) -> AccessKey:
    """A stored SigV4 access key for every pool (``all_pools``) or for ``scoped_to`` only."""
    key = AccessKey.objects.create(access_key_id=access_key_id, secret=secret,
                                   all_pools=all_pools)
    if scoped_to:
        key.pools.add(*scoped_to)
    return key
