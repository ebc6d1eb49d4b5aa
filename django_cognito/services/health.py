"""Whether this process can reach what every request needs: the databases and the cache.

Load balancers and orchestrators ask every second or so, so each probe is one trivial round
trip (``SELECT 1``; one cache write and read back) and nothing is cached: a cached "ok"
would keep an instance in rotation after its Redis or PostgreSQL went away. Failures are
reported by part name only; the exception's text (host names, user names, paths) is logged,
never returned, since the endpoint answers without authentication.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import connections

from ..conf import app_settings

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
#: Seconds a probe value lives in the cache, should its read never happen.
PROBE_SECONDS = 10


def database(alias: str) -> bool:
    """Whether the database ``alias`` answers ``SELECT 1``."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # any driver's error, a refused connection included
        # One line, no traceback: probes come every second while the database is down.
        logger.warning("Health check: database %r is unavailable: %s: %s", alias,
                       type(exc).__name__, exc)
        return False


def cache() -> bool:
    """Whether the shared cache (``COGNITO["CACHE_ALIAS"]``) keeps a value and gives it back.

    A write then a read, not a ping: a cache that accepts writes but loses them (a full,
    evicting or read-only Redis) fails lockout and one-use markers just as an absent one.
    """
    # A key of its own per probe: probes of other processes, threads or forked workers that
    # share a parent's memory never overwrite it between the write and the read.
    key, value = f"django_cognito:health:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        shared = caches[app_settings.CACHE_ALIAS]
        shared.set(key, value, timeout=PROBE_SECONDS)
        if shared.get(key) == value:
            return True
    except Exception as exc:  # a refused connection, a timeout, a misconfigured backend
        logger.warning("Health check: cache %r is unavailable: %s: %s", app_settings.CACHE_ALIAS,
                       type(exc).__name__, exc)
        return False
    logger.warning("Health check: cache %r did not keep a value", app_settings.CACHE_ALIAS)
    return False


def report() -> tuple[bool, dict[str, object]]:
    """``(healthy, body)``: every configured database and the shared cache, each ok or not."""
    databases = {alias: OK if database(alias) else UNAVAILABLE for alias in settings.DATABASES}
    cache_state = OK if cache() else UNAVAILABLE
    healthy = cache_state == OK and all(state == OK for state in databases.values())
    body: dict[str, object] = {
        "status": OK if healthy else UNAVAILABLE,
        "database": OK if all(state == OK for state in databases.values()) else UNAVAILABLE,
        "cache": cache_state,
    }
    if len(databases) > 1:  # which one, when there are replicas to tell apart
        body["databases"] = databases
    return healthy, body
