"""Helpers shared by operation handlers: pool and client lookup, pool-scoped keys."""

from __future__ import annotations

from ...models import AppClient, PoolUser, UserPool
from ...services import pools, users
from ..registry import Call
from ..views import require_pool_access


def client_of(call: Call) -> AppClient:
    """The app client named by ``ClientId`` (public operations)."""
    return pools.get_client(call.params["ClientId"])


def pool_of(call: Call) -> UserPool:
    """The pool named by ``UserPoolId``, after checking the signing key's scope."""
    pool_id = call.params["UserPoolId"]
    require_pool_access(call, pool_id)
    return pools.get_pool(pool_id)


def user_of(call: Call, pool: UserPool) -> PoolUser:
    """The user named by ``Username`` (username or alias)."""
    return users.get_user(pool, call.params["Username"])
