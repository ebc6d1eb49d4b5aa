"""Production settings of the example project, read entirely from the environment.

``DJANGO_SETTINGS_MODULE=example_project.settings_production``; docs/deploy.md explains each
variable. A missing or malformed variable stops the process at start-up with one
``ImproperlyConfigured`` naming every such variable, rather than a server that runs with a
guessable key, a per-process cache or an issuer on plain http.
"""

import base64
import binascii
import os
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

REQUIRED = (
    "DJANGO_SECRET_KEY",
    "COGNITO_ENCRYPTION_KEYS",
    "COGNITO_PUBLIC_BASE_URL",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_EMAIL_HOST",
    "DJANGO_DEFAULT_FROM_EMAIL",
)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    return default if not value else value.lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [item.strip() for item in _env(name).split(",") if item.strip()]


def _fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def database_from_url(url: str) -> dict[str, Any]:
    """``postgres://USER:PASSWORD@HOST:PORT/NAME?option=value`` -> a DATABASES entry."""
    parts = urlsplit(url)
    options: dict[str, Any] = {"connect_timeout": 5, **dict(parse_qsl(parts.query))}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        # A connection per process, kept between requests and checked before reuse, so a
        # restarted PostgreSQL costs one failed request per process at most.
        "CONN_MAX_AGE": int(_env("DJANGO_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }


def _problems() -> list[str]:
    """Every missing or malformed variable, so one start-up names them all."""
    problems = [f"{name} is not set" for name in REQUIRED if not _env(name)]
    base = _env("COGNITO_PUBLIC_BASE_URL")
    if base and urlsplit(base).scheme != "https":
        # The issuer of every token and the links in every message: over http, tokens,
        # passwords and codes travel in clear, and changing it later voids issued tokens.
        problems.append("COGNITO_PUBLIC_BASE_URL must be an https:// URL")
    keys = _list("COGNITO_ENCRYPTION_KEYS")
    if _env("COGNITO_ENCRYPTION_KEYS") and not all(_fernet_key(key) for key in keys):
        problems.append("COGNITO_ENCRYPTION_KEYS must be comma-separated Fernet keys "
                        "(cryptography.fernet.Fernet.generate_key())")
    database = _env("DATABASE_URL")
    if database and urlsplit(database).scheme not in {"postgres", "postgresql"}:
        problems.append("DATABASE_URL must be a postgres:// URL")
    redis = _env("REDIS_URL")
    if redis and urlsplit(redis).scheme not in {"redis", "rediss", "unix"}:
        problems.append("REDIS_URL must be a redis://, rediss:// or unix:// URL")
    return problems


if _problems():
    raise ImproperlyConfigured("Production settings are incomplete: "
                               + "; ".join(_problems()) + " (see docs/deploy.md).")

# What does not vary between deployments comes from the development settings, read only once
# the environment is known to be complete (they refuse DJANGO_DEBUG=0 without a key too).
from .settings import (  # noqa: E402
    AUTHENTICATION_BACKENDS,
    BASE_DIR,
    DEFAULT_AUTO_FIELD,
    EXAMPLE_CLIENT_ID,
    EXAMPLE_POOL_ID,
    EXAMPLE_WEB_CLIENT_ID,
    INSTALLED_APPS,
    LANGUAGE_CODE,
    LOGIN_URL,
    MIDDLEWARE,
    OTP_TOTP_ISSUER,
    PASSWORD_HASHERS,
    REST_FRAMEWORK,
    ROOT_URLCONF,
    SPECTACULAR_SETTINGS,
    STATIC_URL,
    TEMPLATES,
    TIME_ZONE,
    USE_I18N,
    USE_TZ,
    WSGI_APPLICATION,
)

__all__ = [
    "AUTHENTICATION_BACKENDS", "DEFAULT_AUTO_FIELD", "EXAMPLE_CLIENT_ID", "EXAMPLE_POOL_ID",
    "EXAMPLE_WEB_CLIENT_ID", "INSTALLED_APPS", "LANGUAGE_CODE", "LOGIN_URL", "MIDDLEWARE",
    "OTP_TOTP_ISSUER", "PASSWORD_HASHERS", "REST_FRAMEWORK", "ROOT_URLCONF",
    "SPECTACULAR_SETTINGS", "STATIC_URL", "TEMPLATES", "TIME_ZONE", "USE_I18N", "USE_TZ",
    "WSGI_APPLICATION",
]

DEBUG = False
SECRET_KEY = _env("DJANGO_SECRET_KEY")
# Former keys, still accepted for what they signed (sessions, ListUsers pagination tokens)
# while SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = _list("DJANGO_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = _list("DJANGO_ALLOWED_HOSTS")
PUBLIC_BASE_URL = _env("COGNITO_PUBLIC_BASE_URL").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
# The public origin posts its own forms; others (a pool's custom domains, the prefix
# domains' wildcard such as https://*.auth.example.com) are listed explicitly.
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}",
                        *_list("DJANGO_CSRF_TRUSTED_ORIGINS")]

DATABASES = {"default": database_from_url(_env("DATABASE_URL"))}

# Lockout counters, rate limits, one-use SRP and Session markers and sign-out state must be
# shared by every process: a per-process cache would count each guess in one process only.
# Short socket timeouts make a lost Redis an error within a second, not a hung worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _env("REDIS_URL"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = _env("DJANGO_EMAIL_HOST")
EMAIL_PORT = int(_env("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = _env("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _env("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = _flag("DJANGO_EMAIL_USE_SSL", False)
EMAIL_USE_TLS = _flag("DJANGO_EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _env("DJANGO_DEFAULT_FROM_EMAIL")

# Behind a TLS terminator that sets X-Forwarded-Proto (and strips it from clients' requests).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Load balancers probe instances directly over http: a redirect would read as unhealthy.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = int(_env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STATIC_ROOT = _env("DJANGO_STATIC_ROOT") or str(BASE_DIR.parent / "staticfiles")

COGNITO = {
    "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    "REGION": _env("COGNITO_REGION", "us-east-1"),
    "ENCRYPTION_KEYS": _list("COGNITO_ENCRYPTION_KEYS"),
    "HOSTED_DOMAIN_URL": _env("COGNITO_HOSTED_DOMAIN_URL") or None,
    "SMS_SENDER": _env("COGNITO_SMS_SENDER", "example_project.sms.sns_sender"),
    "CACHE_ALIAS": "default",
    "LOCAL_POOLS": [{"user_pool_id": EXAMPLE_POOL_ID,
                     "client_ids": [EXAMPLE_CLIENT_ID, EXAMPLE_WEB_CLIENT_ID]}],
}

# Errors and warnings to stderr, where the process manager collects them (Django's default
# sends them only to ADMINS by mail when DEBUG is off).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": _env("DJANGO_LOG_LEVEL", "INFO")},
}
