"""App clients and pools as sign-in reads them, kept in memory between requests.

Every public operation starts by loading its app client, the client's pool and the pool's
stored-only settings: three rows, the same for millions of requests, whose reading cost more
than the rest of a sign-in beside the token signatures. A process keeps what it loaded and
reuses it while the pool's *stamp* is unchanged.

The stamp is one short value per pool in Django's cache (``COGNITO["CACHE_ALIAS"]``, the
cache that already shares lockout counters between processes). Saving or deleting a pool,
its settings or one of its clients replaces the stamp twice: at once, so the same process
and transaction read the change, and again when the transaction commits, so no process
keeps a copy read between the first replacement and the commit. Every process compares the
stamp on each read and loads the rows again when it moved. A cache that lost the stamp
(restart, eviction) reads as a change.

What these functions return is shared between requests: callers read it and never change
it. Operations that change a pool or client load their own copy (``pools.get_pool`` and
``pools.get_client``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..conf import app_settings
from ..exceptions import ResourceNotFoundException
from ..models import AppClient, ResourceServer, UserPool, UserPoolSettings

# Loaded copies: client id -> (pool id, stamp, client); pool id -> (stamp, pool). The number of
# entries is bounded by the clients and pools that exist; a generous cap guards the rest.
_clients: dict[str, tuple[str, str, AppClient]] = {}
_pools: dict[str, tuple[str, UserPool]] = {}
_scopes: dict[str, tuple[str, frozenset[str]]] = {}
MAX_ENTRIES = 10_000
STAMP_SECONDS = 24 * 3600
SETTINGS_ATTRIBUTE = "_cognito_settings"
# UserPoolIdType of the botocore model: nothing else can name a pool (or make a cache key).
POOL_ID_RE = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)


def _key(pool_id: str) -> str:
    return f"django_cognito:pool-stamp:{pool_id}"


def stamp(pool_id: str) -> str:
    """The pool's current stamp, created when the cache has none."""
    cache = caches[app_settings.CACHE_ALIAS]
    key = _key(pool_id)
    value = cache.get(key)
    if value is None:
        fresh = secrets.token_hex(8)
        cache.add(key, fresh, STAMP_SECONDS)
        value = cache.get(key)
        if value is None:  # a cache that keeps nothing: every read is a change
            return fresh
    return str(value)


def invalidate(pool_id: str) -> None:
    """Make every process load ``pool_id``'s pool, settings and clients again."""
    def replace() -> None:
        caches[app_settings.CACHE_ALIAS].set(_key(pool_id), secrets.token_hex(8), STAMP_SECONDS)

    replace()
    transaction.on_commit(replace, robust=True)


def load_settings(pool: UserPool) -> UserPoolSettings:
    """The pool's stored-only settings row (unsaved defaults when none was ever stored)."""
    try:
        return UserPoolSettings.objects.get(pool=pool)
    except UserPoolSettings.DoesNotExist:
        return UserPoolSettings(pool=pool)


def settings_of(pool: UserPool) -> UserPoolSettings:
    """The pool's stored-only settings (unsaved defaults when none were ever stored)."""
    loaded = cached_settings(pool)
    return loaded if loaded is not None else load_settings(pool)


def _settings_with(pool: UserPool) -> UserPool:
    """Attach the pool's settings for :func:`settings_of` to read without a query."""
    setattr(pool, SETTINGS_ATTRIBUTE, load_settings(pool))
    return pool


def _remember(store: dict[str, Any], key: str, value: Any) -> None:
    if len(store) >= MAX_ENTRIES:
        store.clear()
    store[key] = value


def pool(pool_id: object) -> UserPool:
    """The pool ``pool_id`` with its settings, or ResourceNotFoundException."""
    if not isinstance(pool_id, str) or len(pool_id) > 55 or not POOL_ID_RE.fullmatch(pool_id):
        raise ResourceNotFoundException("User pool does not exist.")
    current = stamp(pool_id)
    entry = _pools.get(pool_id)
    if entry is not None and entry[0] == current:
        return entry[1]
    found = UserPool.objects.filter(pk=pool_id).first()
    if found is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    _remember(_pools, pool_id, (current, _settings_with(found)))
    return found


def client(client_id: object, of_pool: UserPool | None = None) -> AppClient:
    """The app client ``client_id`` (of ``of_pool`` when given) with its pool and settings."""
    if not isinstance(client_id, str) or len(client_id) > 128:
        raise ResourceNotFoundException("User pool client does not exist.")
    entry = _clients.get(client_id)
    found: AppClient | None = None
    if entry is not None and stamp(entry[0]) == entry[1]:
        found = entry[2]
    else:
        found = _load_client(client_id)
    if found is None or (of_pool is not None and found.pool_id != of_pool.pk):
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return found


def _load_client(client_id: str) -> AppClient | None:
    pool_id = AppClient.objects.filter(pk=client_id).values_list("pool_id", flat=True).first()
    if pool_id is None:
        return None
    current = stamp(pool_id)  # read before the rows: a change after this moves it again
    found = AppClient.objects.select_related("pool").filter(pk=client_id).first()
    if found is None:
        return None
    _settings_with(found.pool)
    _remember(_clients, client_id, (found.pool_id, current, found))
    return found


def scope_names(pool_id: str) -> frozenset[str]:
    """The custom scopes of the pool's resource servers (``<identifier>/<scope>``)."""
    current = stamp(pool_id)
    entry = _scopes.get(pool_id)
    if entry is not None and entry[0] == current:
        return entry[1]
    names = frozenset(name for server in ResourceServer.objects.filter(pool_id=pool_id)
                      for name in server.scope_names())
    _remember(_scopes, pool_id, (current, names))
    return names


def cached_settings(pool: UserPool) -> UserPoolSettings | None:
    """The settings loaded with a cached pool; ``None`` for a pool loaded elsewhere."""
    return getattr(pool, SETTINGS_ATTRIBUTE, None)


def _on_change(sender: type, instance: Any, **kwargs: Any) -> None:
    pool_id = instance.pk if isinstance(instance, UserPool) else instance.pool_id
    if pool_id:
        invalidate(pool_id)


def connect() -> None:
    """Watch the models whose rows the copies hold (called once from ``AppConfig.ready``)."""
    for model in (UserPool, UserPoolSettings, AppClient, ResourceServer):
        name = model.__name__
        post_save.connect(_on_change, sender=model, dispatch_uid=f"cognito-stamp-save-{name}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"cognito-stamp-del-{name}")
