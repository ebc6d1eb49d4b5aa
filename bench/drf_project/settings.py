"""Settings of the DRF benchmark project, filled in by ``bench.drf_bench`` through the environment.

The stack is what a lean production API runs: ``DEBUG`` off, two cheap middlewares, JSON
rendering only, no sessions. Each endpoint picks its authentication class itself, so the
three runs differ in nothing but authentication.

- ``BENCH_DRF_DATABASE``: the SQLite file holding the local pool (migrated by the bench);
- ``BENCH_DRF_ISSUER``, ``BENCH_DRF_JWKS_URL``, ``BENCH_DRF_CLIENT_ID``: the stand-in AWS
  pool, trusted through ``COGNITO["TRUSTED_ISSUERS"]``, its JWKS on a loopback server;
- ``BENCH_DRF_VERIFYING_KEY``: the same pool's public key in PEM, for simplejwt.
"""

import os

SECRET_KEY = "drf-bench-secret-key-not-for-production"  # noqa: S105 (bench only)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "django_cognito",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "bench.drf_project.urls"
WSGI_APPLICATION = "bench.drf_project.wsgi.application"

# Persistent connections, as production runs them; the local pool's revocation check is the
# only query any endpoint can make, and its answer is cached (services.tokens.family_is_live).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_DRF_DATABASE", ""),
        "CONN_MAX_AGE": None,
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}

COGNITO = {
    # Local pool tokens name this base in their iss; nothing is served there.
    "PUBLIC_BASE_URL": "http://127.0.0.1/idp",
    "TRUSTED_ISSUERS": [
        {
            "issuer": os.environ.get("BENCH_DRF_ISSUER", ""),
            "jwks_url": os.environ.get("BENCH_DRF_JWKS_URL", "http://127.0.0.1/jwks.json"),
            "client_ids": [os.environ.get("BENCH_DRF_CLIENT_ID", "")],
        }
    ],
}

# simplejwt's stateless class on the same RS256 tokens: the access token's token_use claim
# plays simplejwt's token type ("access"), sub is the user id, jti is present, iss checked.
SIMPLE_JWT = {
    "ALGORITHM": "RS256",
    "SIGNING_KEY": None,
    "VERIFYING_KEY": os.environ.get("BENCH_DRF_VERIFYING_KEY", ""),
    "ISSUER": os.environ.get("BENCH_DRF_ISSUER", ""),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_use",
    "JTI_CLAIM": "jti",
}
