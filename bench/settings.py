"""Benchmark settings: the database comes from ``BENCH_DATABASE`` (a postgres:// URL or a path).

Everything else mirrors ``tests/settings.py`` so the bench runs the same app and admin,
with ``DEBUG`` off as in production.
"""

import os

from django.conf import global_settings

from tests.settings import *  # noqa: F403
from tests.settings import database_from_url


def bench_database(value: str) -> dict[str, object]:
    """A DATABASES entry for a postgres:// URL or an SQLite file path (never ``:memory:``)."""
    if "://" in value:
        return database_from_url(value)
    if not value or value == ":memory:":
        raise ValueError("BENCH_DATABASE must be a postgres:// URL or an SQLite file path")
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": value}


# Persistent connections, as a production deployment runs them: with the default of 0 every
# admin request would close the connection and the next read would pay for a new one.
DATABASES = {"default": {**bench_database(os.environ.get("BENCH_DATABASE", "")),
                         "CONN_MAX_AGE": None}}
DEBUG = False
ROOT_URLCONF = "tests.urls"
# The sign-up measurement times Django's default hasher, not the tests' fast one.
PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
