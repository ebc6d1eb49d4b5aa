"""Per-user attempt caps (reference §9), counted in the configured cache."""

from __future__ import annotations

from django.core.cache import caches

from ..clock import now
from ..conf import app_settings
from ..exceptions import CognitoError, LimitExceededException
from ..models import PoolUser, UserPool

WINDOW_SECONDS = 3600


def hit(operation: str, user: PoolUser, *,
        error: type[CognitoError] = LimitExceededException) -> None:
    """Count one attempt of ``operation`` by ``user``; raise once the hourly cap is passed."""
    _hit(operation, f"{user.pool_id}:{user.pk}", error)


def hit_hidden(operation: str, pool: UserPool, lock: int, *,
               error: type[CognitoError] = LimitExceededException) -> None:
    """``hit`` for someone PreventUserExistenceErrors hides (``simulated.lock_id``): the cap
    tells no one apart."""
    _hit(operation, f"{pool.pk}:hidden:{lock}", error)


def _hit(operation: str, who: str, error: type[CognitoError]) -> None:
    limit = app_settings.RATE_LIMITS.get(operation)
    if not limit:
        return
    window = int(now().timestamp()) // WINDOW_SECONDS
    key = f"django_cognito:limit:{operation}:{who}:{window}"
    if count(key, WINDOW_SECONDS * 2) > limit:
        raise error()


def count(key: str, timeout: int) -> int:
    """Add one to the shared counter ``key`` (atomically) and return it, this time included;
    the counter lives ``timeout`` seconds from its first count."""
    cache = caches[app_settings.CACHE_ALIAS]
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
