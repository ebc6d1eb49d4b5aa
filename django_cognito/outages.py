"""Which exceptions mean a dependency is down (the database, the shared cache), not a bug.

Every front end answers these with a typed error a client retries (the JSON API's
``InternalErrorException``, 503 with ``Retry-After`` on the pages and OAuth endpoints), and
nothing catches them to carry on: lockout counters, rate limits and spent SRP answers live in
the shared cache, so a request that cannot read them must stop before any password is checked
(failing open would hand a guesser unlimited tries while Redis is away).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

#: Seconds a client is asked to wait before retrying (RFC 9110 §10.2.3): long enough for a
#: database or Redis restart, short enough that nobody gives up.
RETRY_AFTER_SECONDS = 5

# Named, not imported: the redis client is an optional extra that Django loads itself
# (CACHES: django.core.cache.backends.redis.RedisCache). BusyLoadingError, raised while Redis
# reads its append-only file back after a restart, is a ConnectionError.
_CACHE_ERRORS = {("redis.exceptions", "ConnectionError"), ("redis.exceptions", "TimeoutError")}


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database or the shared cache cannot be reached right now."""
    if isinstance(exc, (OperationalError, InterfaceError, ConnectionError, TimeoutError)):
        return True
    return any((cls.__module__, cls.__name__) in _CACHE_ERRORS for cls in type(exc).__mro__)
