"""Production-shaped settings for ``bench.load`` and ``tests/clients/test_outages.py``.

The test settings (the app, its middleware and templates) with what a deployment runs:
PostgreSQL with persistent connections that are checked before reuse, so a restarted server
is reconnected to on the next request (``CONN_MAX_AGE``, ``CONN_HEALTH_CHECKS``); Django's
Redis cache as the shared cache, with short socket timeouts so a Redis that hangs fails a
request in a second instead of holding a worker; ``DEBUG`` off.

- ``BENCH_LOAD_DATABASE``: the ``postgres://`` URL;
- ``BENCH_LOAD_REDIS``: the cache's LOCATION (``unix://`` or ``redis://``);
- ``BENCH_LOAD_HASHER``: ``argon2`` (default: Argon2id at OWASP's minimum, the README's
  choice) or ``md5`` (the tests' cheap one, for tests that time nothing).
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS, database_from_url

DATABASES = {"default": {**database_from_url(os.environ.get("BENCH_LOAD_DATABASE", "")),
                         "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
                         "OPTIONS": {"connect_timeout": 2}}}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("BENCH_LOAD_REDIS", ""),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
ROOT_URLCONF = "bench.load_project.urls"
DEBUG = False
PASSWORD_HASHERS = (["django.contrib.auth.hashers.MD5PasswordHasher"]
                    if os.environ.get("BENCH_LOAD_HASHER") == "md5"
                    else ["django_cognito.hashers.Argon2idOWASPPasswordHasher"])
COGNITO = {"PUBLIC_BASE_URL": "http://127.0.0.1", "REGION": "us-east-1"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_cognito": {"handlers": ["console"], "level": "WARNING"}},
}
