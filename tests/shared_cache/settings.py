"""Settings of the server processes started by ``tests/clients/test_shared_cache.py``.

The test settings, with what a multi-process deployment shares: one database (an SQLite file
in write-ahead-log mode, ``COGNITO_SHARED_DATABASE``) and Django's Redis cache as
django_cognito's shared cache (``COGNITO_SHARED_REDIS``, a ``unix://`` socket URL).
"""

import os

from tests.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("COGNITO_SHARED_DATABASE", ""),
        "CONN_MAX_AGE": None,
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("COGNITO_SHARED_REDIS", ""),
    }
}
# The issuer is not under test: both servers issue for one base URL.
COGNITO = {"PUBLIC_BASE_URL": "http://cognito.test", "REGION": "us-east-1"}
