"""Helpers shared by operation handlers: pool and client lookup, pool-scoped keys."""

from __future__ import annotations

from ...models import AppClient, PoolUser, UserPool
from ...services import config_cache, pools, users
from ..registry import Call
from ..views import require_pool_access


def client_of(call: Call) -> AppClient:
    """The app client named by ``ClientId`` (public operations; a shared read-only copy)."""
    return config_cache.client(call.params["ClientId"])


def pool_of(call: Call) -> UserPool:
    """The pool named by ``UserPoolId``, after checking the signing key's scope."""
    pool_id = call.params["UserPoolId"]
    require_pool_access(call, pool_id)
    return pools.get_pool(pool_id)


def cached_pool_of(call: Call) -> UserPool:
    """Like :func:`pool_of`, a shared read-only copy for operations that only read the pool."""
    pool_id = call.params["UserPoolId"]
    require_pool_access(call, pool_id)
    return config_cache.pool(pool_id)


def user_of(call: Call, pool: UserPool) -> PoolUser:
    """The user named by ``Username`` (username or alias)."""
    return users.get_user(pool, call.params["Username"])
