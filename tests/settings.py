"""Test settings: SQLite by default, PostgreSQL when COGNITO_TEST_DATABASE_URL is set."""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent


def database_from_url(url: str) -> dict[str, Any]:
    """postgres://USER:PASSWORD@HOST:PORT/NAME?option=value -> a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"COGNITO_TEST_DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


_database_url = os.environ.get("COGNITO_TEST_DATABASE_URL")
DATABASES = {
    "default": (
        database_from_url(_database_url)
        if _database_url
        else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    )
}

# Long and random-looking, as a deployment's (check cognito.E008); public, for tests only.
SECRET_KEY = "tests-only-5c7e1d9a2b8f4c6e0a3d7b1f9e2c4a8d6b0f3e7a1c5d9b2e8f4a6c0d3b7e"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The example project's admin asks staff for a TOTP code (tests/project/test_example_admin.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_cognito",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_cognito.hosted.middleware.DomainMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_cognito.backends.TokenSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The hasher is not under test; PBKDF2's cost would dominate the run time (one test swaps in
# a counting hasher of its own).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

COGNITO = {
    "PUBLIC_BASE_URL": "http://testserver",
    "REGION": "us-east-1",
    # Messages sent during the call, so an outbox read right after it is complete; the
    # delivery after the response (the default) has tests of its own (test_background,
    # tests/security/).
    "BACKGROUND_DELIVERY": False,
    # No floor under hidden answers' time (tests/security/ runs the default).
    "EVEN_ANSWER_SECONDS": 0,
}
