"""Sign-in lockout after failed attempts (reference §9).

After 5 failures a user is locked for 1 s, doubling with each further failure up to 15 min;
attempts during a lock are refused without extending it, and the count resets after 15 min
without attempts or on a successful sign-in. Counters live in the configured cache so that
every app process shares them (use Redis in production).

Wrong second-factor answers (MFA codes) count toward a lock of their own that only a correct
second factor lifts: a correct password resets the password count and opens a fresh challenge,
so counting MFA guesses with it (or per challenge only) would let anyone who knows the
password guess codes without end.

The lock is worked out from the failure count and the time of the last failure rather than
stored: the count is an atomic increment, so parallel wrong guesses always leave the longest
lock their number earns, where a stored lock could be overwritten by a slower, shorter one.
"""

from __future__ import annotations

from django.core.cache import caches

from ..clock import now
from ..conf import app_settings
from ..exceptions import NotAuthorizedException
from ..models import PoolUser, UserPool

FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 900
RESET_AFTER_SECONDS = 900  # never shorter than MAX_LOCK_SECONDS: the keys outlive any lock


def _keys(user: PoolUser) -> tuple[str, str]:
    return _base_keys(f"django_cognito:lockout:{user.pool_id}:{user.pk}")


def _second_factor_keys(user: PoolUser) -> tuple[str, str]:
    return _base_keys(f"django_cognito:lockout:{user.pool_id}:{user.pk}:second-factor")


def _hidden_keys(pool: UserPool, lock: int) -> tuple[str, str]:
    return _base_keys(f"django_cognito:lockout:{pool.pk}:hidden:{lock}")


def _base_keys(base: str) -> tuple[str, str]:
    return f"{base}:count", f"{base}:last"


def lock_seconds(failures: int) -> int:
    """How long ``failures`` failed attempts lock the user (0: not locked)."""
    excess = failures - FREE_ATTEMPTS
    return 0 if excess < 0 else min(2 ** min(excess, 10), MAX_LOCK_SECONDS)


def check(user: PoolUser) -> None:
    """Refuse the attempt while the user is locked out."""
    _check(*_keys(user))


def check_hidden(pool: UserPool, lock: int) -> None:
    """``check`` for someone PreventUserExistenceErrors hides (``simulated.lock_id``)."""
    _check(*_hidden_keys(pool, lock))


def check_second_factor(user: PoolUser) -> None:
    """Refuse a second factor (or a new challenge for one) while wrong answers lock it."""
    _check(*_second_factor_keys(user))


def failed_second_factor(user: PoolUser) -> None:
    """Record a wrong second-factor answer; a correct password does not forget it."""
    _failed(*_second_factor_keys(user))


def second_factor_succeeded(user: PoolUser) -> None:
    """Forget the second-factor failures after a correct one."""
    caches[app_settings.CACHE_ALIAS].delete_many(list(_second_factor_keys(user)))


def failed_hidden(pool: UserPool, lock: int) -> None:
    """``failed`` for someone PreventUserExistenceErrors hides: after as many wrong answers
    they are "locked" as a real user would be, so the lockout tells no one apart."""
    _failed(*_hidden_keys(pool, lock))


def _check(count_key: str, last_key: str) -> None:
    state = caches[app_settings.CACHE_ALIAS].get_many([count_key, last_key])
    failures, last = state.get(count_key), state.get(last_key)
    if (isinstance(failures, int) and isinstance(last, (int, float))
            and now().timestamp() < last + lock_seconds(failures)):
        raise NotAuthorizedException("Password attempts exceeded")


def failed(user: PoolUser) -> None:
    """Record a failed password (or SRP proof) and lock once past the free attempts.

    The count is an atomic cache increment, so parallel wrong guesses are all counted. Both
    keys expire 15 minutes after the latest failure, which is how a quiet quarter of an hour
    resets the count: no read-then-write that parallel failures could interleave. The longest
    lock (15 min) ends when they expire.
    """
    _failed(*_keys(user))


def _failed(count_key: str, last_key: str) -> None:
    cache = caches[app_settings.CACHE_ALIAS]
    cache.add(count_key, 0, timeout=RESET_AFTER_SECONDS)
    try:
        cache.incr(count_key)
    except ValueError:  # expired or evicted between add and incr
        cache.add(count_key, 0, timeout=RESET_AFTER_SECONDS)
        cache.incr(count_key)
    # An increment keeps the key's old expiry (or, on Redis, none if it expired just before
    # INCR): each failure restarts the quiet quarter of an hour.
    cache.touch(count_key, timeout=RESET_AFTER_SECONDS)
    cache.set(last_key, now().timestamp(), timeout=RESET_AFTER_SECONDS)


def succeeded(user: PoolUser) -> None:
    """Forget the failures after a correct password."""
    caches[app_settings.CACHE_ALIAS].delete_many(list(_keys(user)))
