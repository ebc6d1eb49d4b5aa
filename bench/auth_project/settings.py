"""Settings of the sign-in benchmark project, filled in by ``bench.auth_bench`` through the
environment (gunicorn inherits it).

A lean production-like stack: ``DEBUG`` off, two cheap middlewares behind the bench's CPU
meter (``meter``), django_cognito's URLs at the root so boto3's ``endpoint_url`` is the
server's URL, Django's default password hasher.

- ``BENCH_AUTH_DATABASE``: the SQLite file holding the pool (migrated by the bench);
- ``BENCH_AUTH_BASE_URL``: the server's URL, also ``PUBLIC_BASE_URL`` (the tokens' issuer).
"""

import os

SECRET_KEY = "auth-bench-secret-key-not-for-production"  # noqa: S105 (bench only)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_cognito",
]

MIDDLEWARE = [
    "bench.auth_project.meter.middleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "bench.auth_project.urls"
WSGI_APPLICATION = "bench.auth_project.wsgi.application"

# Persistent connections, as production runs them, and SQLite as it is run in production:
# write-ahead log, synced at checkpoints rather than on every commit. A sign-in writes one row
# (its refresh token); with the default rollback journal that commit waits for an fsync, a
# cost of the disk rather than of the server.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_AUTH_DATABASE", ""),
        "CONN_MAX_AGE": None,
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }
}
# One sync worker serves the bench, so a per-process cache holds every lockout counter and
# spent SRP block.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

COGNITO = {
    "PUBLIC_BASE_URL": os.environ.get("BENCH_AUTH_BASE_URL", "http://127.0.0.1"),
    "REGION": "us-east-1",
    # The light user's one-iteration hash measures a sign-in without the hasher's cost; an
    # upgrade on its first sign-in would turn it into a real one. Steady state either way:
    # a hash at the configured cost is never upgraded.
    "UPGRADE_PASSWORD_HASHES": False,
}
