"""Sign-in lockout after failed attempts (reference §9).

After 5 failures a user is locked for 1 s, doubling with each further failure up to 15 min;
attempts during a lock are refused without extending it, and the count resets after 15 min
without attempts or on a successful sign-in. Counters live in the configured cache so that
every app process shares them (use Redis in production).
"""

from __future__ import annotations

from django.core.cache import caches

from ..clock import now
from ..conf import app_settings
from ..exceptions import NotAuthorizedException
from ..models import PoolUser

FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 900
RESET_AFTER_SECONDS = 900


def _keys(user: PoolUser) -> tuple[str, str, str]:
    base = f"django_cognito:lockout:{user.pool_id}:{user.pk}"
    return f"{base}:count", f"{base}:last", f"{base}:until"


def check(user: PoolUser) -> None:
    """Refuse the attempt while the user is locked out."""
    _, _, until_key = _keys(user)
    until = caches[app_settings.CACHE_ALIAS].get(until_key)
    if until and now().timestamp() < until:
        raise NotAuthorizedException("Password attempts exceeded")


def failed(user: PoolUser) -> None:
    """Record a failed password (or SRP proof) and lock once past the free attempts.

    The count is an atomic cache increment, so parallel wrong guesses are all counted.
    """
    cache = caches[app_settings.CACHE_ALIAS]
    count_key, last_key, until_key = _keys(user)
    timeout = RESET_AFTER_SECONDS + MAX_LOCK_SECONDS
    stamp = now().timestamp()
    last = cache.get(last_key)
    if last is not None and stamp - last > RESET_AFTER_SECONDS:
        cache.set(count_key, 0, timeout=timeout)
    cache.add(count_key, 0, timeout=timeout)
    try:
        failures = cache.incr(count_key)
    except ValueError:  # evicted between add and incr
        cache.set(count_key, 1, timeout=timeout)
        failures = 1
    cache.set(last_key, stamp, timeout=timeout)
    excess = failures - FREE_ATTEMPTS
    if excess >= 0:
        cache.set(until_key, stamp + min(2 ** excess, MAX_LOCK_SECONDS), timeout=timeout)


def succeeded(user: PoolUser) -> None:
    """Forget the failures after a correct password."""
    caches[app_settings.CACHE_ALIAS].delete_many(list(_keys(user)))
